/*
 * isobench-launch: how the process arm starts a workload so that nothing it starts outlives
 * isobench, with no isolation added (no namespace, no limit, no filter): the baseline stays a bare
 * process. It is the workload's parent and stays so, like a container's shim:
 *
 *   isobench-launch --parent PID [--cgroup DIR]... -- ARGV...
 *   isobench-launch --parent PID --exec -- ARGV...
 *
 *   --parent PID   the isobench process that spawned us: PR_SET_PDEATHSIG(SIGTERM) fires when it
 *                  dies (even by SIGKILL); if it is already gone when we look, we never start ARGV
 *   --cgroup DIR   join DIR (an existing cgroup: the run's, under isobench/) before forking, so the
 *                  workload and every descendant stay findable by `isobench prune` even when this
 *                  launcher is itself SIGKILLed (repeatable; one per hierarchy)
 *
 * It is a child subreaper (PR_SET_CHILD_SUBREAPER), so whatever the workload daemonizes is
 * reparented to it and stays in its subtree. On SIGTERM, SIGINT or SIGHUP (the parent-death signal
 * among them), and when ARGV itself exits, it SIGKILLs every process left in its subtree — its
 * direct children, round by round, as their orphans come back to it: never a walk of all of /proc,
 * which 300 launchers dying at once turned into minutes of CPU — reaps them, and exits with ARGV's
 * status: its exit code, or ARGV's terminating signal re-raised.
 * With --exec it only sets PR_SET_PDEATHSIG(SIGKILL), checks the parent, and execs ARGV in its own
 * place (same pid; for qemu, whose pid is the instance's): what `setpriv --pdeathsig KILL` does,
 * without its race (a parent that died before the prctl never sends the signal; --parent catches it).
 * Errors: "isobench-launch: <what>: <errno text>" on stderr, exit 125; ARGV not found: 127.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXCG 16
#define MAXPROCS 16384

static void die(const char *fmt, ...) {
  int e = errno;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  dprintf(2, "isobench-launch: %s%s%s\n", buf, e ? ": " : "", e ? strerror(e) : "");
  _exit(125);
}

/* Our direct children, from /proc/self/task/<tid>/children (the kernel's list: no walk of /proc). */
static int children_of_self(pid_t *out, int max) {
  char path[64], buf[65536];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t len = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (len < 0) return -1;
  buf[len] = 0;
  int n = 0;
  for (char *p = buf; *p && n < max;) {
    char *end;
    long pid = strtol(p, &end, 10);
    if (end == p) break;
    out[n++] = (pid_t)pid;
    p = end;
  }
  return n;
}

static pid_t kids[MAXPROCS];

/*
 * SIGKILL everything under us and reap it. As a subreaper, each process whose parent dies is
 * reparented to us, so killing our direct children round by round reaches every descendant (one
 * round per level of the tree), reading only our own children list each time. Bounded: 200 rounds
 * of at most 10 ms, then we exit anyway (whatever is left is still in the run's cgroup, for prune).
 */
static void end_subtree(void) {
  for (int round = 0; round < 200; round++) {
    int n = children_of_self(kids, MAXPROCS);
    if (n <= 0) {
      if (n < 0) kill(0, SIGKILL); /* no children list (CONFIG_PROC_CHILDREN off): the process group, us included */
      break;
    }
    for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
    for (int waited = 0; waited < 10; waited++) {
      while (waitpid(-1, NULL, WNOHANG) > 0) {}
      if (children_of_self(kids, MAXPROCS) == 0) break;
      usleep(1000);
    }
  }
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

static void join_cgroup(const char *dir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "0", 1) != 1) die("join %s", path); /* "0": the writing process */
  close(fd);
}

int main(int argc, char **argv) {
  const char *cgroups[MAXCG];
  int n_cg = 0, i = 1, exec_only = 0;
  pid_t parent = 0;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) { i++; break; }
    if (strcmp(argv[i], "--exec") == 0) { exec_only = 1; continue; }
    if (i + 1 >= argc) { errno = 0; die("%s needs a value", argv[i]); }
    if (strcmp(argv[i], "--parent") == 0) parent = (pid_t)atoi(argv[++i]);
    else if (strcmp(argv[i], "--cgroup") == 0) {
      if (n_cg >= MAXCG) { errno = 0; die("too many --cgroup"); }
      cgroups[n_cg++] = argv[++i];
    } else { errno = 0; die("unknown option %s", argv[i]); }
  }
  if (i >= argc) { errno = 0; die("usage: isobench-launch --parent PID [--cgroup DIR]... -- ARGV..."); }
  if (parent <= 0) { errno = 0; die("--parent is required"); }
  if (exec_only) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
    if (getppid() != parent) { errno = 0; die("parent %d already gone", (int)parent); }
    execvp(argv[i], argv + i);
    int e = errno;
    dprintf(2, "isobench-launch: exec %s: %s\n", argv[i], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }

  /* The stop signals and SIGCHLD stay blocked and are taken with sigwaitinfo: no handler, no race
   * between a check and a wait. (A blocked SIGCHLD is queued even though its default is "ignore".) */
  int stops[] = {SIGTERM, SIGINT, SIGHUP};
  sigset_t block, old;
  sigemptyset(&block);
  for (size_t s = 0; s < sizeof stops / sizeof *stops; s++) sigaddset(&block, stops[s]);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) die("PR_SET_PDEATHSIG");
  if (getppid() != parent) { errno = 0; die("parent %d already gone", (int)parent); }
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("PR_SET_CHILD_SUBREAPER");
  for (int c = 0; c < n_cg; c++) join_cgroup(cgroups[c]);

  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(argv[i], argv + i);
    int e = errno;
    dprintf(2, "isobench-launch: exec %s: %s\n", argv[i], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }

  int status = 0, done = 0;
  while (!done) {
    siginfo_t info;
    int sig = sigwaitinfo(&block, &info);
    if (sig < 0) continue; /* EINTR */
    if (sig != SIGCHLD) {
      end_subtree();
      sigprocmask(SIG_SETMASK, &old, NULL);
      signal(sig, SIG_DFL);
      raise(sig); /* unblocked and default: we end by it, as `timeout` does */
      _exit(128 + sig);
    }
    int st;
    pid_t got;
    while ((got = waitpid(-1, &st, WNOHANG)) > 0) /* our child, or orphans reparented to us */
      if (got == child) status = st, done = 1;
    if (got < 0 && errno == ECHILD) done = 1;
  }
  /* What the workload left behind goes with it, as a container's pid namespace would. Its orphans
   * are our children now (subreaper): with none (ECHILD, the usual case) there is nothing to do. */
  if (!(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)) end_subtree();
  if (WIFSIGNALED(status)) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
