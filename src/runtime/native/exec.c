/* isobench-runtime: exec (see exec.h). */
#define _GNU_SOURCE
#include "exec.h"
#include "create.h"
#include "process.h"
#include "seccomp-oci.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
  int type;
  const char *name;
} ns_files[] = {{CLONE_NEWUSER, "user"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"}, {CLONE_NEWNET, "net"},
                {CLONE_NEWTIME, "time"}, {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWNS, "mnt"}};

/* The process: --process FILE, or the container's own with the command line's changes. */
static void build_process(const struct exec_opts *o, const struct spec *s, struct process_spec *p) {
  if (o->process_file) {
    char *text = read_file(o->process_file, NULL);
    if (!text) die("--process %s", o->process_file);
    json_error_t e;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!j) diex("%s: line %d: %s", o->process_file, e.line, e.text);
    if (!json_is_object(j)) diex("%s: expected an OCI process object", o->process_file);
    spec_set_source(o->process_file);
    memset(p, 0, sizeof *p);
    spec_parse_process(p, j, "process");
    free(text);
    return;
  }
  *p = s->process;
  if (!o->args || !o->args[0]) diex("exec: a command is required (or --process FILE)");
  p->args = o->args;
  for (p->n_args = 0; o->args[p->n_args]; p->n_args++) {}
  if (o->n_env) {
    char **env = xcalloc((size_t)(p->n_env + o->n_env + 1), sizeof *env);
    memcpy(env, p->env, (size_t)p->n_env * sizeof *env);
    for (int i = 0; i < o->n_env; i++) env[p->n_env + i] = o->env[i];
    p->env = env;
    p->n_env += o->n_env;
  }
  if (o->cwd) p->cwd = (char *)o->cwd;
  if (o->user) {
    unsigned u, g = 0;
    int n = sscanf(o->user, "%u:%u", &u, &g);
    if (n < 1) diex("--user %s: expected UID[:GID]", o->user);
    p->uid = u;
    p->gid = n == 2 ? g : 0;
    p->n_gids = 0;
  }
  p->terminal = o->tty;
  if (o->no_new_privs) p->no_new_privileges = true;
  if (o->apparmor) p->apparmor_profile = (char *)o->apparmor;
  for (int i = 0; i < o->n_caps; i++) {
    int c = cap_from_name(o->caps[i]);
    if (c < 0) diex("--cap %s: unknown capability", o->caps[i]);
    p->has_caps = true;
    for (int k = 0; k < 5; k++) p->caps[k] |= 1ULL << c;
  }
}

static volatile pid_t forward_to;
static void forward(int sig) {
  if (forward_to > 0) kill(forward_to, sig);
}

int cmd_exec(const struct exec_opts *o) {
  struct state st;
  state_load(o->root, o->id, &st);
  enum status now = state_status(&st);
  if (now == ST_STOPPED) diex("cannot exec in a stopped container");
  /* its namespaces and rootfs are not final until READY (test/integration/hostile/exec-race) */
  if (now == ST_CREATING) diex("cannot exec in a container that is still being created");
  struct spec s;
  state_spec(&st, &s);
  struct process_spec p;
  build_process(o, &s, &p);
  if (p.n_args == 0) diex("process.args: expected at least one argument");
  proc_check(&p);
  if (p.terminal && !o->console_socket) diex("process.terminal: a terminal needs --console-socket");
  struct sock_fprog prog;
  unsigned sflags = 0;
  bool has_seccomp;
  seccomp_cached(&s, o->root, &prog, &sflags, &has_seccomp);
  int console = p.terminal ? console_connect(o->console_socket) : -1;

  /* the init's namespaces that differ from ours */
  int fds[8], types[8], n = 0;
  for (size_t i = 0; i < sizeof ns_files / sizeof *ns_files; i++) {
    char a[64], b[64];
    snprintf(a, sizeof a, "/proc/%d/ns/%s", (int)st.pid, ns_files[i].name);
    snprintf(b, sizeof b, "/proc/self/ns/%s", ns_files[i].name);
    struct stat sa, sb;
    if (stat(a, &sa) < 0) {
      if (errno == ENOENT && ns_files[i].type == CLONE_NEWTIME) continue;
      die("open %s", a);
    }
    if (stat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev) continue;
    fds[n] = open(a, O_RDONLY | O_CLOEXEC);
    if (fds[n] < 0) die("open %s", a);
    types[n++] = ns_files[i].type;
  }
  bool userns = n > 0 && types[0] == CLONE_NEWUSER;
  char pidns[64];
  snprintf(pidns, sizeof pidns, "/proc/%d/ns/pid", (int)st.pid);
  int pfd = open(pidns, O_RDONLY | O_CLOEXEC);
  if (pfd < 0 || setns(pfd, CLONE_NEWPID) < 0) die("join the pid namespace of %d", (int)st.pid);
  close(pfd);

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    close(sv[0]);
    error_fd = sv[1];
    die_code = 126;
    int host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cg_join_self(&st.cg, true, host_root);
    close(host_root);
    for (int i = 0; i < n; i++)
      if (setns(fds[i], types[i]) < 0) die("join the container's namespaces (%d of %d)", i + 1, n);
    if (userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) die("become root in the container's user namespace");
    umask(p.umask);
    if (p.terminal) console_setup(console, p.console_height, p.console_width);
    proc_apply_limits(&p);
    if (p.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("process.noNewPrivileges");
    if (syscall(SYS_close_range, 3 + o->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) die("mark inherited fds close-on-exec");
    if (has_seccomp && !p.no_new_privileges && oci_seccomp_install(&prog, sflags) < 0) die("linux.seccomp: install the filter");
    proc_set_user_and_caps(&p);
    if (chdir(p.cwd) < 0) die("process.cwd: chdir %s", p.cwd);
    char err[1024];
    char *path = proc_lookup(&p, err, sizeof err);
    if (!path) {
      die_code = errno == EACCES ? 126 : 127;
      diex("%s", err);
    }
    if (has_seccomp && p.no_new_privileges && oci_seccomp_install(&prog, sflags) < 0) die("linux.seccomp: install the filter");
    die_code = 127;
    proc_exec(&p, path);
  }
  close(sv[1]);
  for (int i = 0; i < n; i++) close(fds[i]);
  if (console >= 0) close(console);
  /* its end closes when it execs; a message means it failed */
  char buf[4200];
  ssize_t r;
  while ((r = recv(sv[0], buf, sizeof buf - 1, 0)) < 0 && errno == EINTR) {}
  if (r > 0) {
    buf[r] = 0;
    int status = 0;
    waitpid(child, &status, 0);
    die_code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAIL;
    diex("%s", buf + 1);
  }
  close(sv[0]);
  if (o->pid_file) {
    char b[32];
    int k = snprintf(b, sizeof b, "%d", (int)child);
    if (write_file_atomic(o->pid_file, b, (size_t)k, 0644) < 0) die("--pid-file %s", o->pid_file);
  }
  if (o->detach) return 0;
  forward_to = child;
  struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART};
  sigemptyset(&sa.sa_mask);
  static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) die("wait");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
