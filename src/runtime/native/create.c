/* isobench-runtime: create and run (see create.h). */
#define _GNU_SOURCE
#include "create.h"
#include "cgroups.h"
#include "hooks.h"
#include "loopback.h"
#include "mounts.h"
#include "phases.h"
#include "process.h"
#include "seccomp-oci.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1

/* Messages, one byte (+ payload): init → runtime in capitals, runtime → init in lower case. */
enum { M_MAPS = 'U', M_PID = 'P', M_HOOKS = 'H', M_READY = 'R', M_ERROR = 'E' };
enum { A_MAPS = 'u', A_NET = 'n', A_CGROUPS = 'c', A_HOOKS = 'h', A_PID = 'i' };

struct init_ctx {
  const struct spec *s;
  const struct create_opts *o;
  struct cgroups *cg;
  int sock, fifo_fd, console_fd, host_root;
  pid_t runtime_pid, host_pid;
  bool userns, userns_new, userns_in_clone, two_stage, net_trick, cgroupns_new, in_v2_cgroup;
  bool has_seccomp;
  struct sock_fprog seccomp;
  unsigned seccomp_flags;
};

static struct init_ctx *IC;
static unsigned acks;

/* Send one message; -1 when the other end is gone (the init then exits; the runtime reads why). */
static int send_msg(int fd, char tag, const char *data) {
  char buf[256];
  buf[0] = tag;
  size_t n = data ? strlen(data) : 0;
  if (n > sizeof buf - 2) n = sizeof buf - 2;
  if (n) memcpy(buf + 1, data, n);
  while (send(fd, buf, n + 1, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) return -1;
  return 0;
}

/* In the init: the runtime is gone, nothing to do but exit. */
static void init_send(char tag, const char *data) {
  if (send_msg(IC->sock, tag, data) < 0) _exit(die_code);
}

/* In the init: wait for the runtime's message `tag` (others that arrive first are remembered). */
static void wait_ack(char tag) {
  while (!(acks & (1u << (tag - 'a')))) {
    char buf[64];
    ssize_t n = recv(IC->sock, buf, sizeof buf - 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(die_code); /* the runtime gave up (it reports why) */
    buf[n] = 0;
    if (buf[0] == A_PID) IC->host_pid = (pid_t)atoi(buf + 1);
    if (buf[0] >= 'a' && buf[0] <= 'z') acks |= 1u << (buf[0] - 'a');
  }
}

/* ---------- the init ---------- */

/* Join the network namespace the runtime made (through the host's /proc: this may run after the pivot). */
static void join_runtime_netns(void) {
  static bool done;
  if (done || !IC->net_trick) return;
  done = true;
  wait_ack(A_NET);
  char p[64];
  snprintf(p, sizeof p, "proc/%d/ns/net", (int)IC->runtime_pid);
  int fd = openat(IC->host_root, p, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) die("join the network namespace /%s", p);
  close(fd);
}

/* The runtime made the cgroups: move in (see cg_join_self: a self-move skips a grace period). */
static void wait_cgroups(void) {
  static bool done;
  if (done) return;
  done = true;
  wait_ack(A_CGROUPS);
  /* in a user namespace the init cannot write the host's cgroup files: the runtime moved it */
  if (!IC->userns) cg_join_self(IC->cg, !IC->in_v2_cgroup, IC->host_root);
}

static const char *ns_name(int type) {
  switch (type) {
  case CLONE_NEWPID: return "pid";
  case CLONE_NEWNET: return "network";
  case CLONE_NEWNS: return "mount";
  case CLONE_NEWIPC: return "ipc";
  case CLONE_NEWUTS: return "uts";
  case CLONE_NEWUSER: return "user";
  case CLONE_NEWCGROUP: return "cgroup";
  default: return "time";
  }
}

static void setns_path(const struct ns_spec *n) {
  int fd = open(n->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("linux.namespaces: open the %s namespace %s", ns_name(n->type), n->path);
  if (setns(fd, n->type) < 0) die("linux.namespaces: join the %s namespace %s", ns_name(n->type), n->path);
  close(fd);
}

/* Join every namespace given by path but user and pid (the runtime joined pid); mount last:
 * it moves our root and cwd. */
static void join_paths(const struct spec *s) {
  const struct ns_spec *mnt = NULL;
  for (int i = 0; i < s->n_namespaces; i++) {
    const struct ns_spec *n = &s->namespaces[i];
    if (!n->path || n->type == CLONE_NEWUSER || n->type == CLONE_NEWPID) continue;
    if (n->type == CLONE_NEWNS) mnt = n;
    else setns_path(n);
  }
  if (mnt) setns_path(mnt);
}

static void become_root(void) {
  if (setresgid(0, 0, 0) < 0) die("linux.gidMappings: become gid 0 in the user namespace (is it mapped?)");
  if (setresuid(0, 0, 0) < 0) die("linux.uidMappings: become uid 0 in the user namespace (is it mapped?)");
}

static int new_flags(const struct spec *s, int except) {
  int f = 0;
  for (int i = 0; i < s->n_namespaces; i++)
    if (!s->namespaces[i].path) f |= s->namespaces[i].type;
  return f & ~except;
}

/* Joins and user namespace by unshare, in runc's order; forks the init when its pid namespace is new. */
static void stage1(struct init_ctx *c) {
  const struct spec *s = c->s;
  const struct ns_spec *u = spec_ns(s, CLONE_NEWUSER);
  if (u && u->path) setns_path(u);
  join_paths(s);
  if (c->userns_new) {
    if (unshare(CLONE_NEWUSER) < 0) die("linux.namespaces: new user namespace");
    init_send(M_MAPS, NULL);
    wait_ack(A_MAPS);
  }
  if (c->userns) become_root();
  int flags = new_flags(s, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME | (c->net_trick ? CLONE_NEWNET : 0));
  if (flags && unshare(flags) < 0) die("linux.namespaces: unshare");
  if (new_flags(s, 0) & CLONE_NEWPID) {
    if (unshare(CLONE_NEWPID) < 0) die("linux.namespaces: new pid namespace");
    pid_t p = fork();
    if (p < 0) die("fork the container init");
    if (p > 0) {
      char b[32];
      snprintf(b, sizeof b, "%d", (int)p);
      init_send(M_PID, b);
      _exit(0);
    }
  } else {
    init_send(M_PID, "0");
  }
}

/* One phase marker line on the init's stdout (org.isobench.phases): a single write, so lines never interleave. */
static void phase(const struct spec *s, const char *name) {
  if (!s->phase_markers) return;
  char line[64];
  int n = snprintf(line, sizeof line, PHASE_MARKER_PREFIX "%s\n", name);
  if (write(1, line, (size_t)n) < 0) { /* a closed stdout loses a marker, never the container */ }
}

static _Noreturn void init_main(struct init_ctx *c) {
  const struct spec *s = c->s;
  const struct process_spec *p = &s->process;
  IC = c;
  error_fd = c->sock;
  /* tied to the runtime, which is tied to its parent: the whole container goes if they do */
  if (c->o->pdeathsig && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die("pdeathsig");
  trace("child start");
  if (!c->two_stage) phase(s, PHASE_NAMESPACES); /* cloned into its new namespaces (two stages: after stage1's unshare) */
  if (c->two_stage) stage1(c);
  else {
    if (c->userns_in_clone) {
      wait_ack(A_MAPS);
      become_root();
    }
    join_paths(s);
  }
  if (c->two_stage) phase(s, PHASE_NAMESPACES);
  if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) die("hostname: sethostname");
  if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0) die("domainname: setdomainname");
  struct rootfs_hooks h = {.before_sysfs = join_runtime_netns, .before_cgroup = wait_cgroups};
  int tail = rootfs_prepare(s, c->cg, c->userns, &h, c->net_trick);
  trace("child rootfs prepared");
  phase(s, PHASE_ROOTFS);
  if (tail >= s->n_mounts) join_runtime_netns();
  if (s->hooks[HOOK_PRESTART].n || s->hooks[HOOK_CREATE_RUNTIME].n) {
    init_send(M_HOOKS, NULL);
    wait_ack(A_HOOKS);
  }
  if (s->hooks[HOOK_CREATE_CONTAINER].n) {
    wait_ack(A_PID);
    char err[1024], *st = hook_state(c->o->id, "created", c->host_pid, c->o->bundle, s->annotations);
    if (hooks_run(&s->hooks[HOOK_CREATE_CONTAINER], "createContainer", st, err, sizeof err) < 0) diex("%s", err);
    free(st);
  }
  rootfs_enter(s, c->o->no_pivot);
  trace("child pivoted");
  phase(s, PHASE_PIVOT_ROOT);
  rootfs_mount_tail(s, c->cg, c->userns, &h, tail);
  join_runtime_netns();
  wait_cgroups();
  close(c->host_root);
  if (c->cgroupns_new && unshare(CLONE_NEWCGROUP) < 0) die("linux.namespaces: new cgroup namespace");
  trace("child in cgroups");
  rootfs_finalize(s, p->cwd);
  trace("child finalized");
  umask(p->umask);
  if (!c->o->no_new_keyring) syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL); /* a fresh session keyring; ENOSYS/EPERM are fine */
  if (s->has_personality && personality(s->personality) < 0) die("linux.personality");
  if (p->terminal) console_setup(c->console_fd, p->console_height, p->console_width);
  else setsid();
  proc_apply_limits(p);
  if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("process.noNewPrivileges");
  if (syscall(SYS_close_range, 3 + c->o->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) die("mark inherited fds close-on-exec");
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the capabilities go (runc's
   * order); the filter must then allow what is left to do here (Docker's does). */
  trace("child before seccomp");
  if (c->has_seccomp && !p->no_new_privileges && oci_seccomp_install(&c->seccomp, c->seccomp_flags) < 0) die("linux.seccomp: install the filter");
  trace("child seccomp installed");
  proc_set_user_and_caps(p);
  /* a change of credentials clears the parent-death signal: set it again */
  if (c->o->pdeathsig && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die("pdeathsig");
  if (chdir(p->cwd) < 0) die("process.cwd: chdir %s", p->cwd);
  char err[1024];
  char *path = proc_lookup(p, err, sizeof err);
  if (!path) {
    die_code = errno == EACCES ? 126 : 127;
    diex("%s", err);
  }
  trace("child ready");
  init_send(M_READY, NULL);
  if (!c->o->run) {
    /* Set up, waiting for `start`: opening the fifo blocks until start opens its other end. */
    error_fd = -1;
    char fp[64];
    snprintf(fp, sizeof fp, "/proc/self/fd/%d", c->fifo_fd);
    int w = open(fp, O_WRONLY | O_CLOEXEC);
    if (w < 0) die("open the exec fifo");
    if (write(w, "0", 1) != 1) die("write the exec fifo");
    close(w);
    close(c->fifo_fd);
  }
  if (s->hooks[HOOK_START_CONTAINER].n) {
    char *st = hook_state(c->o->id, "running", c->host_pid, c->o->bundle, s->annotations);
    if (hooks_run(&s->hooks[HOOK_START_CONTAINER], "startContainer", st, err, sizeof err) < 0) diex("%s", err);
    free(st);
  }
  if (c->has_seccomp && p->no_new_privileges && oci_seccomp_install(&c->seccomp, c->seccomp_flags) < 0) die("linux.seccomp: install the filter");
  die_code = 127;
  phase(s, PHASE_EXEC);
  proc_exec(p, path);
}

/* ---------- the runtime's side ---------- */

static struct {
  const char *dir;
  pid_t child, init;
  struct cgroups *cg;
  bool dir_made;
} undo;

/* Something failed after the state dir was made: kill the init, remove what we made, report. */
static _Noreturn void abort_create(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void abort_create(const char *fmt, ...) {
  char msg[4200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (undo.init > 0) kill(undo.init, SIGKILL);
  if (undo.child > 0) {
    kill(undo.child, SIGKILL);
    waitpid(undo.child, NULL, 0);
  }
  if (undo.cg) cg_destroy(undo.cg);
  if (undo.dir_made) rm_rf(undo.dir);
  diex("%s", msg);
}

static void write_maps(pid_t pid, const struct spec *s) {
  static const char *const files[2] = {"uid_map", "gid_map"};
  for (int k = 0; k < 2; k++) {
    const struct idmap *m = k ? s->gid_mappings : s->uid_mappings;
    int n = k ? s->n_gid_mappings : s->n_uid_mappings;
    if (n == 0) continue;
    char buf[4096] = "", path[64];
    size_t l = 0;
    for (int i = 0; i < n && l < sizeof buf - 40; i++) l += (size_t)snprintf(buf + l, sizeof buf - l, "%u %u %u\n", m[i].container, m[i].host, m[i].size);
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, files[k]);
    if (write_file(path, buf, l) < 0) abort_create("linux.%s: write %s: %s", k ? "gidMappings" : "uidMappings", path, strerror(errno));
  }
}

/* One message from the init; tag 0 when it closed its end (exec'd or died). */
static char recv_msg(int fd, char *payload, size_t n) {
  char buf[4200];
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof buf - 1, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    buf[r] = 0;
    snprintf(payload, n, "%s", buf + 1);
    return buf[0];
  }
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* linux.seccomp → BPF: compiled once per profile and kept under <root>/.seccomp (libseccomp takes
 * milliseconds for Docker's profile; reading the program back takes microseconds). */
void seccomp_cached(const struct spec *s, const char *root, struct sock_fprog *prog, unsigned *fl, bool *has) {
  *has = false;
  if (!s->seccomp && !s->seccomp_text) return;
  /* the key: the profile's bytes as written (or, parsed, a canonical dump) */
  char *key = s->seccomp_text ? xstrdup(s->seccomp_text) : json_dumps(s->seccomp, JSON_COMPACT | JSON_SORT_KEYS);
  char *dir = xasprintf("%s/.seccomp", root);
  char *bpf = xasprintf("%s/%016llx-%zu.bpf", dir, (unsigned long long)fnv1a(key), strlen(key));
  char *flags = xasprintf("%s/%016llx-%zu.flags", dir, (unsigned long long)fnv1a(key), strlen(key));
  char err[1024];
  char *ft = read_file(flags, NULL);
  if (ft && oci_seccomp_read_bpf(bpf, prog, err, sizeof err) == 0) {
    *fl = (unsigned)strtoul(ft, NULL, 10);
  } else {
    json_t *json = s->seccomp;
    if (!json) {
      json_error_t je;
      json = json_loadb(s->seccomp_text, s->seccomp_len, JSON_REJECT_DUPLICATES, &je);
      if (!json) diex("config.json: linux.seccomp: %s", je.text);
      if (!json_is_object(json)) diex("config.json: linux.seccomp: expected an object");
    }
    if (oci_seccomp_compile(json, prog, fl, err, sizeof err) < 0) diex("config.json: linux.seccomp: %s", err);
    char fl_text[16];
    snprintf(fl_text, sizeof fl_text, "%u", *fl);
    if (mkdir(dir, 0700) == 0 || errno == EEXIST) {
      char *tmp = xasprintf("%s.tmp-%d", bpf, (int)getpid());
      if (oci_seccomp_write_bpf(tmp, prog, err, sizeof err) == 0 && rename(tmp, bpf) == 0) write_file_atomic(flags, fl_text, strlen(fl_text), 0600);
      unlink(tmp);
      free(tmp);
    }
  }
  *has = true;
  free(ft);
  free(key);
  free(dir);
  free(bpf);
  free(flags);
}

static volatile pid_t forward_to;
static void forward(int sig) {
  if (forward_to > 0) kill(forward_to, sig);
}

static void install_forwarders(pid_t pid) {
  forward_to = pid;
  struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART};
  sigemptyset(&sa.sa_mask);
  static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPWR};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
}

static bool any_hooks(const struct spec *s) {
  for (int k = 0; k < HOOK_KINDS; k++)
    if (s->hooks[k].n) return true;
  return false;
}

int container_create(const struct create_opts *o) {
  die_code = o->run ? 125 : EXIT_FAIL;
  trace("main");
  check_id(o->id);
  if (chdir(o->bundle) < 0) die("--bundle %s", o->bundle);
  char *bundle = realpath(".", NULL);
  if (!bundle) die("--bundle %s", o->bundle);
  char *text = read_file("config.json", NULL);
  if (!text) die("read %s/config.json", bundle);
  struct spec s;
  spec_parse(&s, text, bundle, "config.json");
  if (!s.has_process) diex("config.json: process: expected an object (a container needs a process)");
  if (s.process.n_args == 0) diex("config.json: process.args: expected at least one argument");
  if (s.mount_label && *s.mount_label && access("/sys/fs/selinux/enforce", F_OK) < 0)
    diex("config.json: linux.mountLabel: SELinux is not enabled on this host (label \"%s\")", s.mount_label);
  if (s.process.terminal && !o->console_socket) diex("config.json: process.terminal: a terminal needs --console-socket");
  if (o->detach && !o->run) diex("--detach is for run");
  proc_check(&s.process);
  trace("parsed");

  struct init_ctx c = {.s = &s, .o = o, .sock = -1, .fifo_fd = -1, .console_fd = -1, .runtime_pid = getpid()};
  const struct ns_spec *u = spec_ns(&s, CLONE_NEWUSER), *net = spec_ns(&s, CLONE_NEWNET), *pidns = spec_ns(&s, CLONE_NEWPID);
  const struct ns_spec *cgns = spec_ns(&s, CLONE_NEWCGROUP), *tns = spec_ns(&s, CLONE_NEWTIME);
  bool joins = false;
  for (int i = 0; i < s.n_namespaces; i++) joins |= s.namespaces[i].path && s.namespaces[i].type != CLONE_NEWPID && s.namespaces[i].type != CLONE_NEWUSER;
  c.userns = u != NULL;
  c.userns_new = u && !u->path;
  c.two_stage = (u && u->path) || (c.userns_new && joins);
  c.userns_in_clone = c.userns_new && !c.two_stage;
  c.net_trick = net && !net->path && !u && !any_hooks(&s);
  c.cgroupns_new = cgns && !cgns->path;
  if (mkdir(o->root, 0711) < 0 && errno != EEXIST && mkdir_p(o->root, 0711) < 0) die("--root %s", o->root);
  seccomp_cached(&s, o->root, &c.seccomp, &c.seccomp_flags, &c.has_seccomp);

  /* the state dir: <root>/<id> */
  char *dir = xasprintf("%s/%s", o->root, o->id);
  if (mkdir(dir, 0711) < 0) {
    if (errno == EEXIST) diex("container %s already exists", o->id);
    die("mkdir %s", dir);
  }
  undo.dir = dir;
  undo.dir_made = true;
  /* "creating" until the init reports READY: in run mode there is no exec fifo, and without the mark
   * `state` said "running" (and a SIGKILL then read as a failed setup, 125) before the process existed. */
  char *creating = state_creating_mark(dir);
  int mark = open(creating, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (mark < 0) abort_create("create %s: %s", creating, strerror(errno));
  close(mark);
  if (!o->run) {
    char *fifo = xasprintf("%s/exec.fifo", dir);
    mode_t old = umask(0);
    if (mkfifo(fifo, 0622) < 0) abort_create("mkfifo %s: %s", fifo, strerror(errno));
    umask(old);
    c.fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
    if (c.fifo_fd < 0) abort_create("open %s: %s", fifo, strerror(errno));
    free(fifo);
  }
  if (s.process.terminal) c.console_fd = console_connect(o->console_socket);
  struct cgroups cg;
  char err[4200];
  if (cg_plan(&s, o->id, &cg, err, sizeof err) < 0) abort_create("config.json: %s", err);
  c.cg = &cg;

  if (pidns && pidns->path) {
    int fd = open(pidns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) abort_create("linux.namespaces: join the pid namespace %s: %s", pidns->path, strerror(errno));
    close(fd);
  }
  if (tns && tns->path) {
    int fd = open(tns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0) abort_create("linux.namespaces: join the time namespace %s: %s", tns->path, strerror(errno));
    close(fd);
  } else if (tns) {
    if (unshare(CLONE_NEWTIME) < 0) abort_create("linux.namespaces: new time namespace: %s", strerror(errno));
    char off[256] = "";
    size_t l = 0;
    static const char *const clocks[2] = {"monotonic", "boottime"};
    for (int k = 0; k < 2; k++)
      if (s.time_offsets[k][0] != UNSET || s.time_offsets[k][1] != UNSET)
        l += (size_t)snprintf(off + l, sizeof off - l, "%s %lld %lld\n", clocks[k], (long long)(s.time_offsets[k][0] == UNSET ? 0 : s.time_offsets[k][0]),
                              (long long)(s.time_offsets[k][1] == UNSET ? 0 : s.time_offsets[k][1]));
    if (l && write_file("/proc/self/timens_offsets", off, l) < 0) abort_create("linux.timeOffsets: %s", strerror(errno));
  }
  if (o->run && !o->detach && !o->no_subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  if (o->run && o->pdeathsig) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) abort_create("--pdeathsig: %s", strerror(errno));
    if (getppid() == 1) abort_create("--pdeathsig: the parent is already gone");
  }

  trace("preclone");
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) abort_create("socketpair: %s", strerror(errno));
  c.host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  undo.cg = &cg;
  /* A cgroup2 dir is made before the clone, and the init is cloned into it (no migration). */
  int cgfd = -1;
  if (cg.v2 >= 0) {
    if (cg_apply(&s, &cg, CG_V2, err, sizeof err) < 0) abort_create("config.json: %s", err);
    cgfd = open(cg.dirs[cg.v2], O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
  int flags = 0;
  if (!c.two_stage) flags = new_flags(&s, CLONE_NEWCGROUP | CLONE_NEWTIME | (c.net_trick ? CLONE_NEWNET : 0));
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = -1;
  if (cgfd >= 0) {
    struct clone_args ca = {.flags = (uint64_t)flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgfd};
    pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
    c.in_v2_cgroup = pid >= 0;
  }
  if (pid < 0) pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) {
    int e = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    abort_create("clone the container init (namespaces %#x): %s", flags, strerror(e));
  }
  if (pid == 0) {
    /* no handler is installed before this point: the init starts with every signal at SIG_DFL */
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(sv[0]);
    c.sock = sv[1];
    init_main(&c);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  close(sv[1]);
  close(c.host_root);
  if (cgfd >= 0) close(cgfd);
  trace("cloned");
  int sock = sv[0];
  undo.child = pid;
  if (!c.two_stage) undo.init = pid;
  if (c.userns_in_clone) {
    write_maps(pid, &s);
    send_msg(sock, A_MAPS, NULL);
  }
  if (c.net_trick) {
    if (unshare(CLONE_NEWNET) < 0) abort_create("new network namespace: %s", strerror(errno));
    if (loopback_up() < 0) abort_create("bring lo up: %s", strerror(errno));
    send_msg(sock, A_NET, NULL);
    trace("netns done");
  }
  pid_t init = pid;
  char msg[4200];
  if (c.two_stage) {
    for (;;) {
      char tag = recv_msg(sock, msg, sizeof msg);
      if (tag == M_MAPS) {
        write_maps(pid, &s);
        send_msg(sock, A_MAPS, NULL);
      } else if (tag == M_PID) {
        pid_t p = (pid_t)atoi(msg);
        if (p > 0) {
          init = p;
          waitpid(pid, NULL, 0); /* stage 1 exits; the init is reparented to us or our subreaper */
          undo.child = 0;
        }
        undo.init = init;
        break;
      } else if (tag == M_ERROR) {
        abort_create("%s", msg);
      } else {
        abort_create("the container init exited during setup");
      }
    }
  }
  char pidtxt[32];
  snprintf(pidtxt, sizeof pidtxt, "%d", (int)init);
  send_msg(sock, A_PID, pidtxt);
  if (cg_apply(&s, &cg, CG_V1, err, sizeof err) < 0) abort_create("config.json: %s", err);
  if (c.userns && cg_join(&cg, init, !c.in_v2_cgroup, err, sizeof err) < 0) abort_create("%s", err);
  send_msg(sock, A_CGROUPS, NULL);
  trace("cgroups done");
  /* state while the init finishes its setup (an abort removes it); the pid file once it is set up */
  struct state st = {.root = (char *)o->root, .id = (char *)o->id, .dir = dir, .bundle = bundle, .rootfs = s.root_path, .pid = init, .config = s.doc, .config_text = text, .cg = cg};
  char created[64];
  iso8601_now(created, sizeof created);
  st.created = created;
  if (proc_stat(init, &st.start_time, NULL) < 0) abort_create("the container init exited during setup");
  state_save(&st);
  for (;;) {
    char tag = recv_msg(sock, msg, sizeof msg);
    if (tag == M_READY) { trace("got ready"); break; }
    if (tag == M_HOOKS) {
      char *st = hook_state(o->id, "creating", init, bundle, s.annotations);
      if (hooks_run(&s.hooks[HOOK_PRESTART], "prestart", st, err, sizeof err) < 0 ||
          hooks_run(&s.hooks[HOOK_CREATE_RUNTIME], "createRuntime", st, err, sizeof err) < 0)
        abort_create("%s", err);
      free(st);
      send_msg(sock, A_HOOKS, NULL);
      continue;
    }
    if (tag == M_ERROR) {
      /* keep the init's exit code for run (exec failures are 126/127) */
      int status = 0;
      if (undo.child > 0 && waitpid(undo.child, &status, 0) == undo.child) {
        undo.child = 0;
        if (WIFEXITED(status) && o->run) die_code = WEXITSTATUS(status);
      }
      abort_create("%s", msg);
    }
    abort_create("the container init exited during setup");
  }
  /* The pid file says "exec may join it now" (isobench's lifecycle calls a container running once it
   * exists; runc writes it once the init waits on its exec fifo): only after READY, when the rootfs is
   * pivoted and the namespaces are final. Written earlier, an exec could join the init's mount
   * namespace at the host's root, or the host's network namespace (test/integration/hostile/exec-race). */
  if (unlink(creating) < 0) abort_create("unlink %s: %s", creating, strerror(errno));
  free(creating);
  if (o->pid_file) {
    char b[32];
    int n = snprintf(b, sizeof b, "%d", (int)init);
    if (write_file_atomic(o->pid_file, b, (size_t)n, 0644) < 0) abort_create("--pid-file %s: %s", o->pid_file, strerror(errno));
  }

  if (!o->run) return 0;

  /* run: started already; poststart hooks once it has exec'd (its end of the socket closes then) */
  trace("state saved");
  if (!o->detach) install_forwarders(init);
  if (s.hooks[HOOK_POSTSTART].n) {
    char tag = recv_msg(sock, msg, sizeof msg);
    if (tag == M_ERROR) warnx("%s", msg);
    char *stj = hook_state(o->id, "running", init, bundle, s.annotations);
    if (hooks_run(&s.hooks[HOOK_POSTSTART], "poststart", stj, err, sizeof err) < 0) {
      warnx("%s: killing the container", err);
      kill(init, SIGKILL);
    }
    free(stj);
  }
  if (o->detach) return 0;
  int code = 0;
  for (;;) {
    int status;
    pid_t w = waitpid(-1, &status, 0);
    if (w < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (w == init) {
      code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
  }
  trace("reaped");
  /* an exec failure reported after READY (the init could not run args[0]) */
  char tag = recv_msg(sock, msg, sizeof msg);
  if (tag == M_ERROR) dprintf(2, PROG ": %s\n", msg);
  close(sock);
  if (s.hooks[HOOK_POSTSTOP].n) {
    char *stj = hook_state(o->id, "stopped", 0, bundle, s.annotations);
    if (hooks_run(&s.hooks[HOOK_POSTSTOP], "poststop", stj, err, sizeof err) < 0) warnx("%s", err);
    free(stj);
  }
  if (!o->keep) {
    cg_destroy(&cg);
    char *stf = xasprintf("%s/state.json", dir);
    unlink(stf);
    rm_rf(dir);
  }
  trace("cleaned");
  return code;
}
