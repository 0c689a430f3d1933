/*
 * isobench-init: the init every instance runs, the same static binary in every arm (the process
 * arm runs it from build/native, the containers get it bind-mounted read-only at /isobench/init, the
 * VM has it in its initramfs overlay, and bind-mounted into an ext4 root). It is injected: never
 * part of the image, so no shell or any other file is needed in the image.
 *
 *   isobench-init [-w DIR] [-u UID:GID[:GID,...]] [--] CMD [ARG...]
 *
 * It prints the readiness protocol's marker lines on stdout (src/core/markers.ts), each with one
 * write(2) so that no workload output lands inside one:
 *   ISOBENCH init <name>    the init runs inside the instance
 *   ISOBENCH ready <name>   right before the workload is started (only when ISOBENCH_READY=marker)
 *   ISOBENCH exit <code>    after the workload exited: its exit status, or 128 + the signal that killed it
 * and then exits with that code. The name is ISOBENCH_NAME (default "workload"); ISOBENCH_NAME and
 * ISOBENCH_READY are removed from the workload's environment.
 *
 * The workload runs as its child, as with tini (krallin/tini) and docker run --init:
 *   - every signal the init can catch, except SIGCHLD and the synchronous ones, is forwarded to it;
 *   - orphans are reaped: the init is PID 1 in a container, and a child subreaper elsewhere
 *     (PR_SET_CHILD_SUBREAPER), so daemonising children never become zombies;
 *   - CMD is looked up in the workload's PATH (execvp); a command that cannot be executed exits
 *     127 (not found) or 126 (found but not executable), as a shell and Docker report it.
 * -w DIR: the working directory, created when missing (Docker creates the image's WorkingDir).
 * -u UID:GID[:GIDS]: drop to this user, its group, and the supplementary groups (default: GID only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_GROUPS 64

static void say(const char *fmt, const char *a, int code) {
  char line[512];
  int n = a ? snprintf(line, sizeof line, fmt, a) : snprintf(line, sizeof line, fmt, code);
  if (n > (int)sizeof line - 1) n = sizeof line - 1;
  for (int off = 0; off < n;) {
    ssize_t w = write(1, line + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    off += w;
  }
}

static void fail(const char *what, const char *arg) {
  fprintf(stderr, "isobench-init: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
}

/* mkdir -p, for a WorkingDir the image does not have. */
static int mkdirs(const char *dir) {
  char p[PATH_MAX];
  if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) return errno = ENAMETOOLONG, -1;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0755) < 0 && errno != EEXIST) return -1;
    *s = '/';
  }
  return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int parse_user(const char *spec, uid_t *uid, gid_t *gid, gid_t *groups, int *ngroups) {
  char *end;
  errno = 0;
  unsigned long u = strtoul(spec, &end, 10);
  if (end == spec || *end != ':' || errno) return -1;
  const char *g = end + 1;
  unsigned long gg = strtoul(g, &end, 10);
  if (end == g || (*end && *end != ':') || errno) return -1;
  *uid = (uid_t)u;
  *gid = (gid_t)gg;
  *ngroups = 0;
  groups[(*ngroups)++] = *gid;
  if (*end == ':') {
    for (const char *s = end + 1; *s && *ngroups < MAX_GROUPS;) {
      unsigned long x = strtoul(s, &end, 10);
      if (end == s || (*end && *end != ',')) return -1;
      if ((gid_t)x != *gid) groups[(*ngroups)++] = (gid_t)x;
      s = *end ? end + 1 : end;
    }
  }
  return 0;
}

/* Signals never forwarded: SIGCHLD is the init's own business; the synchronous ones are faults of the init itself. */
static int kept(int sig) {
  return sig == SIGCHLD || sig == SIGKILL || sig == SIGSTOP || sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS ||
         sig == SIGABRT || sig == SIGTRAP || sig == SIGSYS || sig == SIGTTIN || sig == SIGTTOU;
}

int main(int argc, char **argv) {
  const char *workdir = NULL, *user = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) workdir = argv[++i];
    else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) user = argv[++i];
    else if (argv[i][0] == '-') {
      fprintf(stderr, "isobench-init: unknown option %s\nusage: isobench-init [-w DIR] [-u UID:GID[:GIDS]] [--] CMD [ARG...]\n", argv[i]);
      return 2;
    } else break;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: isobench-init [-w DIR] [-u UID:GID[:GIDS]] [--] CMD [ARG...]\n");
    return 2;
  }
  uid_t uid = 0;
  gid_t gid = 0, groups[MAX_GROUPS];
  int ngroups = 0;
  if (user && parse_user(user, &uid, &gid, groups, &ngroups) < 0) {
    fprintf(stderr, "isobench-init: -u %s: expected UID:GID[:GID,...]\n", user);
    return 2;
  }

  const char *env_name = getenv("ISOBENCH_NAME");
  char name[256];
  snprintf(name, sizeof name, "%s", env_name && *env_name ? env_name : "workload");
  for (char *c = name; *c; c++)
    if (*c == '\n' || *c == '\r' || *c == ' ' || *c == '\t') *c = '_';
  const char *ready = getenv("ISOBENCH_READY");
  int marker = !ready || strcmp(ready, "marker") == 0;
  unsetenv("ISOBENCH_NAME");
  unsetenv("ISOBENCH_READY");

  sigset_t all, old;
  sigfillset(&all);
  for (int s = 1; s < NSIG; s++)
    if (kept(s) && s != SIGCHLD) sigdelset(&all, s);
  sigprocmask(SIG_SETMASK, &all, &old);
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  say("ISOBENCH init %s\n", name, 0);
  if (marker) say("ISOBENCH ready %s\n", name, 0);

  pid_t child = fork();
  if (child < 0) {
    fail("fork", NULL);
    say("ISOBENCH exit %d\n", NULL, 126);
    return 126;
  }
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (workdir && chdir(workdir) < 0) {
      if (errno != ENOENT || mkdirs(workdir) < 0 || chdir(workdir) < 0) {
        fail("working directory", workdir);
        _exit(126);
      }
    }
    if (user) {
      if (setgroups(ngroups, groups) < 0 && errno != EPERM) {
        fail("setgroups for", user);
        _exit(126);
      }
      if (setgid(gid) < 0 || setuid(uid) < 0) {
        fail("switching to user", user);
        _exit(126);
      }
    }
    execvp(argv[i], argv + i);
    int e = errno;
    fail("exec", argv[i]);
    _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
  }

  int code = -1;
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    for (;;) {
      int status;
      pid_t p = waitpid(-1, &status, WNOHANG);
      if (p <= 0) break;
      if (p == child) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (code >= 0) break;
  }
  say("ISOBENCH exit %d\n", NULL, code);
  return code;
}
