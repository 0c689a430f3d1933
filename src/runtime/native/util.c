/* isobench-runtime: errors, logging and file helpers (see util.h). */
#define _GNU_SOURCE
#include "util.h"
#include "io.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int error_fd = -1;
int die_code = EXIT_FAIL;
static int log_fd = -1, log_json;

void log_open(const char *path, int json) {
  log_json = json;
  if (!path || !*path) return;
  log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

void iso8601_now(char *buf, size_t n) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm); /* no strftime: it would load the time zone file */
  snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

/* A JSON string body: quotes, backslashes and control characters escaped. */
static size_t json_escape(char *out, size_t n, const char *s) {
  size_t k = 0;
  for (; *s && k + 7 < n; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') out[k++] = '\\', out[k++] = c;
    else if (c == '\n') out[k++] = '\\', out[k++] = 'n';
    else if (c < 0x20) k += snprintf(out + k, n - k, "\\u%04x", c);
    else out[k++] = c;
  }
  out[k] = 0;
  return k;
}

static void log_line(const char *level, const char *msg) {
  if (log_fd < 0) return;
  char ts[64], line[4600];
  iso8601_now(ts, sizeof ts);
  int n;
  if (log_json) {
    char esc[4200];
    json_escape(esc, sizeof esc, msg);
    n = snprintf(line, sizeof line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", level, esc, ts);
  } else {
    n = snprintf(line, sizeof line, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level, msg);
  }
  if (n > 0) write_all(log_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static _Noreturn void vdie(int with_errno, const char *fmt, va_list ap) {
  int e = errno;
  char msg[4096];
  int k = vsnprintf(msg, sizeof msg, fmt, ap);
  if (k < 0) k = 0;
  if ((size_t)k >= sizeof msg) k = sizeof msg - 1;
  if (with_errno && e) snprintf(msg + k, sizeof msg - k, ": %s", strerror(e));
  if (error_fd >= 0) {
    /* In the container init: the runtime process reports it (and logs it). */
    char buf[4200];
    int n = snprintf(buf, sizeof buf, "E%s", msg);
    if (write(error_fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1) < 0) {}
    _exit(die_code);
  }
  log_line("error", msg);
  dprintf(2, PROG ": %s\n", msg);
  exit(die_code);
}

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vdie(1, fmt, ap);
}

void diex(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  errno = 0;
  vdie(0, fmt, ap);
}

void warnx(const char *fmt, ...) {
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  log_line("warning", msg);
  dprintf(2, PROG ": warning: %s\n", msg);
}

void debugx(const char *fmt, ...) {
  if (log_fd < 0) return;
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  log_line("debug", msg);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) diex("out of memory");
  return p;
}

void *xcalloc(size_t n, size_t m) {
  void *p = calloc(n ? n : 1, m ? m : 1);
  if (!p) diex("out of memory");
  return p;
}

char *xstrdup(const char *s) {
  char *p = strdup(s ? s : "");
  if (!p) diex("out of memory");
  return p;
}

char *xasprintf(const char *fmt, ...) {
  char *p;
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&p, fmt, ap);
  va_end(ap);
  if (r < 0) diex("out of memory");
  return p;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, int create) {
  int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
  if (fd < 0) return -1;
  int r = write_all(fd, data, len);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

int write_file(const char *path, const char *data, size_t len) { return write_file_at(AT_FDCWD, path, data, len, 0); }

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return -1;
  if (write_all(fd, data, len) < 0) {
    int e = errno;
    close(fd);
    unlink(tmp);
    errno = e;
    return -1;
  }
  close(fd);
  if (rename(tmp, path) < 0) {
    int e = errno;
    unlink(tmp);
    errno = e;
    return -1;
  }
  return 0;
}

char *read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 8192, k = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (k + 1 >= cap) {
      if (cap >= 16u << 20) {
        free(buf);
        close(fd);
        errno = EFBIG;
        return NULL;
      }
      cap *= 2;
      char *nb = realloc(buf, cap);
      if (!nb) diex("out of memory");
      buf = nb;
    }
    ssize_t r = read(fd, buf + k, cap - 1 - k);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(buf);
      close(fd);
      errno = e;
      return NULL;
    }
    if (r == 0) break;
    k += (size_t)r;
  }
  close(fd);
  buf[k] = 0;
  if (len) *len = k;
  return buf;
}

int mkdir_p(const char *path, mode_t mode) {
  if (mkdir(path, mode) == 0 || errno == EEXIST) return 0;
  if (errno != ENOENT) return -1;
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(buf, mode) == 0 || errno == EEXIST ? 0 : -1;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st, (void)f;
  if (flag == FTW_DP) rmdir(p);
  else unlink(p);
  return 0;
}

void rm_rf(const char *path) {
  if (!path || rmdir(path) == 0 || errno == ENOENT) return;
  if (errno == ENOTDIR) {
    unlink(path);
    return;
  }
  nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int proc_stat(pid_t pid, unsigned long long *start_time, char *state) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read_all(fd, buf, sizeof buf);
  close(fd);
  if (n <= 0) return -1;
  /* comm may hold spaces and parentheses: fields start after the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p || p[1] != ' ') return -1;
  p += 2;
  if (state) *state = *p;
  /* field 3 is the state; start time is field 22. */
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (!p) return -1;
    p++;
  }
  if (start_time) *start_time = strtoull(p, NULL, 10);
  return 0;
}

static const struct {
  const char *name;
  int sig;
} signals[] = {
    {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},   {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
    {"TERM", SIGTERM},   {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},     {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"POLL", SIGPOLL},   {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int parse_signal(const char *s) {
  if (!s || !*s) return -1;
  if (isdigit((unsigned char)*s)) {
    char *end;
    long v = strtol(s, &end, 10);
    return *end || v <= 0 || v > SIGRTMAX ? -1 : (int)v;
  }
  if (strncasecmp(s, "SIG", 3) == 0) s += 3;
  for (size_t i = 0; i < sizeof signals / sizeof *signals; i++)
    if (strcasecmp(s, signals[i].name) == 0) return signals[i].sig;
  if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
    int base = strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
    const char *off = s + 5;
    if (!*off) return base;
    long v = strtol(off, NULL, 10);
    int sig = base + (int)v;
    return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
  }
  return -1;
}
void trace(const char *label) {
  static int on = -1;
  if (on < 0) on = getenv("ISOBENCH_RUNTIME_TRACE") != NULL;
  if (!on) return;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  dprintf(2, "T %d %lld.%06ld %s\n", (int)getpid(), (long long)t.tv_sec, t.tv_nsec / 1000, label);
}
