/* The timestamping relay of isobench-launch (see relay.h). */
#define _GNU_SOURCE
#include "relay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "phases.h"

#define STAMPED "ISOBENCH@"

uint64_t relay_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void relay_init(struct relay *r, int out_fd) {
  memset(r, 0, sizeof *r);
  r->out = out_fd;
}

int relay_add_mark(struct relay *r, char *spec) {
  char *eq = strchr(spec, '=');
  if (!eq || eq == spec || !eq[1] || r->n_marks >= RELAY_MAX_MARKS) return -1;
  *eq = 0;
  r->marks[r->n_marks++] = (struct relay_mark){.phase = spec, .text = eq + 1};
  return 0;
}

void relay_hold(struct relay *r, const char *phase) { r->hold_until = phase; }

int relay_release(struct relay *r) {
  r->hold_until = NULL;
  int rc = r->held_len ? write_all(r->out, r->held, r->held_len) : 0;
  free(r->held);
  r->held = NULL, r->held_len = r->held_cap = 0;
  return rc;
}

/* Out to isobench, or into the held output while a hold lasts (released past RELAY_HOLD_MAX). */
static int put(struct relay *r, const char *p, size_t n) {
  if (!r->hold_until) return write_all(r->out, p, n);
  if (r->held_len + n > RELAY_HOLD_MAX) return relay_release(r) < 0 ? -1 : write_all(r->out, p, n);
  if (r->held_len + n > r->held_cap) {
    size_t cap = r->held_cap ? r->held_cap * 2 : 4096;
    while (cap < r->held_len + n) cap *= 2;
    char *grown = realloc(r->held, cap);
    if (!grown) return relay_release(r) < 0 ? -1 : write_all(r->out, p, n);
    r->held = grown, r->held_cap = cap;
  }
  memcpy(r->held + r->held_len, p, n);
  r->held_len += n;
  return 0;
}

int relay_emit(struct relay *r, uint64_t at, const char *phase, const char *rest) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, STAMPED "%llu %s%s%s\n", (unsigned long long)at, phase, rest && *rest ? " " : "", rest ? rest : "");
  if (n < 0) return -1;
  return put(r, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* One complete line (with its newline, or without at a flush or a split): marks, then the line with its marker stamped. */
static int pass_line(struct relay *r, char *line, size_t n, uint64_t at) {
  for (int i = 0; i < r->n_marks; i++) {
    struct relay_mark *m = &r->marks[i];
    if (!m->seen && memmem(line, n, m->text, strlen(m->text))) {
      m->seen = 1;
      if (relay_emit(r, at, m->phase, NULL) < 0) return -1;
    }
  }
  /* Only the relay writes timestamps: the instance's own "ISOBENCH@" becomes "ISOBENCH_". */
  for (char *p = line; (p = memmem(p, n - (size_t)(p - line), STAMPED, sizeof STAMPED - 1)); p += sizeof STAMPED - 1) p[sizeof STAMPED - 2] = '_';
  char *marker = memmem(line, n, PHASE_MARKER_PREFIX, sizeof PHASE_MARKER_PREFIX - 1);
  if (!marker) return put(r, line, n);
  char stamp[48];
  int s = snprintf(stamp, sizeof stamp, STAMPED "%llu ", (unsigned long long)at);
  size_t before = (size_t)(marker - line), skip = sizeof PHASE_MARKER_PREFIX - 1;
  if (put(r, line, before) < 0 || put(r, stamp, (size_t)s) < 0 || put(r, marker + skip, n - before - skip) < 0) return -1;
  /* The held output goes once the marker it waits for has passed. */
  const char *phase = marker + skip;
  size_t len = strlen(r->hold_until ? r->hold_until : "");
  size_t rest = n - before - skip;
  if (r->hold_until && rest >= len && strncmp(phase, r->hold_until, len) == 0 && (rest == len || phase[len] == ' ' || phase[len] == '\n' || phase[len] == '\r'))
    return relay_release(r);
  return 0;
}

int relay_feed(struct relay *r, const char *data, size_t n, uint64_t at) {
  while (n > 0) {
    const char *nl = memchr(data, '\n', n);
    size_t take = nl ? (size_t)(nl - data) + 1 : n;
    if (r->len + take > sizeof r->line) take = sizeof r->line - r->len; /* an overlong line goes out in pieces */
    memcpy(r->line + r->len, data, take);
    r->len += take, data += take, n -= take;
    if (r->line[r->len - 1] == '\n' || r->len == sizeof r->line) {
      if (pass_line(r, r->line, r->len, at) < 0) return -1;
      r->len = 0;
    }
  }
  return 0;
}

int relay_flush(struct relay *r, uint64_t at) {
  int rc = r->len ? pass_line(r, r->line, r->len, at) : 0;
  r->len = 0;
  return relay_release(r) < 0 ? -1 : rc;
}

long relay_pump(struct relay *r, int in_fd) {
  char buf[16384];
  ssize_t got = read(in_fd, buf, sizeof buf);
  if (got <= 0) return got;
  /* Arrival: when the read returned the bytes, for every line they complete. */
  if (relay_feed(r, buf, (size_t)got, relay_now()) < 0) return -1;
  return got;
}

/* ---------- phases from files: an OCI runtime's state transitions ---------- */

int relay_add_watch(struct relay *r, char *spec, int on_delete) {
  char *eq = strchr(spec, '=');
  if (!eq || eq == spec || eq[1] != '/' || r->n_watches >= RELAY_MAX_MARKS) return -1;
  *eq = 0;
  struct relay_watch *w = &r->watches[r->n_watches];
  memset(w, 0, sizeof *w);
  w->phase = spec, w->on_delete = on_delete, w->wd_dir = w->wd_parent = -1;
  if ((size_t)snprintf(w->dir, sizeof w->dir, "%s", eq + 1) >= sizeof w->dir) return -1;
  char *slash = strrchr(w->dir, '/');
  if (!slash || !slash[1] || slash == w->dir) return -1;
  *slash = 0, w->name = slash + 1;
  memcpy(w->parent, w->dir, strlen(w->dir) + 1);
  char *up = strrchr(w->parent, '/');
  if (!up) return -1;
  w->dir_name = w->dir + (up - w->parent) + 1;
  *(up == w->parent ? up + 1 : up) = 0;
  r->n_watches++;
  return 0;
}

#define DIR_EVENTS (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM)

/* Watch the file's directory; where it already holds the file, a creation has happened: emit it. */
static int watch_dir(struct relay *r, struct relay_watch *w, uint64_t at) {
  w->wd_dir = inotify_add_watch(r->inotify, w->dir, DIR_EVENTS | IN_ONLYDIR);
  if (w->wd_dir < 0) return errno == ENOENT ? 0 : -1;
  char path[8200];
  snprintf(path, sizeof path, "%s/%s", w->dir, w->name);
  if (!w->on_delete && !w->seen && access(path, F_OK) == 0) {
    w->seen = 1;
    return relay_emit(r, at, w->phase, NULL);
  }
  return 0;
}

int relay_start_watches(struct relay *r) {
  r->inotify = -1;
  if (r->n_watches == 0) return 0;
  r->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (r->inotify < 0) return -1;
  for (int i = 0; i < r->n_watches; i++) {
    struct relay_watch *w = &r->watches[i];
    /* The parent first: a directory made between the two calls is then seen either way. */
    w->wd_parent = inotify_add_watch(r->inotify, w->parent, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
    if (w->wd_parent < 0) return -1;
    if (watch_dir(r, w, relay_now()) < 0) return -1;
  }
  return 0;
}

int relay_on_inotify(struct relay *r) {
  char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (;;) {
    ssize_t n = read(r->inotify, buf, sizeof buf);
    if (n <= 0) return 0; /* EAGAIN: nothing more */
    uint64_t at = relay_now();
    for (char *p = buf; p < buf + n;) {
      struct inotify_event *e = (struct inotify_event *)p;
      p += sizeof *e + e->len;
      if (!e->len) continue;
      for (int i = 0; i < r->n_watches; i++) {
        struct relay_watch *w = &r->watches[i];
        if (e->wd == w->wd_parent && w->wd_dir < 0 && (e->mask & IN_ISDIR) && strcmp(e->name, w->dir_name) == 0) {
          if (watch_dir(r, w, at) < 0) return -1;
        } else if (e->wd == w->wd_dir && !w->seen && strcmp(e->name, w->name) == 0 &&
                   (w->on_delete ? (e->mask & (IN_DELETE | IN_MOVED_FROM)) : (e->mask & (IN_CREATE | IN_MOVED_TO)))) {
          w->seen = 1;
          if (relay_emit(r, at, w->phase, NULL) < 0) return -1;
        }
      }
    }
  }
}

/* ---------- the relay process of a launcher that execs its target in place ---------- */

/* Close every fd from 3 up but `a` and `b`: a pipe the target shares with its caller (a runtime's
 * sync pipe) must close when the target closes it, not stay open in the relay. */
static void close_others(int a, int b) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return;
  int self = dirfd(d);
  struct dirent *e;
  while ((e = readdir(d))) {
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != a && fd != b && fd != self && e->d_name[0] != '.') close(fd);
  }
  closedir(d);
}

static long read_full(int fd, void *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = read(fd, (char *)p + got, n - got);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    got += (size_t)k;
  }
  return (long)got;
}

int relay_fork(struct relay *r) {
  int out[2], ctl[2];
  if (pipe2(out, O_CLOEXEC) < 0) return -1;
  if (pipe2(ctl, O_CLOEXEC) < 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    /* Named so isobench leaves it out of the instance's processes (RELAY_COMM in src/host/procfs.ts). */
    prctl(PR_SET_NAME, "isobench-relay", 0, 0, 0);
    /* Out of the target's process group: a kill of the group (the arm stopping it) leaves us to pass
     * on what is held until the pipe's end; a dead isobench ends us by EPIPE. */
    setpgid(0, 0);
    close(out[1]);
    close(ctl[1]);
    close_others(out[0], ctl[0]);
    if (relay_start_watches(r) < 0) dprintf(2, "isobench-launch: relay: inotify: %s\n", strerror(errno));
    uint64_t t0;
    if (read_full(ctl[0], &t0, sizeof t0) != sizeof t0) _exit(0); /* the target never started */
    close(ctl[0]);
    char pidtext[24];
    snprintf(pidtext, sizeof pidtext, "%d", (int)getppid());
    if (relay_emit(r, t0, "spawn", pidtext) < 0) _exit(0);
    struct pollfd fds[2] = {{.fd = out[0], .events = POLLIN}, {.fd = r->inotify, .events = POLLIN}};
    for (;;) {
      if (poll(fds, r->inotify >= 0 ? 2 : 1, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[0].revents) {
        long got = relay_pump(r, out[0]);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) break; /* every writer closed, or the reader is gone */
      }
      if (r->inotify >= 0 && fds[1].revents && relay_on_inotify(r) < 0) break;
    }
    relay_flush(r, relay_now());
    _exit(0);
  }
  close(out[0]);
  close(ctl[0]);
  if (dup2(out[1], 1) < 0) return -1;
  close(out[1]);
  return ctl[1];
}

void relay_exec(int ctl, char **argv) {
  uint64_t t0 = relay_now();
  if (write(ctl, &t0, sizeof t0) != sizeof t0) { /* the relay is gone: the instance runs untimed */ }
  execvp(argv[0], argv);
}
