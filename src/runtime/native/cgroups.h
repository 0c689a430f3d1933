/*
 * isobench-runtime: a container's cgroups on cgroup v1, v2 and hybrid hosts, from linux.cgroupsPath
 * and linux.resources (runtime-spec config-linux.md "Control groups"; v1 file names from the
 * kernel's Documentation/admin-guide/cgroup-v1, v2 from cgroup-v2.rst; OCI → v2 conversions as
 * runc's, opencontainers/cgroups).
 *
 * Paths: an absolute cgroupsPath is taken from each hierarchy's root; a relative one (and the
 * default, the container id) from the runtime's own cgroup in that hierarchy, as runc does.
 * v1 hierarchies joined: memory and cpuacct always (usage is read back), and cpu, cpuset, pids,
 * blkio, devices, hugetlb, net_cls/net_prio when the resources ask for them: every extra v1
 * hierarchy costs ≈ 65 µs of mkdir + migration + rmdir per container here. On a hybrid host,
 * controllers only the cgroup2 mount has (hugetlb on this one) and linux.resources.unified go to
 * the container's cgroup there.
 */
#ifndef ISOBENCH_CGROUPS_H
#define ISOBENCH_CGROUPS_H
#include "spec.h"

#define CG_MAX 16

struct cgroups {
  int n;
  char *dirs[CG_MAX];       /* created (or joined) cgroup directories, in creation order */
  char *controllers[CG_MAX]; /* "memory", "cpu,cpuacct", "unified" (a cgroup2 dir) … */
  char *mounts[CG_MAX];     /* the hierarchy's mount point (planning only) */
  bool created[CG_MAX];     /* made by us: removed at delete */
  char *created_top[CG_MAX]; /* the shallowest ancestor we made for it (removed too, when empty), or NULL */
  int v2;                   /* index of the cgroup2 dir, or -1 */
  bool pure_v2;             /* a v2-only host: every resource goes to that dir */
};

/* "v1", "v2", "hybrid" or "none" for this host. */
const char *cg_mode(void);
/* Plan the cgroups of a container: their paths, from /proc/self/mountinfo and /proc/self/cgroup
 * (no change on the host). 0, or -1 with a message naming the config field in err. */
int cg_plan(const struct spec *s, const char *id, struct cgroups *cg, char *err, size_t errlen);
/* Create the planned cgroups and write the resources, the v1 hierarchies or the cgroup2 dir
 * (nothing joined yet). 0, or -1 (err names the field). */
enum cg_part { CG_V1, CG_V2 };
int cg_apply(const struct spec *s, struct cgroups *cg, enum cg_part part, char *err, size_t errlen);
/*
 * The calling process, single-threaded, moves itself into the cgroups (v1: "0" into each
 * hierarchy's `tasks`; the cgroup2 dir, with with_v2, through cgroup.procs). Moving a process by
 * pid through cgroup.procs takes the kernel's global cgroup_threadgroup_rwsem for writing, which
 * waits for an RCU grace period whenever no migration happened in the last ~10 ms: about 10 ms
 * measured here, more than a whole container start. A thread moving itself through `tasks` skips
 * that lock (kernel/cgroup/cgroup.c, cgroup_procs_write_start): about 25 us. On cgroup2 the init
 * is cloned straight into its cgroup (CLONE_INTO_CGROUP) instead. Paths are resolved from
 * host_root, an fd of the host's "/" opened before the process changed its mount namespace or
 * root. Dies on failure.
 */
void cg_join_self(const struct cgroups *cg, bool with_v2, int host_root);
/* Move pid into the cgroups through cgroup.procs (the slow path above: for a process in a user
 * namespace, which cannot write the host's cgroup files). 0 or -1 (err). */
int cg_join(const struct cgroups *cg, pid_t pid, bool with_v2, char *err, size_t errlen);
/* Kill what is left in the cgroups (SIGKILL) and remove the ones we made (retrying EBUSY). */
void cg_destroy(const struct cgroups *cg);
/* The pids in the container's cgroup (the first dir's cgroup.procs); count, or -1. *pids is malloc'd. */
int cg_pids(const struct cgroups *cg, pid_t **pids);
/* Host path of the container's cgroup in the hierarchy mounted with these options ("memory",
 * "cpu", "name=systemd"), or NULL: for /sys/fs/cgroup mounts without a cgroup namespace. */
const char *cg_dir_for(const struct cgroups *cg, const char *controller);

/* State (state.json's "cgroups"): {"dirs":[…],"controllers":[…],"created":[…]}. */
json_t *cg_to_json(const struct cgroups *cg);
void cg_from_json(struct cgroups *cg, json_t *j);

/* The cgroup mounts of this host (for a `cgroup` mount inside a container). */
struct cg_mount {
  char *mountpoint; /* host path */
  char *options;    /* super options: "cpu", "cpu,cpuacct", "name=systemd", or NULL for cgroup2 */
  char *root;       /* the mount's root inside the hierarchy ("/") */
};
int cg_mounts(const struct cg_mount **out);
/* Does any mount of this process's namespace take part in propagation (shared or slave)? From the
 * same read of /proc/self/mountinfo. When none does, making "/" rprivate changes nothing. */
bool host_mounts_propagate(void);
#endif
