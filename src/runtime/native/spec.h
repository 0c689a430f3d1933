/*
 * isobench-runtime: a bundle's config.json (OCI runtime-spec v1.1, Linux) parsed into C.
 * Fields the spec defines and this runtime does not implement are refused by name
 * ("config.json: linux.intelRdt is not supported"); properties the spec does not define are
 * ignored, as the spec requires ("Runtimes … MUST ignore unknown properties").
 */
#ifndef ISOBENCH_SPEC_H
#define ISOBENCH_SPEC_H
#include "util.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define UNSET INT64_MIN

struct idmap {
  uint32_t container, host, size;
};

struct rlimit_spec {
  int resource;
  uint64_t soft, hard;
};

struct mount_spec {
  char *destination, *type, *source;
  unsigned long flags;    /* MS_* set by the options */
  unsigned long clear;    /* MS_* options that clear a flag (rw, suid, …): matter for remounts */
  unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE (|MS_REC) or 0 */
  uint64_t attr_set, attr_clr; /* recursive mount_setattr(2) attributes (rro, rnosuid, …) */
  bool bind, recursive_bind;
  char *data;             /* the options that are not flags, comma-joined (passed to the filesystem) */
};

struct hook {
  char *path;
  char **args, **env; /* NULL-terminated; args may be empty (argv[0] = path) */
  int timeout;        /* seconds; 0 = none */
};

struct hook_list {
  struct hook *v;
  int n;
};

enum hook_kind { HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER, HOOK_START_CONTAINER, HOOK_POSTSTART, HOOK_POSTSTOP, HOOK_KINDS };
extern const char *const hook_names[HOOK_KINDS];

struct ns_spec {
  int type; /* CLONE_NEW* */
  char *path; /* join this namespace; NULL = create one */
};

struct device_spec {
  char *path;
  char type; /* c, b, u, p */
  int64_t major, minor;
  int64_t file_mode, uid, gid; /* UNSET when absent */
};

struct process_spec {
  bool terminal;
  unsigned console_height, console_width;
  char *cwd;
  char **args, **env; /* NULL-terminated */
  int n_args, n_env;
  struct rlimit_spec *rlimits;
  int n_rlimits;
  char *apparmor_profile, *selinux_label;
  bool has_caps;
  uint64_t caps[5]; /* bounding, effective, inheritable, permitted, ambient */
  bool no_new_privileges;
  bool has_oom_score_adj;
  int oom_score_adj;
  uint32_t uid, gid;
  bool has_umask;
  uint32_t umask;
  gid_t *additional_gids;
  int n_gids;
  /* process.scheduler (sched_setattr) and process.ioPriority */
  bool has_scheduler;
  int sched_policy, sched_nice, sched_priority;
  uint64_t sched_flags, sched_runtime, sched_deadline, sched_period;
  bool has_io_priority;
  int io_class, io_priority;
};

enum cap_set { CAP_BOUNDING, CAP_EFFECTIVE, CAP_INHERITABLE, CAP_PERMITTED, CAP_AMBIENT };

struct blkio_device {
  int64_t major, minor, weight, leaf_weight, rate;
};

struct resources {
  /* memory */
  int64_t mem_limit, mem_reservation, mem_swap, mem_kernel, mem_kernel_tcp, mem_swappiness;
  int disable_oom_killer, use_hierarchy; /* -1 unset, 0/1 */
  /* cpu */
  int64_t cpu_shares, cpu_quota, cpu_burst, cpu_period, cpu_rt_runtime, cpu_rt_period, cpu_idle;
  char *cpus, *mems;
  /* pids */
  int64_t pids_limit;
  /* blockIO */
  int64_t blkio_weight, blkio_leaf_weight;
  struct blkio_device *weight_device, *throttle[4]; /* read bps, write bps, read iops, write iops */
  int n_weight_device, n_throttle[4];
  /* hugepageLimits */
  char **huge_sizes;
  int64_t *huge_limits;
  int n_huge;
  /* network */
  int64_t net_class_id;
  char **net_prio_names;
  int64_t *net_prio_values;
  int n_net_prio;
  /* unified (cgroup v2 files) */
  json_t *unified;
  /* devices: the OCI list of {allow,type,major,minor,access}, as the device cgroup code takes it */
  json_t *devices;
};

struct spec {
  json_t *doc; /* the whole config, owned */
  char *oci_version;
  char *root_path; /* absolute (resolved against the bundle) */
  bool root_readonly;
  char *hostname, *domainname;
  struct mount_spec *mounts;
  int n_mounts;
  struct process_spec process;
  bool has_process;
  struct hook_list hooks[HOOK_KINDS];
  json_t *annotations; /* borrowed from doc, may be NULL */
  /* linux */
  struct ns_spec *namespaces;
  int n_namespaces;
  struct idmap *uid_mappings, *gid_mappings;
  int n_uid_mappings, n_gid_mappings;
  int64_t time_offsets[2][2]; /* [monotonic, boottime][secs, nanosecs], UNSET when absent */
  struct device_spec *devices;
  int n_devices;
  char *cgroups_path; /* NULL when absent */
  bool has_resources;
  struct resources resources;
  char **sysctl_keys, **sysctl_values;
  int n_sysctl;
  json_t *seccomp; /* borrowed; NULL when absent or left as text */
  char *seccomp_text; /* linux.seccomp as written in config.json (spec_parse leaves it unparsed: see jsonspan.h) */
  size_t seccomp_len;
  unsigned long rootfs_propagation; /* 0 = default */
  char **masked_paths, **readonly_paths;
  int n_masked, n_readonly;
  char *mount_label;
  bool has_personality;
  unsigned long personality;
  /* isobench's own annotations (see spec.c): an overlay rootfs mounted by the runtime */
  char *overlay_lower; /* "A:B" lowerdirs; NULL = root.path is used as it is */
  char *overlay_upper, *overlay_work; /* NULL with overlay_lower = a tmpfs writable layer */
  bool devices_v2; /* org.isobench.devices.cgroup = "v2": the device allowlist as a cgroup2 BPF program on a hybrid host */
  bool phase_markers; /* org.isobench.phases = "stdout": the start's phases (phases.h) as marker lines on the init's stdout */
};

/* Parse config.json text; `bundle` resolves a relative root.path. Dies with
 * "config.json: <field>: <what was expected>" on a bad or unsupported field. */
void spec_parse(struct spec *s, const char *json_text, const char *bundle, const char *what);
/* The same from a parsed document (the copy kept in state.json); takes ownership of doc. */
void spec_parse_doc(struct spec *s, json_t *doc, const char *bundle, const char *what);
/* The file name errors start with ("config.json", "process.json"). */
void spec_set_source(const char *what);
/* Parse one process object (exec --process); dies on a bad field the same way. */
void spec_parse_process(struct process_spec *p, json_t *obj, const char *what);

/* The namespace of this type in the config, or NULL. */
const struct ns_spec *spec_ns(const struct spec *s, int type);
/* Capability name ("CAP_CHOWN") → number, -1 if unknown to this build. */
int cap_from_name(const char *name);
/* Capability number → name ("CAP_CHOWN"). */
const char *cap_name(int c);
/* The highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap). */
int cap_last_cap(void);
/* Resolve a mount option string into *m (flags, propagation, data); unknown options go to data. */
void mount_parse_options(struct mount_spec *m, json_t *options, const char *where);
#endif
