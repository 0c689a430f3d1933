/*
 * isobench-runtime: the container's filesystem, in its own mount namespace (runtime-spec
 * config.md "Root" and "Mounts", config-linux.md "Default filesystems", "Devices", "Default
 * devices", "maskedPaths", "readonlyPaths", "rootfsPropagation", runtime-linux.md "/dev symbolic
 * links"). Every path inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT): a hostile
 * symlink in an image cannot point a mount outside the container.
 */
#ifndef ISOBENCH_MOUNTS_H
#define ISOBENCH_MOUNTS_H
#include "cgroups.h"
#include "spec.h"

struct rootfs_hooks {
  /* Called before the first sysfs mount (it shows the mounting process's network namespace)
   * and before the first cgroup mount (the container must be in its cgroups first). */
  void (*before_sysfs)(void);
  void (*before_cgroup)(void);
};

/* Propagation of "/", the rootfs mount (bind of root.path, or the overlay of the isobench
 * annotations), the config's mounts in order, and /dev's nodes and links. Dies on error.
 * userns: the process is in a new user namespace (no mknod: devices are bind-mounted).
 * may_defer: the mounts from the first sysfs mount on may be left for rootfs_mount_tail after
 * the pivot (sysfs shows the mounting process's network namespace, which the runtime is still
 * making: the pivot need not wait for it). Returns the index of the first mount left. */
int rootfs_prepare(const struct spec *s, const struct cgroups *cg, bool userns, const struct rootfs_hooks *h, bool may_defer);
/* The mounts from index tail on, inside the new root. */
void rootfs_mount_tail(const struct spec *s, const struct cgroups *cg, bool userns, const struct rootfs_hooks *h, int tail);
/* pivot_root into the rootfs (chroot without a mount namespace; MS_MOVE with no_pivot). */
void rootfs_enter(const struct spec *s, bool no_pivot);
/* After the pivot: rootfs propagation, cwd, sysctl, readonly and masked paths, read-only
 * remounts, root.readonly. */
void rootfs_finalize(const struct spec *s, const char *cwd);
/* openat2(dirfd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), O_CLOEXEC added. */
int open_in_root(int dirfd, const char *path, int flags);
#endif
