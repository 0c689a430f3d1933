/*
 * isobench-nsexec: the part of isobench's container runtime that must be fast and close to the
 * kernel (like runc's nsexec). It is the container's shim too: it stays the parent of the
 * container init, reaps it, removes the container's cgroups and scratch dir, and exits with the
 * container's exit code.
 *
 *   isobench-nsexec run  [options] -- ARGV...   new namespaces, rootfs, pivot_root, exec
 *   isobench-nsexec exec --pid PID [options] -- ARGV...   enter a running container
 *   isobench-nsexec wrap [--root DIR --lower A (--upper U --work W | --upper-tmpfs)] [--umount PATH]... -- ARGV...
 *                         exec ARGV in a private mount namespace (the OCI arms: overlay rootfs for
 *                         runc/crun, and /sys/fs/cgroup/unified hidden from crun on hybrid hosts)
 *   isobench-nsexec devices-check CONFIG.json "TYPE MAJOR MINOR ACCESS"...
 *                         what the v2 program built from CONFIG's linux.resources.devices decides
 *                         for each request (one "… allow|deny" line each; for tests and inspection)
 *   isobench-nsexec seccomp-compile IN.json OUT.bpf
 *                         compile an OCI linux.seccomp object (or a config.json) to a BPF program
 *                         file, once per profile; prints {"instructions":N,"flags":F,"compileUs":T}
 *
 * run options:
 *   --root DIR            mount point of the container rootfs (exists, empty)
 *   --lower A:B --upper U --work W   overlay rootfs; without --lower, DIR is bind-mounted on itself
 *   --lower A:B --upper-tmpfs        overlay rootfs whose writable layer is a tmpfs in the container's
 *                                    mount namespace (nothing on the host's disk)
 *   --hostname NAME       --cwd DIR     --env K=V (repeatable)
 *   --user UID:GID        run the workload as this user (no supplementary groups)
 *   --net none|host|new   none: new netns with lo up (made by the shim, joined by the init); new: new netns, configured by the caller (sync)
 *   --cgroup DIR          create DIR, put the init in it, remove it at exit (repeatable)
 *   --cgset PATH=VALUE    write VALUE to PATH after the cgroups are created (repeatable)
 *   --device-rule RULE    an OCI device rule, "allow|deny TYPE MAJOR:MINOR ACCESS" (repeatable, in order;
 *                         see devices.h), applied to the cgroup given by
 *   --devices-v1 DIR | --devices-v2 DIR   a --cgroup dir in the devices v1 hierarchy (devices.allow/deny)
 *                         or in a cgroup2 hierarchy (BPF device program), before the init joins it
 *   --seccomp-bpf FILE [--seccomp-flags N]   install this compiled filter (seccomp-compile) just
 *                         before the capabilities are dropped (exec too)
 *   --seccomp-json FILE   compile an OCI linux.seccomp object at start instead (slower: for comparison)
 *   --bind SRC=DST / --bind-ro SRC=DST   bind mounts, DST resolved inside the rootfs
 *   --sync-fd N           write "pid P\n" on fd N and wait for one byte back before the init runs
 *   --pidfile F --exitfile F    --cleanup DIR (made at start, rm -rf at exit; repeatable)   --no-caps-drop
 *   --pdeathsig [--parent PID]   die with the spawning process (PR_SET_PDEATHSIG); with --parent, also
 *                         refuse to start if PID is no longer our parent (it died before the prctl)
 * Errors: "isobench-nsexec: <what>: <errno text>" on stderr, exit 125 (setup) / 127 (exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"
#include "loopback.h"
#include "seccomp-oci.h"

#define MAXN 64
#define EXIT_SETUP 125

static const char *root, *lower, *upper, *work, *hostname, *cwd = "/", *net = "none";
static const char *pidfile, *exitfile, *user;
static const char *envs[MAXN], *cgroups[MAXN], *cgsets[MAXN], *binds[MAXN], *cleanups[MAXN];
static int bind_ro[MAXN];
static int n_env, n_cg, n_cgset, n_bind, n_cleanup, sync_fd = -1, pdeathsig, drop_caps = 1, target_pid, upper_tmpfs, parent_pid;
static const char *device_rules[MAXN], *devices_v1, *devices_v2, *seccomp_bpf, *seccomp_json;
static int n_device_rule;
static unsigned seccomp_flags;
static struct sock_fprog seccomp_prog; /* read (or compiled) before the clone; installed by exec_workload */
static volatile pid_t child_pid;

static void die(const char *fmt, ...) {
  int e = errno;
  va_list ap;
  char buf[1024];
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  dprintf(2, "isobench-nsexec: %s%s%s\n", buf, e ? ": " : "", e ? strerror(e) : "");
  _exit(EXIT_SETUP);
}

static void add(const char **arr, int *n, const char *v) {
  if (*n >= MAXN) { errno = 0; die("too many repeated options"); }
  arr[(*n)++] = v;
}

/* A child that set PR_SET_PDEATHSIG after fork() gets no signal if its parent died before: a pipe
 * whose write end only the parent holds tells (POLLHUP once every writer is gone). getppid() cannot:
 * in a new pid namespace it is 0 whoever the parent is. */
static void exit_if_orphaned(int read_fd) {
  struct pollfd p = {.fd = read_fd, .events = POLLIN};
  if (poll(&p, 1, 0) > 0 && (p.revents & POLLHUP)) _exit(EXIT_SETUP);
}

/* ---------- mounts, resolved inside the rootfs (hostile symlinks cannot escape) ---------- */

static int open_in_root(int rootfd, const char *path, int flags) {
  struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* Open (creating as needed) DST inside the rootfs: a directory, or a file when as_file. */
static int mkpath_in_root(int rootfd, const char *dst, int as_file) {
  char path[4096];
  snprintf(path, sizeof path, "%s", dst);
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd >= 0) return fd;
  char *slash = strrchr(path, '/');
  int parent;
  if (!slash || slash == path) {
    parent = dup(rootfd);
  } else {
    *slash = 0;
    parent = mkpath_in_root(rootfd, path, 0);
    *slash = '/';
  }
  const char *leaf = slash ? slash + 1 : path;
  if (as_file) {
    int f = openat(parent, leaf, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f >= 0) close(f);
  } else if (mkdirat(parent, leaf, 0755) < 0 && errno != EEXIST) {
    die("mkdir %s in rootfs", dst);
  }
  close(parent);
  fd = open_in_root(rootfd, dst, O_PATH);
  if (fd < 0) die("open %s in rootfs", dst);
  return fd;
}

static void fdpath(char *buf, size_t n, int fd) { snprintf(buf, n, "/proc/self/fd/%d", fd); }

static void mount_in_root(int rootfd, const char *src, const char *dst, const char *type, unsigned long flags,
                          const char *data, int as_file) {
  char p[64];
  int fd = mkpath_in_root(rootfd, dst, as_file);
  fdpath(p, sizeof p, fd);
  if (mount(src, p, type, flags, data) < 0) die("mount %s on %s", type ? type : src, dst);
  if ((flags & MS_BIND) && (flags & MS_RDONLY)) {
    /* A bind mount ignores MS_RDONLY until remounted; reopen, the fd points below the new mount. */
    close(fd);
    fd = open_in_root(rootfd, dst, O_PATH);
    fdpath(p, sizeof p, fd);
    if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)), NULL) < 0)
      die("remount %s read-only", dst);
  }
  close(fd);
}

/* Docker's masked and read-only /proc and /sys paths. */
static const char *masked[] = {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                               "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                               "/sys/firmware", "/sys/devices/virtual/powercap", NULL};
static const char *readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static void mask_paths(int rootfd) {
  char p[64];
  for (const char **m = masked; *m; m++) {
    int fd = open_in_root(rootfd, *m, O_PATH);
    if (fd < 0) continue;
    struct stat st;
    fstat(fd, &st);
    fdpath(p, sizeof p, fd);
    if (S_ISDIR(st.st_mode)) {
      if (mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0") < 0) die("mask %s", *m);
    } else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
      die("mask %s", *m);
    }
    close(fd);
  }
  for (const char **m = readonly; *m; m++) {
    int fd = open_in_root(rootfd, *m, O_PATH);
    if (fd < 0) continue;
    fdpath(p, sizeof p, fd);
    if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) die("bind %s", *m);
    close(fd);
    fd = open_in_root(rootfd, *m, O_PATH);
    fdpath(p, sizeof p, fd);
    if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
      die("remount %s read-only", *m);
    close(fd);
  }
}

static void setup_dev(int rootfd) {
  mount_in_root(rootfd, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", 0);
  int dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
  char p[64];
  fdpath(p, sizeof p, dev);
  int dfd = open(p, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  static const struct { const char *name; unsigned maj, min; } nodes[] = {
      {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
  for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
    if (mknodat(dfd, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0) die("mknod /dev/%s", nodes[i].name);
    fchmodat(dfd, nodes[i].name, 0666, 0); /* undo the umask */
  }
  mkdirat(dfd, "pts", 0755);
  mkdirat(dfd, "shm", 01777);
  fchmodat(dfd, "shm", 01777, 0);
  symlinkat("pts/ptmx", dfd, "ptmx");
  symlinkat("/proc/self/fd", dfd, "fd");
  symlinkat("/proc/self/fd/0", dfd, "stdin");
  symlinkat("/proc/self/fd/1", dfd, "stdout");
  symlinkat("/proc/self/fd/2", dfd, "stderr");
  close(dfd);
  close(dev);
  mount_in_root(rootfd, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5", 0);
  mount_in_root(rootfd, "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", 0);
}

/*
 * The overlay rootfs on `root`. With --upper-tmpfs its writable layer lives in a tmpfs mounted on
 * `root` first, in this private mount namespace, and the overlay is stacked on the same mount point:
 * no upper or work dir on the host's disk to create or remove (each costs ≈ 0.1 ms on ext4, and
 * overlay probes its work dir with a dozen file operations at every mount), and it goes away with
 * the namespace. Its pages are charged to the container's memory cgroup, as in a VM's initramfs.
 */
static void mount_overlay(void) {
  char up[4200], wk[4200], opts[8192];
  snprintf(up, sizeof up, "%s", upper_tmpfs ? root : upper);
  snprintf(wk, sizeof wk, "%s", upper_tmpfs ? root : work);
  if (upper_tmpfs) {
    if (mount("tmpfs", root, "tmpfs", 0, "mode=0755") < 0) die("mount tmpfs on %s", root);
    strncat(up, "/upper", sizeof up - strlen(up) - 1);
    strncat(wk, "/work", sizeof wk - strlen(wk) - 1);
    if (mkdir(up, 0755) < 0 || mkdir(wk, 0755) < 0) die("mkdir the writable layer in tmpfs");
  }
  snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s,volatile", lower, up, wk);
  if (mount("overlay", root, "overlay", 0, opts) < 0) die("mount overlay on %s", root);
}

/*
 * The rootfs in two halves. The first (overlay, /proc, /dev) does not depend on the network
 * namespace; the second starts with sysfs, which shows the interfaces of the namespace that mounts
 * it, so it runs once the init is in its own.
 */
static int rootfd = -1;

static void setup_rootfs(void) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private");
  if (lower) {
    mount_overlay();
  } else if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0) {
    die("bind %s", root);
  }
  rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) die("open %s", root);
  mount_in_root(rootfd, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0);
  setup_dev(rootfd);
}

static void finish_rootfs(void) {
  mount_in_root(rootfd, "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL, 0);
  for (int i = 0; i < n_bind; i++) {
    char src[4096];
    snprintf(src, sizeof src, "%s", binds[i]);
    char *eq = strchr(src, '=');
    if (!eq) { errno = 0; die("--bind wants SRC=DST, got %s", binds[i]); }
    *eq = 0;
    struct stat st;
    if (stat(src, &st) < 0) die("bind source %s", src);
    mount_in_root(rootfd, src, eq + 1, NULL, MS_BIND | MS_REC | (bind_ro[i] ? MS_RDONLY : 0), NULL, !S_ISDIR(st.st_mode));
  }
  mask_paths(rootfd);
  close(rootfd);
  rootfd = -1;
}

/* Make the rootfs the root: pivot_root into it and detach the host's tree. */
static void enter_rootfs(void) {
  if (chdir(root) < 0) die("chdir %s", root);
  if (syscall(SYS_pivot_root, ".", ".") < 0) die("pivot_root");
  if (umount2(".", MNT_DETACH) < 0) die("detach old root");
  if (chdir("/") < 0) die("chdir /");
}

/* Docker's default capability set. */
static const int keep_caps[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
                                CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
                                CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE};

static void reduce_caps(void) {
  uint64_t keep = 0;
  for (size_t i = 0; i < sizeof keep_caps / sizeof *keep_caps; i++) keep |= 1ULL << keep_caps[i];
  for (int c = 0; c < 64; c++) {
    if (keep & (1ULL << c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
      if (errno == EINVAL) break; /* past the last capability this kernel knows */
      die("drop capability %d", c);
    }
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2] = {{(uint32_t)keep, (uint32_t)keep, (uint32_t)keep},
                                        {(uint32_t)(keep >> 32), (uint32_t)(keep >> 32), (uint32_t)(keep >> 32)}};
  if (syscall(SYS_capset, &h, d) < 0) die("capset");
}

/* Read or compile the seccomp filter in the shim, where the host's files are in reach. */
static void load_seccomp(void) {
  char err[512];
  unsigned flags = seccomp_flags;
  if (seccomp_bpf && oci_seccomp_read_bpf(seccomp_bpf, &seccomp_prog, err, sizeof err) < 0) die("seccomp: %s", err);
  if (seccomp_json && oci_seccomp_compile_file(seccomp_json, &seccomp_prog, &flags, err, sizeof err) < 0) die("seccomp: %s", err);
  seccomp_flags = flags;
}

static void exec_workload(char **argv) {
  /* Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: before the capabilities go. */
  if (seccomp_prog.filter && oci_seccomp_install(&seccomp_prog, seccomp_flags) < 0) die("install the seccomp filter");
  if (drop_caps) reduce_caps();
  clearenv();
  setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
  for (int i = 0; i < n_env; i++) putenv((char *)envs[i]);
  if (chdir(cwd) < 0) die("chdir %s", cwd);
  if (user) { /* after the capability set is reduced: CAP_SETUID/SETGID are kept, and dropping uid 0 clears the rest */
    unsigned u, g;
    if (sscanf(user, "%u:%u", &u, &g) != 2) die("--user %s: expected UID:GID", user);
    if (setgroups(0, NULL) < 0) die("setgroups");
    if (setresgid(g, g, g) < 0) die("setgid %u", g);
    if (setresuid(u, u, u) < 0) die("setuid %u", u);
  }
  execvp(argv[0], argv);
  int e = errno;
  dprintf(2, "isobench-nsexec: exec %s: %s\n", argv[0], strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

/* ---------- the shim: reap, clean up, report ---------- */

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)st; (void)f;
  if (flag == FTW_DP) rmdir(p); else unlink(p);
  return 0;
}

static void rm_rf(const char *dir) {
  if (!dir || rmdir(dir) == 0 || errno == ENOENT) return; /* usually empty: one syscall, no walk */
  /* overlay's work dir has mode 000 dirs; root reads them anyway */
  nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void remove_cgroups(void) {
  for (int i = n_cg - 1; i >= 0; i--) {
    for (int tries = 0; tries < 200; tries++) {
      if (rmdir(cgroups[i]) == 0 || errno == ENOENT) break;
      if (errno != EBUSY) break;
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
  }
}

static void forward(int sig) {
  if (child_pid > 0) kill(child_pid, sig == SIGTERM || sig == SIGINT || sig == SIGHUP ? SIGKILL : sig);
}

static int shim_wait(void) {
  int status = 0;
  while (waitpid(child_pid, &status, 0) < 0) {
    if (errno != EINTR) { status = 0; break; }
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  remove_cgroups();
  if (exitfile) {
    char tmp[4200], buf[32];
    snprintf(tmp, sizeof tmp, "%s.tmp", exitfile);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      int n = snprintf(buf, sizeof buf, "%d\n", code);
      if (write(fd, buf, n) == n) rename(tmp, exitfile);
      close(fd);
    }
  }
  for (int i = 0; i < n_cleanup; i++) rm_rf(cleanups[i]);
  return code;
}

static int write_pidfile(pid_t pid) {
  if (!pidfile) return 0;
  char tmp[4200], buf[32];
  snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  int n = snprintf(buf, sizeof buf, "%d\n", pid);
  int ok = write(fd, buf, n) == n && rename(tmp, pidfile) == 0;
  close(fd);
  return ok ? 0 : -1;
}

static void install_forwarders(void) {
  struct sigaction sa = {.sa_handler = forward};
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
  signal(SIGPIPE, SIG_IGN); /* an init that died early must not kill the shim before it cleans up */
}

/* The scratch dirs (mount point, overlay upper and work), and their parent when missing. */
static int make_scratch_dirs(void) {
  const char *mk[MAXN + 3];
  size_t n = 0;
  for (int i = 0; i < n_cleanup; i++) mk[n++] = cleanups[i];
  mk[n++] = root, mk[n++] = upper, mk[n++] = work;
  for (size_t i = 0; i < n; i++) {
    int seen = 0; /* the root is often a --cleanup dir too (writable layer in memory) */
    for (size_t j = 0; j < i && !seen; j++) seen = mk[j] && mk[i] && strcmp(mk[i], mk[j]) == 0;
    if (seen || !mk[i] || mkdir(mk[i], 0755) == 0 || errno == EEXIST) continue;
    if (errno != ENOENT) return -1;
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", mk[i]);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) *slash = 0;
    if ((mkdir(parent, 0755) < 0 && errno != EEXIST) || mkdir(mk[i], 0755) < 0) return -1;
  }
  return 0;
}

/* The device rules on the devices v1 cgroup or the cgroup2 dir, before the init joins it. */
static int apply_devices(char *what, size_t what_len) {
  if (!devices_v1 && !devices_v2) return 0;
  struct dev_rule rules[MAXN];
  char err[300];
  for (int i = 0; i < n_device_rule; i++)
    if (dev_rule_parse(device_rules[i], &rules[i], err, sizeof err) < 0) return snprintf(what, what_len, "%s", err), -1;
  if (devices_v1) {
    if (dev_apply_v1(devices_v1, rules, n_device_rule, err, sizeof err) < 0) return snprintf(what, what_len, "device cgroup: %s", err), -1;
    return 0;
  }
  int fd = open(devices_v2, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return snprintf(what, what_len, "open %s", devices_v2), -1;
  int rc = dev_apply_v2(fd, rules, n_device_rule, err, sizeof err);
  int e = errno;
  close(fd);
  errno = e;
  if (rc < 0) return snprintf(what, what_len, "device cgroup %s: %s", devices_v2, err), -1;
  return 0;
}

/* Create the cgroups, apply the limits, and move PID into them; on failure *what says which step. */
static int join_cgroups(pid_t pid, char *what, size_t what_len) {
  for (int i = 0; i < n_cg; i++)
    if (mkdir(cgroups[i], 0755) < 0 && errno != EEXIST) return snprintf(what, what_len, "mkdir %s", cgroups[i]), -1;
  if (apply_devices(what, what_len) < 0) return -1;
  for (int i = 0; i < n_cgset; i++) {
    char buf[4200];
    snprintf(buf, sizeof buf, "%s", cgsets[i]);
    char *eq = strrchr(buf, '=');
    if (!eq) return errno = 0, snprintf(what, what_len, "--cgset wants PATH=VALUE, got %s", cgsets[i]), -1;
    *eq = 0;
    int fd = open(buf, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(eq + 1);
    if (fd < 0 || write(fd, eq + 1, len) != (ssize_t)len) return snprintf(what, what_len, "write %s to %s", eq + 1, buf), -1;
    close(fd);
  }
  char id[32];
  int n = snprintf(id, sizeof id, "%d", pid);
  for (int i = 0; i < n_cg; i++) {
    char procs[4200];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroups[i]);
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, id, n) != n) return snprintf(what, what_len, "join %s", procs), -1;
    close(fd);
  }
  return 0;
}

/* A setup step of the shim failed after the init was cloned: kill it, clean up, report. */
static void abort_run(const char *what) {
  int e = errno;
  kill(child_pid, SIGKILL);
  shim_wait();
  errno = e;
  die("%s", what);
}

static int cmd_run(char **argv) {
  if (!root) { errno = 0; die("--root is required"); }
  /* The scratch dirs are made here: one process fewer than making them from the runtime. (Making
   * them in parallel with the init's namespace setup gained nothing measurable on 2 vCPUs: waking
   * the other CPU costs what the overlap saves.) */
  if (make_scratch_dirs() < 0) die("mkdir scratch dirs");
  load_seccomp();
  int go[2], ready[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0) die("pipe");
  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  /* --net none: the shim creates the network namespace and brings lo up (≈ 0.7 ms here, most of
   * a container's start) while the init builds the rootfs; the init joins it before pivot_root,
   * while the host's /proc is still in reach. --net new keeps it in the clone: the caller
   * configures the init's namespace as soon as it has the pid. */
  int shim_makes_netns = strcmp(net, "none") == 0;
  if (strcmp(net, "host") != 0 && !shim_makes_netns) flags |= CLONE_NEWNET;
  pid_t shim = getpid();
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = syscall(SYS_clone, flags, 0, 0, 0, 0);
  if (pid < 0) die("clone");
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(go[1]);
    close(ready[0]);
    if (sync_fd >= 0) close(sync_fd);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("pdeathsig");
    /* The rootfs is set up while the shim makes our network namespace (--net none) and moves us into our cgroups. */
    if (hostname && sethostname(hostname, strlen(hostname)) < 0) die("sethostname");
    if (strcmp(net, "host") != 0 && !shim_makes_netns && loopback_up() < 0) die("bring lo up");
    setup_rootfs();
    char b;
    if (shim_makes_netns) {
      /* The shim's first byte: its network namespace is up (the second: we are in our cgroups). */
      if (read(go[0], &b, 1) != 1) _exit(EXIT_SETUP); /* the shim died or gave up */
      char ns[64];
      snprintf(ns, sizeof ns, "/proc/%d/ns/net", (int)shim); /* the host's /proc: before pivot_root */
      int fd = open(ns, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) die("join the network namespace %s", ns);
      close(fd);
    }
    finish_rootfs();
    enter_rootfs();
    if (read(go[0], &b, 1) != 1) _exit(EXIT_SETUP);
    close(go[0]);
    if (unshare(CLONE_NEWCGROUP) < 0) die("cgroup namespace");
    /* Set up: rootfs pivoted, network and cgroup namespaces final. Only now may the pid file name us:
     * an `exec` that joined our namespaces earlier would land in the host's root or network. */
    if (write(ready[1], "r", 1) != 1) _exit(EXIT_SETUP);
    close(ready[1]);
    exec_workload(argv);
  }
  child_pid = pid;
  install_forwarders();
  sigprocmask(SIG_SETMASK, &old, NULL);
  close(go[0]);
  close(ready[1]);
  if (shim_makes_netns) {
    if (unshare(CLONE_NEWNET) < 0) abort_run("network namespace");
    if (loopback_up() < 0) abort_run("bring lo up");
    if (write(go[1], "n", 1) != 1) abort_run("hand the network namespace to the init");
  }
  char what[4300];
  if (join_cgroups(pid, what, sizeof what) < 0) abort_run(what);
  if (sync_fd >= 0) {
    char msg[48], ack;
    int m = snprintf(msg, sizeof msg, "pid %d\n", pid);
    if (write(sync_fd, msg, m) != m || read(sync_fd, &ack, 1) != 1 || ack != '1') {
      errno = 0;
      abort_run("the runtime did not confirm the container's network");
    }
    close(sync_fd);
  }
  if (write(go[1], "1", 1) != 1) abort_run("release the init");
  close(go[1]);
  /* The pid file says "running": written once the init is fully set up (its byte on `ready`); an
   * init that died during setup sends none (EOF) and is never called running. */
  char r;
  ssize_t got;
  while ((got = read(ready[0], &r, 1)) < 0 && errno == EINTR) {}
  close(ready[0]);
  if (got == 1 && write_pidfile(pid) < 0) abort_run("write the pid file");
  return shim_wait();
}

/* ---------- wrap: a private mount namespace for runc/crun (their rootfs overlay; crun's hybrid workaround) ---------- */

static const char *umounts[MAXN];
static int n_umount;

static int cmd_wrap(char **argv) {
  /* A pid namespace too: if the runtime is killed, the kernel kills its container with it. */
  if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) die("mount/pid namespace");
  int alive[2];
  if (pipe2(alive, O_CLOEXEC) < 0) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid > 0) {
    close(alive[0]); /* alive[1] stays open for as long as we live */
    child_pid = pid;
    install_forwarders();
    return shim_wait();
  }
  close(alive[1]);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("pdeathsig");
  exit_if_orphaned(alive[0]);
  close(alive[0]);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private");
  /* The runtime reads /proc/<pid> of its children: it needs a /proc of the new pid namespace. */
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) die("mount /proc");
  for (int i = 0; i < n_umount; i++)
    if (umount2(umounts[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) die("umount %s", umounts[i]);
  if (lower) {
    const char *mk[] = {root, upper, work};
    for (size_t i = 0; i < 3; i++)
      if (mk[i] && mkdir(mk[i], 0755) < 0 && errno != EEXIST) die("mkdir %s", mk[i]);
    mount_overlay();
  }
  execvp(argv[0], argv);
  die("exec %s", argv[0]);
  return 127;
}

/* ---------- exec: enter the namespaces and cgroups of a running container ---------- */

static int cmd_exec(char **argv) {
  if (target_pid <= 0) { errno = 0; die("--pid is required"); }
  load_seccomp();
  static const char *nss[] = {"cgroup", "ipc", "uts", "net", "pid", "mnt"};
  int fds[6];
  for (int i = 0; i < 6; i++) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/ns/%s", target_pid, nss[i]);
    fds[i] = open(p, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) die("open %s", p);
  }
  char me[32];
  int n = snprintf(me, sizeof me, "%d", getpid());
  for (int i = 0; i < n_cg; i++) {
    char procs[4200];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroups[i]);
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, me, n) != n) die("join %s", procs);
    close(fd);
  }
  for (int i = 0; i < 6; i++) {
    if (setns(fds[i], 0) < 0) die("setns %s", nss[i]);
    close(fds[i]);
  }
  int alive[2];
  if (pipe2(alive, O_CLOEXEC) < 0) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(alive[1]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    exit_if_orphaned(alive[0]);
    close(alive[0]);
    exec_workload(argv);
  }
  close(alive[0]);
  child_pid = pid;
  install_forwarders();
  n_cg = 0; /* the container's cgroups are not ours to remove */
  return shim_wait();
}

/* ---------- seccomp-compile: OCI linux.seccomp → BPF file, once per profile ---------- */

static int cmd_seccomp_compile(int argc, char **argv) {
  if (argc != 4) { errno = 0; die("usage: isobench-nsexec seccomp-compile IN.json OUT.bpf"); }
  char err[512], tmp[4200];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (oci_seccomp_compile_file(argv[2], &seccomp_prog, &seccomp_flags, err, sizeof err) < 0) { errno = 0; die("%s", err); }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  snprintf(tmp, sizeof tmp, "%s.tmp-%d", argv[3], (int)getpid());
  if (oci_seccomp_write_bpf(tmp, &seccomp_prog, err, sizeof err) < 0 || rename(tmp, argv[3]) < 0) { unlink(tmp); die("%s", err); }
  long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
  printf("{\"instructions\":%u,\"flags\":%u,\"compileUs\":%ld}\n", seccomp_prog.len, seccomp_flags, us);
  return 0;
}

/* ---------- devices-check: the reduced allowlist's decisions, evaluated in C ---------- */

static int cmd_devices_check(int argc, char **argv) {
  if (argc < 3) { errno = 0; die("usage: isobench-nsexec devices-check CONFIG.json \"TYPE MAJOR MINOR ACCESS\"..."); }
  json_error_t je;
  json_t *root = json_load_file(argv[2], 0, &je);
  if (!root) { errno = 0; die("%s:%d:%d: %s", argv[2], je.line, je.column, je.text); }
  static struct dev_rule rules[DEV_MAX_RULES];
  char err[300];
  int n = dev_rules_from_json(json_object_get(json_object_get(json_object_get(root, "linux"), "resources"), "devices"), rules, DEV_MAX_RULES, err, sizeof err);
  if (n < 0) { errno = 0; die("%s: %s", argv[2], err); }
  for (int i = 3; i < argc; i++) {
    char type, acc[8];
    unsigned major, minor, access = 0;
    if (sscanf(argv[i], "%c %u %u %7s", &type, &major, &minor, acc) != 4) { errno = 0; die("request %s: expected TYPE MAJOR MINOR ACCESS", argv[i]); }
    for (char *a = acc; *a; a++) access |= *a == 'r' ? DEV_ACC_READ : *a == 'w' ? DEV_ACC_WRITE : *a == 'm' ? DEV_ACC_MKNOD : 0;
    printf("%s %s\n", argv[i], dev_rules_permit(rules, (size_t)n, type, major, minor, access) ? "allow" : "deny");
  }
  json_decref(root);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) { errno = 0; die("usage: isobench-nsexec run|exec|wrap|seccomp-compile [options] -- ARGV..."); }
  const char *cmd = argv[1];
  if (strcmp(cmd, "seccomp-compile") == 0) return cmd_seccomp_compile(argc, argv);
  if (strcmp(cmd, "devices-check") == 0) return cmd_devices_check(argc, argv);
  int i = 2;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = 1;
    if (strcmp(a, "--pdeathsig") == 0) { pdeathsig = 1; takes = 0; }
    else if (strcmp(a, "--parent") == 0 && v) parent_pid = atoi(v);
    else if (strcmp(a, "--no-caps-drop") == 0) { drop_caps = 0; takes = 0; }
    else if (strcmp(a, "--upper-tmpfs") == 0) { upper_tmpfs = 1; takes = 0; }
    else if (!v) { errno = 0; die("%s needs a value", a); }
    else if (strcmp(a, "--root") == 0) root = v;
    else if (strcmp(a, "--lower") == 0) lower = v;
    else if (strcmp(a, "--upper") == 0) upper = v;
    else if (strcmp(a, "--work") == 0) work = v;
    else if (strcmp(a, "--hostname") == 0) hostname = v;
    else if (strcmp(a, "--cwd") == 0) cwd = v;
    else if (strcmp(a, "--user") == 0) user = v;
    else if (strcmp(a, "--net") == 0) net = v;
    else if (strcmp(a, "--env") == 0) add(envs, &n_env, v);
    else if (strcmp(a, "--cgroup") == 0) add(cgroups, &n_cg, v);
    else if (strcmp(a, "--cgset") == 0) add(cgsets, &n_cgset, v);
    else if (strcmp(a, "--bind") == 0 || strcmp(a, "--bind-ro") == 0) { bind_ro[n_bind] = a[6] == '-'; add(binds, &n_bind, v); }
    else if (strcmp(a, "--sync-fd") == 0) sync_fd = atoi(v);
    else if (strcmp(a, "--pid") == 0) target_pid = atoi(v);
    else if (strcmp(a, "--pidfile") == 0) pidfile = v;
    else if (strcmp(a, "--exitfile") == 0) exitfile = v;
    else if (strcmp(a, "--cleanup") == 0) add(cleanups, &n_cleanup, v);
    else if (strcmp(a, "--umount") == 0) add(umounts, &n_umount, v);
    else if (strcmp(a, "--device-rule") == 0) add(device_rules, &n_device_rule, v);
    else if (strcmp(a, "--devices-v1") == 0) devices_v1 = v;
    else if (strcmp(a, "--devices-v2") == 0) devices_v2 = v;
    else if (strcmp(a, "--seccomp-bpf") == 0) seccomp_bpf = v;
    else if (strcmp(a, "--seccomp-json") == 0) seccomp_json = v;
    else if (strcmp(a, "--seccomp-flags") == 0) seccomp_flags = (unsigned)strtoul(v, NULL, 0);
    else { errno = 0; die("unknown option %s", a); }
    i += takes;
  }
  if (i >= argc) { errno = 0; die("no command given after --"); }
  if (lower && !upper_tmpfs && (!upper || !work)) { errno = 0; die("--lower needs --upper and --work, or --upper-tmpfs"); }
  if (pdeathsig && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("pdeathsig");
  /* Died before the prctl (reparented): with --parent, to whichever subreaper; without, to init. */
  if (pdeathsig && parent_pid > 0 && getppid() != parent_pid) { errno = 0; die("parent %d already gone", parent_pid); }
  if (pdeathsig && getppid() == 1) { errno = 0; die("parent already gone"); }
  if (strcmp(cmd, "run") == 0) return cmd_run(argv + i);
  if (strcmp(cmd, "exec") == 0) return cmd_exec(argv + i);
  if (strcmp(cmd, "wrap") == 0) return cmd_wrap(argv + i);
  errno = 0;
  die("unknown command %s (run|exec|wrap|seccomp-compile|devices-check)", cmd);
  return EXIT_SETUP;
}
