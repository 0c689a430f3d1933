/* isobench-runtime: rootfs, mounts, /dev, pivot_root, masked and read-only paths (see mounts.h). */
#define _GNU_SOURCE
#include "mounts.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int rootfd = -1;

int open_in_root(int dirfd, const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static void fdpath(char *buf, size_t n, int fd) { snprintf(buf, n, "/proc/self/fd/%d", fd); }

/* Open (creating as needed) dst inside the rootfs: a directory, or an empty file when as_file. */
static int mkpath_in_root(const char *dst, bool as_file) {
  int fd = open_in_root(rootfd, dst, O_PATH);
  if (fd >= 0) return fd;
  if (errno != ENOENT) die("open %s in the rootfs", dst);
  char path[4096];
  snprintf(path, sizeof path, "%s", dst);
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') path[--n] = 0;
  char *slash = strrchr(path, '/');
  int parent;
  if (!slash || slash == path) {
    parent = dup(rootfd);
  } else {
    *slash = 0;
    parent = mkpath_in_root(path, false);
    *slash = '/';
  }
  /* parent is an O_PATH fd: create through its /proc path */
  char pp[64];
  fdpath(pp, sizeof pp, parent);
  int pdir = open(pp, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (pdir < 0) die("open the parent of %s in the rootfs", dst);
  const char *leaf = slash ? slash + 1 : path;
  if (as_file) {
    int f = openat(pdir, leaf, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f < 0 && errno != EEXIST) die("create %s in the rootfs", dst);
    if (f >= 0) close(f);
  } else if (mkdirat(pdir, leaf, 0755) < 0 && errno != EEXIST) {
    die("mkdir %s in the rootfs", dst);
  }
  close(pdir);
  close(parent);
  fd = open_in_root(rootfd, dst, O_PATH);
  if (fd < 0) die("open %s in the rootfs", dst);
  return fd;
}

/* Flags from statvfs that a bind remount must keep (the kernel refuses to clear locked ones in a user namespace). */
static unsigned long locked_flags(const char *path) {
  struct statvfs st;
  if (statvfs(path, &st) < 0) return 0;
  unsigned long f = 0;
  if (st.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) f |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (st.f_flag & ST_RDONLY) f |= MS_RDONLY;
  if (st.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

static int bind_remount(const char *p, unsigned long flags) {
  flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK;
  if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | flags, NULL) == 0) return 0;
  if (errno != EPERM) return -1;
  return mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | flags | locked_flags(p), NULL);
}

/* Set MOUNT_ATTR_* recursively on the mount at p (mount_setattr, Linux ≥ 5.12). */
static int setattr_rec(const char *p, uint64_t set, uint64_t clr) {
  struct mount_attr a = {.attr_set = set, .attr_clr = clr};
  return (int)syscall(SYS_mount_setattr, AT_FDCWD, p, AT_RECURSIVE, &a, sizeof a);
}

/* ---------- rootfs ---------- */

static void mount_rootfs(const struct spec *s) {
  const char *root = s->root_path;
  if (!s->overlay_lower) {
    if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0) die("bind root.path %s", root);
    return;
  }
  /* The isobench fast path: an overlay of the image layers; its writable layer in a tmpfs of this
   * mount namespace (nothing on the host's disk, gone with the container, charged to its memory
   * cgroup) unless the annotations name an upper and work dir on disk. */
  char opts[8192];
  if (s->overlay_upper) {
    snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", s->overlay_lower, s->overlay_upper, s->overlay_work);
  } else {
    if (mount("tmpfs", root, "tmpfs", 0, "mode=0755") < 0) die("mount a tmpfs for the writable layer on %s", root);
    char up[4200], wk[4200];
    snprintf(up, sizeof up, "%s/upper", root);
    snprintf(wk, sizeof wk, "%s/work", root);
    if (mkdir(up, 0755) < 0 || mkdir(wk, 0755) < 0) die("mkdir the writable layer in %s", root);
    snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s,volatile", s->overlay_lower, up, wk);
  }
  if (mount("overlay", root, "overlay", 0, opts) < 0) die("mount the overlay rootfs on %s (annotations org.isobench.rootfs.*)", root);
}

/* ---------- one config mount ---------- */

static bool is_file_source(const char *src) {
  struct stat st;
  return src && stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* /sys/fs/cgroup-style mount: a tmpfs holding a bind of the container's own cgroup in each
 * hierarchy it is in (v1, hybrid), or the container's cgroup2 dir itself (v2). */
static void mount_cgroup(const struct mount_spec *m, const struct cgroups *cg, int tfd, const char *p, char **ro_later, int *n_ro) {
  const char *mode = cg_mode();
  unsigned long keep = m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (strcmp(mode, "v2") == 0) {
    const char *dir = cg->n ? cg->dirs[0] : "/sys/fs/cgroup";
    if (mount(dir, p, NULL, MS_BIND, NULL) < 0) die("mounts: bind %s on %s", dir, m->destination);
    if (bind_remount(p, m->flags) < 0) die("mounts: remount %s", m->destination);
    return;
  }
  if (mount("tmpfs", p, "tmpfs", keep, "mode=755") < 0) die("mounts: mount a tmpfs on %s", m->destination);
  char dp[64];
  /* the O_PATH fd behind p points below the new tmpfs: reopen the path to reach it */
  int top = open_in_root(rootfd, m->destination, O_PATH | O_DIRECTORY);
  fdpath(dp, sizeof dp, top);
  int dir = top < 0 ? -1 : open(dp, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (top >= 0) close(top);
  if (dir < 0) die("mounts: open %s", m->destination);
  const struct cg_mount *hm;
  int nh = cg_mounts(&hm);
  for (int i = 0; i < cg->n; i++) {
    /* the host hierarchy mount holding this dir */
    const struct cg_mount *h = NULL;
    for (int k = 0; k < nh; k++) {
      size_t l = strlen(hm[k].mountpoint);
      if (strncmp(cg->dirs[i], hm[k].mountpoint, l) == 0 && cg->dirs[i][l] == '/') h = &hm[k];
    }
    if (!h) continue;
    const char *name = strrchr(h->mountpoint, '/');
    name = name ? name + 1 : h->mountpoint;
    if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST) die("mounts: mkdir %s/%s", m->destination, name);
    int sub = openat(dir, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    fdpath(dp, sizeof dp, sub);
    if (mount(cg->dirs[i], dp, NULL, MS_BIND, NULL) < 0) die("mounts: bind %s on %s/%s", cg->dirs[i], m->destination, name);
    close(sub);
    sub = openat(dir, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
    fdpath(dp, sizeof dp, sub);
    if (bind_remount(dp, m->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC) < 0) die("mounts: remount %s/%s", m->destination, name);
    close(sub);
    /* co-mounted controllers ("cpu,cpuacct") get a link per controller, as on the host */
    if (strchr(name, ',')) {
      char names[256];
      snprintf(names, sizeof names, "%s", name);
      for (char *t = strtok(names, ","); t; t = strtok(NULL, ",")) symlinkat(name, dir, t);
    }
  }
  close(dir);
  (void)tfd;
  if (m->flags & MS_RDONLY) ro_later[(*n_ro)++] = xstrdup(m->destination);
}

static void do_mount(const struct spec *s, const struct mount_spec *m, const struct cgroups *cg, bool userns, const struct rootfs_hooks *h,
                     char **ro_later, int *n_ro) {
  bool file = m->bind && is_file_source(m->source);
  int fd = mkpath_in_root(m->destination, file);
  char p[64];
  fdpath(p, sizeof p, fd);
  const char *type = m->type ? m->type : "none";
  if (m->bind) {
    if (mount(m->source, p, NULL, MS_BIND | (m->recursive_bind ? MS_REC : 0), NULL) < 0) die("mounts: bind %s on %s", m->source, m->destination);
    /* the fd points below the new mount: reopen to reach it */
    close(fd);
    fd = open_in_root(rootfd, m->destination, O_PATH);
    if (fd < 0) die("mounts: reopen %s", m->destination);
    fdpath(p, sizeof p, fd);
    unsigned long fl = m->flags & ~(MS_REMOUNT | MS_BIND | MS_REC);
    if (fl && bind_remount(p, m->flags) < 0) die("mounts: remount %s with its options", m->destination);
  } else if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0) {
    if (h && h->before_cgroup) h->before_cgroup();
    mount_cgroup(m, cg, fd, p, ro_later, n_ro);
    close(fd);
    fd = open_in_root(rootfd, m->destination, O_PATH);
    if (fd < 0) die("mounts: reopen %s", m->destination);
    fdpath(p, sizeof p, fd);
  } else {
    if (strcmp(type, "sysfs") == 0 && h && h->before_sysfs) { trace("child before sysfs"); h->before_sysfs(); trace("child in netns"); }
    unsigned long fl = m->flags & ~MS_REMOUNT;
    bool later_ro = (fl & MS_RDONLY) && (strcmp(type, "tmpfs") == 0 || strcmp(m->destination, "/dev") == 0);
    if (later_ro) fl &= ~MS_RDONLY;
    if (mount(m->source ? m->source : type, p, type, fl, m->data) < 0) {
      /* sysfs cannot be mounted in a user namespace that does not own the network namespace: bind the host's (runc does the same) */
      if (strcmp(type, "sysfs") == 0 && (errno == EPERM || errno == EACCES) && userns) {
        if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0) die("mounts: bind /sys on %s", m->destination);
        close(fd);
        fd = open_in_root(rootfd, m->destination, O_PATH);
        fdpath(p, sizeof p, fd);
        if (bind_remount(p, fl) < 0) die("mounts: remount %s", m->destination);
      } else {
        die("mounts: mount %s on %s%s%s", type, m->destination, m->data ? " with " : "", m->data ? m->data : "");
      }
    }
    if (later_ro) ro_later[(*n_ro)++] = xstrdup(m->destination);
    if (m->flags & MS_REMOUNT) {
      /* "remount" on a fresh mount: nothing more to do */
    }
    close(fd);
    fd = open_in_root(rootfd, m->destination, O_PATH);
    fdpath(p, sizeof p, fd);
  }
  if (m->propagation && mount(NULL, p, NULL, m->propagation, NULL) < 0) die("mounts: set the propagation of %s", m->destination);
  if ((m->attr_set || m->attr_clr) && setattr_rec(p, m->attr_set, m->attr_clr) < 0) die("mounts: set recursive options on %s", m->destination);
  close(fd);
  (void)s;
}

/* ---------- /dev ---------- */

static const struct {
  const char *name;
  unsigned maj, min;
} default_devices[] = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};

/* A device node at path (inside the rootfs): mknod, or a bind of the host's node in a user namespace. */
static void make_device(const char *path, char type, unsigned maj, unsigned min, mode_t mode, uid_t uid, gid_t gid, bool userns) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  const char *leaf = slash + 1;
  *slash = 0;
  int pfd = mkpath_in_root(dir[0] ? dir : "/", false);
  char pp[64];
  fdpath(pp, sizeof pp, pfd);
  int d = open(pp, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  close(pfd);
  if (d < 0) die("open %s", dir);
  mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
  if (!userns) {
    /* the umask is 0 here (setup_dev): mknod sets the mode; root owns a new node already */
    if (mknodat(d, leaf, kind | (mode & 07777), makedev(maj, min)) < 0) {
      if (errno != EEXIST) die("mknod %s", path);
      unlinkat(d, leaf, 0);
      if (mknodat(d, leaf, kind | (mode & 07777), makedev(maj, min)) < 0) die("mknod %s", path);
    }
    if ((mode & 07000) && fchmodat(d, leaf, mode & 07777, 0) < 0) die("chmod %s", path);
    if ((uid || gid) && fchownat(d, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) die("chown %s", path);
  } else {
    /* No mknod in a user namespace: bind the host's node (found by number in /dev) on an empty file. */
    char host[64];
    snprintf(host, sizeof host, "/dev/%s", leaf);
    struct stat st;
    if (stat(host, &st) < 0 || st.st_rdev != makedev(maj, min)) {
      snprintf(host, sizeof host, "/dev/%s/%u:%u", type == 'b' ? "block" : "char", maj, min);
    }
    int f = openat(d, leaf, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f < 0 && errno != EEXIST) die("create %s", path);
    if (f >= 0) close(f);
    int t = openat(d, leaf, O_PATH | O_CLOEXEC | O_NOFOLLOW);
    char tp[64];
    fdpath(tp, sizeof tp, t);
    if (mount(host, tp, NULL, MS_BIND, NULL) < 0) die("bind %s on %s", host, path);
    close(t);
  }
  close(d);
}

static void setup_dev(const struct spec *s, bool userns) {
  /* runc and crun make these whenever /dev is not bind-mounted from the host */
  bool dev_bound = false;
  for (int i = 0; i < s->n_mounts; i++)
    if (strcmp(s->mounts[i].destination, "/dev") == 0 && s->mounts[i].bind) dev_bound = true;
  if (dev_bound) return;
  mode_t old = umask(0);
  for (size_t i = 0; i < sizeof default_devices / sizeof *default_devices; i++) {
    char p[64];
    snprintf(p, sizeof p, "/dev/%s", default_devices[i].name);
    bool listed = false;
    for (int k = 0; k < s->n_devices; k++) listed |= strcmp(s->devices[k].path, p) == 0;
    if (!listed) make_device(p, 'c', default_devices[i].maj, default_devices[i].min, 0666, 0, 0, userns);
  }
  for (int k = 0; k < s->n_devices; k++) {
    const struct device_spec *d = &s->devices[k];
    mode_t mode = d->file_mode != UNSET ? (mode_t)d->file_mode : 0666;
    make_device(d->path, d->type == 'u' ? 'c' : d->type, d->type == 'p' ? 0 : (unsigned)d->major, d->type == 'p' ? 0 : (unsigned)d->minor, mode,
                d->uid != UNSET ? (uid_t)d->uid : 0, d->gid != UNSET ? (gid_t)d->gid : 0, userns);
  }
  umask(old);
  int dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
  if (dev < 0) die("open /dev in the rootfs");
  char p[64];
  fdpath(p, sizeof p, dev);
  int d = open(p, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  close(dev);
  static const char *const links[][2] = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
  for (size_t i = 0; i < sizeof links / sizeof *links; i++)
    if (symlinkat(links[i][0], d, links[i][1]) < 0 && errno != EEXIST) die("symlink /dev/%s", links[i][1]);
  if (access("/proc/kcore", F_OK) == 0) symlinkat("/proc/kcore", d, "core");
  /* /dev/ptmx is the devpts instance's own (newinstance): a link into /dev/pts when there is one */
  struct stat st;
  if (fstatat(d, "pts/ptmx", &st, 0) == 0) {
    unlinkat(d, "ptmx", 0);
    if (symlinkat("pts/ptmx", d, "ptmx") < 0) die("symlink /dev/ptmx");
  }
  close(d);
}

/* Remount read-only the mounts that were filled first (read-only tmpfs mounts and /dev). */
static void remount_ro(char **ro_later, int n_ro) {
  for (int i = 0; i < n_ro; i++) {
    int fd = open_in_root(rootfd, ro_later[i], O_PATH);
    char p[64];
    fdpath(p, sizeof p, fd);
    if (fd < 0 || bind_remount(p, MS_RDONLY | locked_flags(p)) < 0) die("remount %s read-only", ro_later[i]);
    close(fd);
    free(ro_later[i]);
  }
}

static void mount_range(const struct spec *s, const struct cgroups *cg, bool userns, const struct rootfs_hooks *h, int from, int to, char **ro_later,
                        int *n_ro) {
  for (int i = from; i < to; i++) {
    if (*n_ro >= 60) diex("mounts: too many read-only tmpfs mounts");
    do_mount(s, &s->mounts[i], cg, userns, h, ro_later, n_ro);
  }
}

/* The mounts from the first sysfs one on can wait until after pivot_root when none of them needs
 * a host path (bind and cgroup mounts do) or touches /dev (filled before the pivot). */
static int deferrable_tail(const struct spec *s) {
  int t = -1;
  for (int i = 0; i < s->n_mounts && t < 0; i++)
    if (!s->mounts[i].bind && s->mounts[i].type && strcmp(s->mounts[i].type, "sysfs") == 0) t = i;
  if (t < 0) return s->n_mounts;
  for (int i = t; i < s->n_mounts; i++) {
    const struct mount_spec *m = &s->mounts[i];
    const char *ty = m->type ? m->type : "";
    if (m->bind || !strcmp(ty, "cgroup") || !strcmp(ty, "cgroup2") || (!strncmp(m->destination, "/dev", 4) && (!m->destination[4] || m->destination[4] == '/')))
      return s->n_mounts;
  }
  return t;
}

int rootfs_prepare(const struct spec *s, const struct cgroups *cg, bool userns, const struct rootfs_hooks *h, bool may_defer) {
  /* In a new mount namespace, "/" private (or slave): nothing we mount reaches the host, and
   * pivot_root needs a private parent. Without one (or in a joined one) the mounts are the
   * runtime's namespace's, as the spec says, and delete unmounts the rootfs. */
  const struct ns_spec *mnt = spec_ns(s, CLONE_NEWNS);
  bool newns = mnt && !mnt->path;
  if (newns && (s->rootfs_propagation || host_mounts_propagate())) {
    unsigned long prop = s->rootfs_propagation & MS_SLAVE ? MS_SLAVE | MS_REC : MS_PRIVATE | MS_REC;
    if (mount(NULL, "/", NULL, prop, NULL) < 0) die("make / %s", prop & MS_SLAVE ? "rslave" : "rprivate");
  }
  trace("child propagation");
  mount_rootfs(s);
  trace("child overlay");
  rootfd = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) die("open root.path %s", s->root_path);
  int tail = may_defer && newns ? deferrable_tail(s) : s->n_mounts;
  char *ro_later[64];
  int n_ro = 0;
  mount_range(s, cg, userns, h, 0, tail, ro_later, &n_ro);
  trace("child mounts");
  setup_dev(s, userns);
  trace("child dev");
  remount_ro(ro_later, n_ro);
  return tail;
}

void rootfs_mount_tail(const struct spec *s, const struct cgroups *cg, bool userns, const struct rootfs_hooks *h, int tail) {
  if (tail >= s->n_mounts) return;
  rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char *ro_later[64];
  int n_ro = 0;
  mount_range(s, cg, userns, h, tail, s->n_mounts, ro_later, &n_ro);
  remount_ro(ro_later, n_ro);
  close(rootfd);
  rootfd = -1;
}

void rootfs_enter(const struct spec *s, bool no_pivot) {
  bool newns = spec_ns(s, CLONE_NEWNS) && !spec_ns(s, CLONE_NEWNS)->path;
  if (fchdir(rootfd) < 0) die("chdir root.path");
  if (!newns) {
    if (chroot(".") < 0) die("chroot");
  } else if (no_pivot) {
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) die("move the rootfs to /");
    if (chroot(".") < 0) die("chroot");
  } else {
    int old = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
    if (syscall(SYS_pivot_root, ".", ".") < 0) die("pivot_root");
    if (fchdir(old) < 0) die("fchdir to the old root");
    /* The old root is private or slave already (rootfs_prepare): its unmount cannot reach the host. */
    if (umount2(".", MNT_DETACH) < 0) die("detach the old root");
    close(old);
  }
  if (chdir("/") < 0) die("chdir /");
  close(rootfd);
  rootfd = -1;
}

/* ---------- after the pivot ---------- */

/* Which namespace a sysctl belongs to (runc's validation: only namespaced ones are allowed). */
static int sysctl_namespace(const char *k) {
  static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                    "kernel.shm_rmid_forced", NULL};
  for (int i = 0; ipc[i]; i++)
    if (strcmp(k, ipc[i]) == 0) return CLONE_NEWIPC;
  if (strncmp(k, "fs.mqueue.", 10) == 0) return CLONE_NEWIPC;
  if (strncmp(k, "net.", 4) == 0) return CLONE_NEWNET;
  if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0) return CLONE_NEWUTS;
  return 0;
}

static void write_sysctls(const struct spec *s) {
  for (int i = 0; i < s->n_sysctl; i++) {
    const char *k = s->sysctl_keys[i];
    int ns = sysctl_namespace(k);
    if (!ns) diex("linux.sysctl: %s is not namespaced: it would change the host", k);
    const struct ns_spec *n = spec_ns(s, ns);
    if (!n) diex("linux.sysctl: %s needs its own %s namespace", k, ns == CLONE_NEWNET ? "network" : ns == CLONE_NEWIPC ? "ipc" : "uts");
    char path[512] = "/proc/sys/";
    size_t l = strlen(path);
    for (const char *c = k; *c && l < sizeof path - 1; c++) path[l++] = *c == '.' ? '/' : *c;
    path[l] = 0;
    if (write_file(path, s->sysctl_values[i], strlen(s->sysctl_values[i])) < 0) die("linux.sysctl: write %s to %s", s->sysctl_values[i], path);
  }
}

/* An O_PATH fd of a path that linux.maskedPaths or linux.readonlyPaths (field) lists, inside the
 * rootfs (root); -1 when it does not exist there (skipped, as runc does); dies on other errors. */
static int open_listed_path(int root, const char *path, const char *field) {
  int fd = open_in_root(root, path, O_PATH);
  if (fd < 0 && errno != ENOENT) die("%s: open %s", field, path);
  return fd;
}

static void readonly_paths(const struct spec *s, int root) {
  for (int i = 0; i < s->n_readonly; i++) {
    const char *path = s->readonly_paths[i];
    int fd = open_listed_path(root, path, "linux.readonlyPaths");
    if (fd < 0) continue;
    char p[64];
    fdpath(p, sizeof p, fd);
    if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) die("linux.readonlyPaths: bind %s", path);
    close(fd);
    fd = open_in_root(root, path, O_PATH);
    fdpath(p, sizeof p, fd);
    if (setattr_rec(p, MOUNT_ATTR_RDONLY, 0) < 0 && bind_remount(p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) < 0)
      die("linux.readonlyPaths: remount %s read-only", path);
    close(fd);
  }
}

static void masked_paths(const struct spec *s, int root) {
  for (int i = 0; i < s->n_masked; i++) {
    const char *path = s->masked_paths[i];
    int fd = open_listed_path(root, path, "linux.maskedPaths");
    if (fd < 0) continue;
    struct stat st;
    fstat(fd, &st);
    char p[64];
    fdpath(p, sizeof p, fd);
    int r = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0,mode=0") : mount("/dev/null", p, NULL, MS_BIND, NULL);
    if (r < 0) die("linux.maskedPaths: mask %s", path);
    close(fd);
  }
}

void rootfs_finalize(const struct spec *s, const char *cwd) {
  unsigned long prop = s->rootfs_propagation;
  if (prop && !(prop & (MS_PRIVATE | MS_SLAVE)) && mount(NULL, "/", NULL, prop, NULL) < 0) die("linux.rootfsPropagation: apply it to /");
  if (cwd && mkdir_p(cwd, 0755) < 0 && errno != EACCES) die("process.cwd: mkdir %s", cwd);
  write_sysctls(s);
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  readonly_paths(s, root);
  masked_paths(s, root);
  close(root);
  if (s->root_readonly && bind_remount("/", MS_RDONLY) < 0) die("root.readonly: remount / read-only");
}
