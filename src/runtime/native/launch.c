/*
 * isobench-launch: how the process arm starts a workload so that nothing it starts outlives
 * isobench, with no isolation added (no namespace, no limit, no filter): the baseline stays a bare
 * process. It is the workload's parent and stays so, like a container's shim:
 *
 *   isobench-launch --parent PID [--cgroup DIR]... [--cpus LIST] [TIMING] -- ARGV...
 *   isobench-launch --parent PID --exec [TIMING] -- ARGV...
 *
 *   --parent PID   the isobench process that spawned us: PR_SET_PDEATHSIG(SIGTERM) fires when it
 *                  dies (even by SIGKILL); if it is already gone when we look, we never start ARGV
 *   --cgroup DIR   join DIR (an existing cgroup: the run's, under isobench/) before forking, so the
 *                  workload and every descendant stay findable by `isobench prune` even when this
 *                  launcher is itself SIGKILLed (repeatable; one per hierarchy)
 *   --cpus LIST    sched_setaffinity to these CPUs ("0", "0-1,3") before forking: the process arm's
 *                  cpuset placement, inherited by the workload and all it starts
 *
 * TIMING (relay.h): startup on the kernel's clock for every arm.
 *   --timed        ARGV's stdout goes through the relay: CLOCK_MONOTONIC is read right before the
 *                  clone (fork mode) or the execve (--exec) that starts ARGV ("ISOBENCH@<ns> spawn
 *                  <pid>"), each marker line is stamped on arrival, and in fork mode the reaping is
 *                  stamped too ("reaped <code>"); with --exec a relay process of its own passes the
 *                  output on until every writer has closed it
 *   --mark PHASE=TEXT, --on-create PHASE=PATH, --on-delete PHASE=PATH   extra phases (relay.h)
 *   --hold-until PHASE   keep the output back until the PHASE marker (ready) has passed: isobench is
 *                  not woken inside the span it measures (a stop signal, the end or 1 MiB release it)
 *   --go-fd N      wait for one byte (or the end) on fd N before the start, then close it: isobench
 *                  releases the start once its own work on the spawn is done, so that work does not
 *                  compete with the instance for the CPUs inside the timed region
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
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay.h"

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

/* Block until isobench releases the start (a byte on the go fd); the fd is closed. The end of the
 * pipe without a byte is isobench gone (killed): nothing is started. */
static void await_go(int fd) {
  if (fd < 0) return;
  char b;
  ssize_t n;
  while ((n = read(fd, &b, 1)) < 0 && errno == EINTR) {}
  close(fd);
  if (n != 1) { errno = 0; die("isobench went away before releasing the start"); }
}

/* "0-1,3" → a CPU set; -1 for anything else. */
static int parse_cpus(const char *list, cpu_set_t *set) {
  CPU_ZERO(set);
  for (const char *p = list; *p;) {
    char *end;
    long a = strtol(p, &end, 10), b = a;
    if (end == p || a < 0 || a >= CPU_SETSIZE) return -1;
    if (*end == '-') {
      p = end + 1;
      b = strtol(p, &end, 10);
      if (end == p || b < a || b >= CPU_SETSIZE) return -1;
    }
    for (long c = a; c <= b; c++) CPU_SET(c, set);
    if (*end == ',') end++;
    else if (*end) return -1;
    p = end;
  }
  return CPU_COUNT(set) > 0 ? 0 : -1;
}

static struct relay relay;

/*
 * Fork mode with --timed: wait for the child as the untimed loop does, while passing its stdout on
 * (markers stamped on arrival) and the watched files' phases; a pipe readable and a signal pending
 * at once are taken in that order, so no marker written before the exit is stamped after it.
 * Returns the child's wait status; *reaped_at is when it was reaped.
 */
static int timed_wait(pid_t child, int out, int sfd, const sigset_t *old, uint64_t *reaped_at) {
  struct pollfd fds[3] = {{.fd = out, .events = POLLIN}, {.fd = relay.inotify, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
  int status = 0, done = 0;
  for (;;) {
    if (done && fds[0].fd < 0) break;
    /* Once the child is reaped, what is still in the pipe is drained for at most 2 s (its writers are gone). */
    int n = poll(fds, 3, done ? 2000 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (fds[0].revents) {
      long got = relay_pump(&relay, out);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) fds[0].fd = -1; /* EOF, or isobench is gone */
    }
    if (fds[1].revents && relay_on_inotify(&relay) < 0) fds[1].fd = -1;
    if (fds[2].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {
        if ((int)si.ssi_signo != SIGCHLD) {
          relay_flush(&relay, relay_now()); /* what was held reaches isobench before we go */
          end_subtree();
          sigprocmask(SIG_SETMASK, old, NULL);
          signal((int)si.ssi_signo, SIG_DFL);
          raise((int)si.ssi_signo);
          _exit(128 + (int)si.ssi_signo);
        }
      }
      int st;
      pid_t got;
      while ((got = waitpid(-1, &st, WNOHANG)) > 0)
        if (got == child) status = st, done = 1, *reaped_at = relay_now();
      if ((got < 0 && errno == ECHILD) || done) {
        done = 1;
        fds[2].fd = -1;
        /* Orphans holding the pipe go now, so that it reaches its end. */
        if (!(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)) end_subtree();
      }
    }
  }
  relay_flush(&relay, relay_now());
  return status;
}

int main(int argc, char **argv) {
  const char *cgroups[MAXCG], *cpus = NULL;
  int n_cg = 0, i = 1, exec_only = 0, timed = 0, go_fd = -1;
  pid_t parent = 0;
  relay_init(&relay, 1);
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) { i++; break; }
    if (strcmp(argv[i], "--exec") == 0) { exec_only = 1; continue; }
    if (strcmp(argv[i], "--timed") == 0) { timed = 1; continue; }
    if (i + 1 >= argc) { errno = 0; die("%s needs a value", argv[i]); }
    if (strcmp(argv[i], "--parent") == 0) parent = (pid_t)atoi(argv[++i]);
    else if (strcmp(argv[i], "--cgroup") == 0) {
      if (n_cg >= MAXCG) { errno = 0; die("too many --cgroup"); }
      cgroups[n_cg++] = argv[++i];
    } else if (strcmp(argv[i], "--cpus") == 0) cpus = argv[++i];
    else if (strcmp(argv[i], "--go-fd") == 0) go_fd = atoi(argv[++i]);
    else if (strcmp(argv[i], "--hold-until") == 0) relay_hold(&relay, argv[++i]);
    else if (strcmp(argv[i], "--mark") == 0) {
      if (relay_add_mark(&relay, argv[++i]) < 0) { errno = 0; die("--mark wants PHASE=TEXT (at most %d)", RELAY_MAX_MARKS); }
    } else if (strcmp(argv[i], "--on-create") == 0 || strcmp(argv[i], "--on-delete") == 0) {
      int del = argv[i][5] == 'd';
      if (relay_add_watch(&relay, argv[++i], del) < 0) { errno = 0; die("--on-create/--on-delete want PHASE=/ABSOLUTE/PATH (at most %d)", RELAY_MAX_MARKS); }
    } else { errno = 0; die("unknown option %s", argv[i]); }
  }
  if (i >= argc) { errno = 0; die("usage: isobench-launch --parent PID [--cgroup DIR]... -- ARGV..."); }
  if (parent <= 0) { errno = 0; die("--parent is required"); }
  /* A process group of its own (isobench stops an instance by its group), in isobench's session:
   * started with a session of its own (setsid, node's `detached`) it would be in a new autogroup
   * (sched_autogroup), a fresh scheduling entity that waits behind the host's load — a `sh init :`
   * read 3.6 ms (median) from spawn to ready that way against 0.66 ms in isobench's autogroup and
   * 0.79 ms under hyperfine -N, interleaved, load 12 on 2 cores. */
  if (getpgrp() != getpid() && setpgid(0, 0) < 0) die("setpgid");
  cpu_set_t cpuset;
  if (cpus && parse_cpus(cpus, &cpuset) < 0) { errno = 0; die("--cpus %s: expected a CPU list such as 0 or 0-1,3", cpus); }
  if (exec_only) {
    int ctl = timed ? relay_fork(&relay) : -1;
    if (timed && ctl < 0) die("start the relay");
    if (cpus && sched_setaffinity(0, sizeof cpuset, &cpuset) < 0) die("sched_setaffinity %s", cpus);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("PR_SET_PDEATHSIG");
    if (getppid() != parent) { errno = 0; die("parent %d already gone", (int)parent); }
    await_go(go_fd);
    if (timed) relay_exec(ctl, argv + i);
    else execvp(argv[i], argv + i);
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
  /* SIGPIPE too: with --timed a write to an isobench that is gone must not kill us before the
   * workload's subtree is ended; it is taken as a stop signal (the child gets the old mask back). */
  sigaddset(&block, SIGPIPE);
  sigprocmask(SIG_BLOCK, &block, &old);
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) die("PR_SET_PDEATHSIG");
  if (getppid() != parent) { errno = 0; die("parent %d already gone", (int)parent); }
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("PR_SET_CHILD_SUBREAPER");
  for (int c = 0; c < n_cg; c++) join_cgroup(cgroups[c]);
  if (cpus && sched_setaffinity(0, sizeof cpuset, &cpuset) < 0) die("sched_setaffinity %s", cpus);

  int out[2] = {-1, -1}, sfd = -1;
  if (timed) {
    if (pipe2(out, O_CLOEXEC) < 0) die("pipe");
    sfd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) die("signalfd");
    if (relay_start_watches(&relay) < 0) die("inotify");
  }
  /* Right before the clone that starts the instance. vfork, as posix_spawn (and so hyperfine) does:
   * no page tables to copy, we wait until the child has exec'd (≈ 50 µs less than fork here). The
   * child only sets its mask, its stdout and execs, or _exits. */
  await_go(go_fd);
  uint64_t t0 = relay_now();
  pid_t child = vfork();
  if (child < 0) die("vfork");
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (timed && dup2(out[1], 1) < 0) die("dup2");
    execvp(argv[i], argv + i);
    int e = errno;
    dprintf(2, "isobench-launch: exec %s: %s\n", argv[i], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }

  int status = 0, done = 0;
  if (timed) {
    close(out[1]);
    char pidtext[24];
    snprintf(pidtext, sizeof pidtext, "%d", (int)child);
    relay_emit(&relay, t0, "spawn", pidtext);
    uint64_t reaped_at = 0;
    status = timed_wait(child, out[0], sfd, &old, &reaped_at);
    char code[24];
    snprintf(code, sizeof code, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    relay_emit(&relay, reaped_at, "reaped", code);
    done = 1;
  }
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
  if (!timed && !(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)) end_subtree();
  if (WIFSIGNALED(status)) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
