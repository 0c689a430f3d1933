/*
 * isobench-runtime: config.json → struct spec (runtime-spec v1.1, config.md and config-linux.md).
 * Every field is type-checked; spec fields this runtime does not implement are refused by name;
 * unknown properties are ignored (config.md, "Extensibility").
 *
 * isobench annotations (the container arm's fast path, see README "Where an instance's rootfs lives"):
 *   org.isobench.rootfs.lowerdirs = "A:B"  mount an overlay of these layers on root.path, inside the
 *                                          container's mount namespace (nothing mounted on the host)
 *   org.isobench.rootfs.upperdir / org.isobench.rootfs.workdir = the overlay's writable layer on disk;
 *                                          without them the writable layer is a tmpfs of the container's own
 *   org.isobench.devices.cgroup = "v2"     on a hybrid host, the device allowlist as a BPF program on the
 *                                          container's cgroup2 dir instead of the v1 devices hierarchy
 *   org.isobench.phases = "stdout"         the init reports the start's phases (phases.h: namespaces,
 *                                          rootfs, pivot_root, exec) as "ISOBENCH <phase>" lines on its
 *                                          stdout, the channel of the workload's own readiness markers
 */
#define _GNU_SOURCE
#include "spec.h"
#include "jsonspan.h"
#include <errno.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

const char *const hook_names[HOOK_KINDS] = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};

static const char *cfg = "config.json";

void spec_set_source(const char *what) { cfg = what; }

/* ---------- typed access with one-line errors ---------- */

static _Noreturn void bad(const char *field, const char *expected) { diex("%s: %s: expected %s", cfg, field, expected); }

/* Is this value "nothing": null, {}, [], "" (a refused field given as empty asks for nothing). */
static bool empty(json_t *v) {
  return !v || json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0) || (json_is_array(v) && json_array_size(v) == 0) ||
         (json_is_string(v) && !*json_string_value(v));
}

/* Refuse spec fields this runtime does not implement, when they ask for something. */
static void refuse(json_t *obj, const char *prefix, const char *const *names) {
  for (; *names; names++) {
    json_t *v = json_object_get(obj, *names);
    if (!empty(v)) diex("%s: %s%s is not supported by " PROG, cfg, prefix, *names);
  }
}

static json_t *get_obj(json_t *o, const char *k, const char *field) {
  json_t *v = json_object_get(o, k);
  if (!v || json_is_null(v)) return NULL;
  if (!json_is_object(v)) bad(field, "an object");
  return v;
}

static json_t *get_arr(json_t *o, const char *k, const char *field) {
  json_t *v = json_object_get(o, k);
  if (!v || json_is_null(v)) return NULL;
  if (!json_is_array(v)) bad(field, "an array");
  return v;
}

static char *get_str(json_t *o, const char *k, const char *field) {
  json_t *v = json_object_get(o, k);
  if (!v || json_is_null(v)) return NULL;
  if (!json_is_string(v)) bad(field, "a string");
  return xstrdup(json_string_value(v));
}

static bool get_bool(json_t *o, const char *k, const char *field) {
  json_t *v = json_object_get(o, k);
  if (!v || json_is_null(v)) return false;
  if (!json_is_boolean(v)) bad(field, "true or false");
  return json_is_true(v);
}

/* An integer, or UNSET when absent. min/max bound it. */
static int64_t get_int(json_t *o, const char *k, const char *field, int64_t min, int64_t max) {
  json_t *v = json_object_get(o, k);
  if (!v || json_is_null(v)) return UNSET;
  if (!json_is_integer(v)) bad(field, "an integer");
  json_int_t x = json_integer_value(v);
  if (x < min || x > max) {
    char what[96];
    snprintf(what, sizeof what, "an integer in [%lld, %lld]", (long long)min, (long long)max);
    bad(field, what);
  }
  return x;
}

/* An unsigned 64-bit value (jansson stores int64: values above INT64_MAX arrive as reals or fail). */
static int64_t get_u64(json_t *o, const char *k, const char *field) {
  json_t *v = json_object_get(o, k);
  if (!v || json_is_null(v)) return UNSET;
  if (json_is_integer(v)) {
    if (json_integer_value(v) < 0) bad(field, "a non-negative integer");
    return json_integer_value(v);
  }
  if (json_is_real(v) && json_real_value(v) >= 9.2e18) return INT64_MAX; /* e.g. 2^64-1 for "unlimited" */
  bad(field, "a non-negative integer");
}

/* A string array → NULL-terminated vector. */
static char **get_strv(json_t *o, const char *k, const char *field, int *count) {
  json_t *a = get_arr(o, k, field);
  size_t n = a ? json_array_size(a) : 0;
  char **v = xcalloc(n + 1, sizeof *v);
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(a, i);
    if (!json_is_string(e)) {
      char f[256];
      snprintf(f, sizeof f, "%s[%zu]", field, i);
      bad(f, "a string");
    }
    v[i] = xstrdup(json_string_value(e));
  }
  if (count) *count = (int)n;
  return v;
}

static char *fieldf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fieldf(const char *fmt, ...) {
  static char buf[8][256];
  static int k;
  char *b = buf[k++ & 7];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b, 256, fmt, ap);
  va_end(ap);
  return b;
}

/* The array of objects at o.k (field; absent or null: none): its length in *n, the array in *a, and
 * zeroed storage for *n items of size bytes (the caller's to fill). Read each element with obj_at. */
static void *get_objs(json_t *o, const char *k, const char *field, size_t size, int *n, json_t **a) {
  *a = get_arr(o, k, field);
  *n = *a ? (int)json_array_size(*a) : 0;
  return xcalloc((size_t)*n, size);
}

/* Element i of the array a, which must be an object; name is its field ("mounts[2]") for the error. */
static json_t *obj_at(json_t *a, int i, const char *name) {
  json_t *e = json_array_get(a, (size_t)i);
  if (!json_is_object(e)) bad(name, "an object");
  return e;
}

/* ---------- capabilities ---------- */

static const char *const cap_names[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
    "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
    "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};

int cap_from_name(const char *name) {
  for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
    if (strcasecmp(name, cap_names[i]) == 0) return (int)i;
  return -1;
}

const char *cap_name(int c) { return c >= 0 && c < (int)(sizeof cap_names / sizeof *cap_names) ? cap_names[c] : "CAP_?"; }

int cap_last_cap(void) {
  static int last = -1;
  if (last >= 0) return last;
  char *t = read_file("/proc/sys/kernel/cap_last_cap", NULL);
  last = t ? atoi(t) : CAP_LAST_CAP;
  free(t);
  return last;
}

static uint64_t parse_caps(json_t *o, const char *k, const char *field) {
  int n;
  char **v = get_strv(o, k, field, &n);
  uint64_t mask = 0;
  for (int i = 0; i < n; i++) {
    int c = cap_from_name(v[i]);
    /* runc warns and skips capabilities this kernel lacks; one this build does not know is an error. */
    if (c < 0) diex("%s: %s: unknown capability \"%s\"", cfg, field, v[i]);
    if (c <= cap_last_cap()) mask |= 1ULL << c;
    free(v[i]);
  }
  free(v);
  return mask;
}

/* ---------- process ---------- */

static const struct {
  const char *name;
  int res;
} rlimit_names[] = {{"RLIMIT_AS", RLIMIT_AS},         {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_CPU", RLIMIT_CPU},
                    {"RLIMIT_DATA", RLIMIT_DATA},     {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
                    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
                    {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
                    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
                    {"RLIMIT_STACK", RLIMIT_STACK}};

static const struct {
  const char *name;
  int v;
} sched_policies[] = {{"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2}, {"SCHED_BATCH", 3}, {"SCHED_ISO", 4}, {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6}};

static const struct {
  const char *name;
  uint64_t v;
} sched_flags[] = {{"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02}, {"SCHED_FLAG_DL_OVERRUN", 0x04},
                   {"SCHED_FLAG_KEEP_POLICY", 0x08},   {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
                   {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}};

void spec_parse_process(struct process_spec *p, json_t *o, const char *where) {
  char f[64];
  snprintf(f, sizeof f, "%s", where);
  static const char *const unsupported[] = {"commandLine", "execCPUAffinity", NULL};
  char pre[80];
  snprintf(pre, sizeof pre, "%s.", where);
  refuse(o, pre, unsupported);
  p->terminal = get_bool(o, "terminal", fieldf("%s.terminal", f));
  json_t *cs = get_obj(o, "consoleSize", fieldf("%s.consoleSize", f));
  if (cs) {
    p->console_height = (unsigned)get_int(cs, "height", fieldf("%s.consoleSize.height", f), 0, 65535);
    p->console_width = (unsigned)get_int(cs, "width", fieldf("%s.consoleSize.width", f), 0, 65535);
  }
  p->cwd = get_str(o, "cwd", fieldf("%s.cwd", f));
  if (!p->cwd || p->cwd[0] != '/') bad(fieldf("%s.cwd", f), "an absolute path");
  p->args = get_strv(o, "args", fieldf("%s.args", f), &p->n_args);
  p->env = get_strv(o, "env", fieldf("%s.env", f), &p->n_env);
  json_t *rl;
  p->rlimits = get_objs(o, "rlimits", fieldf("%s.rlimits", f), sizeof *p->rlimits, &p->n_rlimits, &rl);
  for (int i = 0; i < p->n_rlimits; i++) {
    const char *rf = fieldf("%s.rlimits[%d]", f, i);
    json_t *r = obj_at(rl, i, rf);
    char *type = get_str(r, "type", fieldf("%s.type", rf));
    p->rlimits[i].resource = -1;
    for (size_t k = 0; type && k < sizeof rlimit_names / sizeof *rlimit_names; k++)
      if (strcmp(type, rlimit_names[k].name) == 0) p->rlimits[i].resource = rlimit_names[k].res;
    if (p->rlimits[i].resource < 0) diex("%s: %s.type: unknown rlimit \"%s\"", cfg, rf, type ? type : "");
    for (int k = 0; k < i; k++)
      if (p->rlimits[k].resource == p->rlimits[i].resource) diex("%s: %s.type: %s is given twice", cfg, rf, type);
    free(type);
    int64_t soft = get_u64(r, "soft", fieldf("%s.soft", rf)), hard = get_u64(r, "hard", fieldf("%s.hard", rf));
    if (soft == UNSET || hard == UNSET) bad(rf, "soft and hard");
    p->rlimits[i].soft = soft == INT64_MAX ? RLIM_INFINITY : (uint64_t)soft;
    p->rlimits[i].hard = hard == INT64_MAX ? RLIM_INFINITY : (uint64_t)hard;
  }
  p->apparmor_profile = get_str(o, "apparmorProfile", fieldf("%s.apparmorProfile", f));
  p->selinux_label = get_str(o, "selinuxLabel", fieldf("%s.selinuxLabel", f));
  json_t *caps = get_obj(o, "capabilities", fieldf("%s.capabilities", f));
  p->has_caps = caps != NULL;
  if (caps) {
    static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
    for (int i = 0; i < 5; i++) p->caps[i] = parse_caps(caps, sets[i], fieldf("%s.capabilities.%s", f, sets[i]));
  }
  p->no_new_privileges = get_bool(o, "noNewPrivileges", fieldf("%s.noNewPrivileges", f));
  int64_t oom = get_int(o, "oomScoreAdj", fieldf("%s.oomScoreAdj", f), -1000, 1000);
  p->has_oom_score_adj = oom != UNSET;
  p->oom_score_adj = oom == UNSET ? 0 : (int)oom;
  json_t *user = get_obj(o, "user", fieldf("%s.user", f));
  if (user) {
    static const char *const uns[] = {"username", NULL};
    refuse(user, fieldf("%s.user.", f), uns);
    int64_t uid = get_int(user, "uid", fieldf("%s.user.uid", f), 0, UINT32_MAX - 1);
    int64_t gid = get_int(user, "gid", fieldf("%s.user.gid", f), 0, UINT32_MAX - 1);
    p->uid = uid == UNSET ? 0 : (uint32_t)uid;
    p->gid = gid == UNSET ? 0 : (uint32_t)gid;
    int64_t um = get_int(user, "umask", fieldf("%s.user.umask", f), 0, 07777);
    p->has_umask = um != UNSET;
    p->umask = um == UNSET ? 022 : (uint32_t)um;
    json_t *g = get_arr(user, "additionalGids", fieldf("%s.user.additionalGids", f));
    p->n_gids = g ? (int)json_array_size(g) : 0;
    p->additional_gids = xcalloc((size_t)p->n_gids, sizeof(gid_t));
    for (int i = 0; i < p->n_gids; i++) {
      json_t *e = json_array_get(g, (size_t)i);
      if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) >= UINT32_MAX)
        bad(fieldf("%s.user.additionalGids[%d]", f, i), "a gid");
      p->additional_gids[i] = (gid_t)json_integer_value(e);
    }
  }
  json_t *sch = get_obj(o, "scheduler", fieldf("%s.scheduler", f));
  if (sch) {
    p->has_scheduler = true;
    char *pol = get_str(sch, "policy", fieldf("%s.scheduler.policy", f));
    p->sched_policy = -1;
    for (size_t k = 0; pol && k < sizeof sched_policies / sizeof *sched_policies; k++)
      if (strcmp(pol, sched_policies[k].name) == 0) p->sched_policy = sched_policies[k].v;
    if (p->sched_policy < 0) bad(fieldf("%s.scheduler.policy", f), "SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE");
    free(pol);
    int64_t v;
    p->sched_nice = (v = get_int(sch, "nice", fieldf("%s.scheduler.nice", f), -20, 19)) == UNSET ? 0 : (int)v;
    p->sched_priority = (v = get_int(sch, "priority", fieldf("%s.scheduler.priority", f), 0, 99)) == UNSET ? 0 : (int)v;
    p->sched_runtime = (v = get_u64(sch, "runtime", fieldf("%s.scheduler.runtime", f))) == UNSET ? 0 : (uint64_t)v;
    p->sched_deadline = (v = get_u64(sch, "deadline", fieldf("%s.scheduler.deadline", f))) == UNSET ? 0 : (uint64_t)v;
    p->sched_period = (v = get_u64(sch, "period", fieldf("%s.scheduler.period", f))) == UNSET ? 0 : (uint64_t)v;
    int nf;
    char **fl = get_strv(sch, "flags", fieldf("%s.scheduler.flags", f), &nf);
    for (int i = 0; i < nf; i++) {
      size_t k = 0;
      for (; k < sizeof sched_flags / sizeof *sched_flags; k++)
        if (strcmp(fl[i], sched_flags[k].name) == 0) break;
      if (k == sizeof sched_flags / sizeof *sched_flags) diex("%s: %s.scheduler.flags: unknown flag \"%s\"", cfg, f, fl[i]);
      p->sched_flags |= sched_flags[k].v;
    }
  }
  json_t *io = get_obj(o, "ioPriority", fieldf("%s.ioPriority", f));
  if (io) {
    p->has_io_priority = true;
    char *cl = get_str(io, "class", fieldf("%s.ioPriority.class", f));
    if (cl && strcmp(cl, "IOPRIO_CLASS_RT") == 0) p->io_class = 1;
    else if (cl && strcmp(cl, "IOPRIO_CLASS_BE") == 0) p->io_class = 2;
    else if (cl && strcmp(cl, "IOPRIO_CLASS_IDLE") == 0) p->io_class = 3;
    else bad(fieldf("%s.ioPriority.class", f), "IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE");
    free(cl);
    int64_t pr = get_int(io, "priority", fieldf("%s.ioPriority.priority", f), 0, 7);
    p->io_priority = pr == UNSET ? 0 : (int)pr;
  }
}

/* ---------- mounts ---------- */

static const struct {
  const char *name;
  int clear;            /* the option clears the flag */
  unsigned long flag;
} mount_flags[] = {{"defaults", 0, 0},           {"ro", 0, MS_RDONLY},        {"rw", 1, MS_RDONLY},          {"suid", 1, MS_NOSUID},
                   {"nosuid", 0, MS_NOSUID},     {"dev", 1, MS_NODEV},        {"nodev", 0, MS_NODEV},        {"exec", 1, MS_NOEXEC},
                   {"noexec", 0, MS_NOEXEC},     {"sync", 0, MS_SYNCHRONOUS}, {"async", 1, MS_SYNCHRONOUS},  {"dirsync", 0, MS_DIRSYNC},
                   {"remount", 0, MS_REMOUNT},   {"mand", 0, MS_MANDLOCK},    {"nomand", 1, MS_MANDLOCK},    {"atime", 1, MS_NOATIME},
                   {"noatime", 0, MS_NOATIME},   {"diratime", 1, MS_NODIRATIME}, {"nodiratime", 0, MS_NODIRATIME}, {"relatime", 0, MS_RELATIME},
                   {"norelatime", 1, MS_RELATIME}, {"strictatime", 0, MS_STRICTATIME}, {"nostrictatime", 1, MS_STRICTATIME},
                   {"lazytime", 0, MS_LAZYTIME}, {"nolazytime", 1, MS_LAZYTIME}, {"silent", 0, MS_SILENT},       {"loud", 1, MS_SILENT}};

static const struct {
  const char *name;
  unsigned long flag;
} propagations[] = {{"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED}, {"rshared", MS_SHARED | MS_REC},
                    {"slave", MS_SLAVE},     {"rslave", MS_SLAVE | MS_REC},     {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC}};

static const struct {
  const char *name;
  int clear;
  uint64_t attr;
} rec_attrs[] = {{"rro", 0, MOUNT_ATTR_RDONLY},     {"rrw", 1, MOUNT_ATTR_RDONLY},     {"rnosuid", 0, MOUNT_ATTR_NOSUID},
                 {"rsuid", 1, MOUNT_ATTR_NOSUID},   {"rnodev", 0, MOUNT_ATTR_NODEV},   {"rdev", 1, MOUNT_ATTR_NODEV},
                 {"rnoexec", 0, MOUNT_ATTR_NOEXEC}, {"rexec", 1, MOUNT_ATTR_NOEXEC},   {"rnodiratime", 0, MOUNT_ATTR_NODIRATIME},
                 {"rdiratime", 1, MOUNT_ATTR_NODIRATIME}, {"rnoatime", 0, MOUNT_ATTR_NOATIME}, {"rrelatime", 0, MOUNT_ATTR_RELATIME},
                 {"rstrictatime", 0, MOUNT_ATTR_STRICTATIME}, {"rnosymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", 1, MOUNT_ATTR_NOSYMFOLLOW}};

void mount_parse_options(struct mount_spec *m, json_t *options, const char *where) {
  size_t n = options ? json_array_size(options) : 0;
  char data[4096] = "";
  size_t dl = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(options, i);
    if (!json_is_string(e)) bad(fieldf("%s.options[%zu]", where, i), "a string");
    const char *o = json_string_value(e);
    bool known = false;
    if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0) {
      m->bind = true;
      m->recursive_bind |= o[0] == 'r';
      continue;
    }
    for (size_t k = 0; !known && k < sizeof mount_flags / sizeof *mount_flags; k++) {
      if (strcmp(o, mount_flags[k].name) != 0) continue;
      known = true;
      if (mount_flags[k].clear) m->flags &= ~mount_flags[k].flag, m->clear |= mount_flags[k].flag;
      else m->flags |= mount_flags[k].flag, m->clear &= ~mount_flags[k].flag;
    }
    for (size_t k = 0; !known && k < sizeof propagations / sizeof *propagations; k++)
      if (strcmp(o, propagations[k].name) == 0) known = true, m->propagation = propagations[k].flag;
    for (size_t k = 0; !known && k < sizeof rec_attrs / sizeof *rec_attrs; k++) {
      if (strcmp(o, rec_attrs[k].name) != 0) continue;
      known = true;
      if (rec_attrs[k].clear) m->attr_clr |= rec_attrs[k].attr;
      else m->attr_set |= rec_attrs[k].attr;
      if (rec_attrs[k].attr & MOUNT_ATTR__ATIME || rec_attrs[k].attr == MOUNT_ATTR_RELATIME) m->attr_clr |= MOUNT_ATTR__ATIME;
    }
    if (known) continue;
    if (strcmp(o, "tmpcopyup") == 0 || strncmp(o, "idmap", 5) == 0 || strncmp(o, "ridmap", 6) == 0)
      diex("%s: %s.options: \"%s\" is not supported by " PROG, cfg, where, o);
    /* Anything else is the filesystem's (mode=755, size=…, newinstance, …). */
    size_t ol = strlen(o);
    if (dl + ol + 2 >= sizeof data) bad(fieldf("%s.options", where), "fewer filesystem options (4 KiB at most)");
    if (dl) data[dl++] = ',';
    memcpy(data + dl, o, ol + 1);
    dl += ol;
  }
  m->data = dl ? xstrdup(data) : NULL;
}

static void parse_mounts(struct spec *s, json_t *doc) {
  json_t *a;
  s->mounts = get_objs(doc, "mounts", "mounts", sizeof *s->mounts, &s->n_mounts, &a);
  for (int i = 0; i < s->n_mounts; i++) {
    const char *f = fieldf("mounts[%d]", i);
    json_t *o = obj_at(a, i, f);
    static const char *const uns[] = {"uidMappings", "gidMappings", NULL};
    refuse(o, fieldf("%s.", f), uns);
    struct mount_spec *m = &s->mounts[i];
    m->destination = get_str(o, "destination", fieldf("%s.destination", f));
    if (!m->destination || m->destination[0] != '/') bad(fieldf("%s.destination", f), "an absolute path");
    m->type = get_str(o, "type", fieldf("%s.type", f));
    m->source = get_str(o, "source", fieldf("%s.source", f));
    mount_parse_options(m, get_arr(o, "options", fieldf("%s.options", f)), f);
    if (m->type && strcmp(m->type, "bind") == 0) m->bind = true;
    if (!m->bind && !m->type) bad(fieldf("%s.type", f), "a filesystem type (or the bind/rbind option)");
    if (m->bind && !m->source) bad(fieldf("%s.source", f), "the path to bind");
  }
}

/* ---------- hooks ---------- */

static void parse_hooks(struct spec *s, json_t *doc) {
  json_t *h = get_obj(doc, "hooks", "hooks");
  if (!h) return;
  for (int k = 0; k < HOOK_KINDS; k++) {
    json_t *a;
    s->hooks[k].v = get_objs(h, hook_names[k], fieldf("hooks.%s", hook_names[k]), sizeof(struct hook), &s->hooks[k].n, &a);
    for (int i = 0; i < s->hooks[k].n; i++) {
      const char *f = fieldf("hooks.%s[%d]", hook_names[k], i);
      json_t *o = obj_at(a, i, f);
      struct hook *hk = &s->hooks[k].v[i];
      hk->path = get_str(o, "path", fieldf("%s.path", f));
      if (!hk->path || hk->path[0] != '/') bad(fieldf("%s.path", f), "an absolute path");
      hk->args = get_strv(o, "args", fieldf("%s.args", f), NULL);
      hk->env = get_strv(o, "env", fieldf("%s.env", f), NULL);
      int64_t t = get_int(o, "timeout", fieldf("%s.timeout", f), 1, 86400 * 365);
      hk->timeout = t == UNSET ? 0 : (int)t;
    }
  }
}

/* ---------- linux ---------- */

static const struct {
  const char *name;
  int flag;
} ns_types[] = {{"pid", CLONE_NEWPID},       {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS}, {"ipc", CLONE_NEWIPC},
                {"uts", CLONE_NEWUTS},       {"user", CLONE_NEWUSER},   {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};

const struct ns_spec *spec_ns(const struct spec *s, int type) {
  for (int i = 0; i < s->n_namespaces; i++)
    if (s->namespaces[i].type == type) return &s->namespaces[i];
  return NULL;
}

static void parse_idmaps(json_t *lin, const char *k, struct idmap **out, int *n) {
  json_t *a;
  *out = get_objs(lin, k, fieldf("linux.%s", k), sizeof **out, n, &a);
  for (int i = 0; i < *n; i++) {
    const char *f = fieldf("linux.%s[%d]", k, i);
    json_t *o = obj_at(a, i, f);
    int64_t c = get_int(o, "containerID", fieldf("%s.containerID", f), 0, UINT32_MAX);
    int64_t h = get_int(o, "hostID", fieldf("%s.hostID", f), 0, UINT32_MAX);
    int64_t z = get_int(o, "size", fieldf("%s.size", f), 1, UINT32_MAX);
    if (c == UNSET || h == UNSET || z == UNSET) bad(f, "containerID, hostID and size");
    (*out)[i] = (struct idmap){(uint32_t)c, (uint32_t)h, (uint32_t)z};
  }
}

static struct blkio_device *parse_blkio_list(json_t *o, const char *k, const char *f0, int *n, bool weights) {
  json_t *a;
  struct blkio_device *v = get_objs(o, k, fieldf("%s.%s", f0, k), sizeof *v, n, &a);
  for (int i = 0; i < *n; i++) {
    const char *f = fieldf("%s.%s[%d]", f0, k, i);
    json_t *e = obj_at(a, i, f);
    v[i].major = get_int(e, "major", fieldf("%s.major", f), 0, INT32_MAX);
    v[i].minor = get_int(e, "minor", fieldf("%s.minor", f), 0, INT32_MAX);
    if (v[i].major == UNSET || v[i].minor == UNSET) bad(f, "major and minor");
    if (weights) {
      v[i].weight = get_int(e, "weight", fieldf("%s.weight", f), 0, 1000);
      v[i].leaf_weight = get_int(e, "leafWeight", fieldf("%s.leafWeight", f), 0, 1000);
    } else {
      v[i].rate = get_u64(e, "rate", fieldf("%s.rate", f));
      if (v[i].rate == UNSET) bad(fieldf("%s.rate", f), "a rate");
    }
  }
  return v;
}

/* An integer in [0, 2^32-1], or UNSET when absent. */
static int64_t get_u32(json_t *o, const char *k, const char *field) { return get_int(o, k, field, 0, UINT32_MAX); }

/* An array of objects that each pair a string with a number, both required (hugepageLimits'
 * {pageSize, limit}, network.priorities' {name, priority}), into parallel arrays; their length.
 * value reads the number (get_u64, get_u32). */
static int get_pairs(json_t *o, const char *k, const char *field, const char *name_k, const char *value_k,
                     int64_t (*value)(json_t *, const char *, const char *), char ***names, int64_t **values) {
  json_t *a = get_arr(o, k, field);
  int n = a ? (int)json_array_size(a) : 0;
  *names = xcalloc((size_t)n, sizeof(char *));
  *values = xcalloc((size_t)n, sizeof(int64_t));
  for (int i = 0; i < n; i++) {
    const char *f = fieldf("%s[%d]", field, i);
    json_t *e = obj_at(a, i, f);
    (*names)[i] = get_str(e, name_k, fieldf("%s.%s", f, name_k));
    (*values)[i] = value(e, value_k, fieldf("%s.%s", f, value_k));
    if (!(*names)[i] || (*values)[i] == UNSET) bad(f, fieldf("%s and %s", name_k, value_k));
  }
  return n;
}

static void parse_resources(struct resources *r, json_t *o) {
  static const char *const uns[] = {"rdma", NULL};
  refuse(o, "linux.resources.", uns);
  json_t *m = get_obj(o, "memory", "linux.resources.memory");
  r->mem_limit = r->mem_reservation = r->mem_swap = r->mem_kernel = r->mem_kernel_tcp = r->mem_swappiness = UNSET;
  r->disable_oom_killer = r->use_hierarchy = -1;
  if (m) {
    static const char *const uns_mem[] = {"checkBeforeUpdate", NULL};
    refuse(m, "linux.resources.memory.", uns_mem);
    r->mem_limit = get_int(m, "limit", "linux.resources.memory.limit", -1, INT64_MAX);
    r->mem_reservation = get_int(m, "reservation", "linux.resources.memory.reservation", -1, INT64_MAX);
    r->mem_swap = get_int(m, "swap", "linux.resources.memory.swap", -1, INT64_MAX);
    r->mem_kernel = get_int(m, "kernel", "linux.resources.memory.kernel", -1, INT64_MAX);
    r->mem_kernel_tcp = get_int(m, "kernelTCP", "linux.resources.memory.kernelTCP", -1, INT64_MAX);
    r->mem_swappiness = get_u64(m, "swappiness", "linux.resources.memory.swappiness");
    if (r->mem_swappiness != UNSET && r->mem_swappiness > 100) bad("linux.resources.memory.swappiness", "0 to 100");
    if (json_object_get(m, "disableOOMKiller")) r->disable_oom_killer = get_bool(m, "disableOOMKiller", "linux.resources.memory.disableOOMKiller");
    if (json_object_get(m, "useHierarchy")) r->use_hierarchy = get_bool(m, "useHierarchy", "linux.resources.memory.useHierarchy");
  }
  json_t *c = get_obj(o, "cpu", "linux.resources.cpu");
  r->cpu_shares = r->cpu_quota = r->cpu_burst = r->cpu_period = r->cpu_rt_runtime = r->cpu_rt_period = r->cpu_idle = UNSET;
  if (c) {
    r->cpu_shares = get_u64(c, "shares", "linux.resources.cpu.shares");
    r->cpu_quota = get_int(c, "quota", "linux.resources.cpu.quota", -1, INT64_MAX);
    r->cpu_burst = get_u64(c, "burst", "linux.resources.cpu.burst");
    r->cpu_period = get_u64(c, "period", "linux.resources.cpu.period");
    r->cpu_rt_runtime = get_int(c, "realtimeRuntime", "linux.resources.cpu.realtimeRuntime", -1, INT64_MAX);
    r->cpu_rt_period = get_u64(c, "realtimePeriod", "linux.resources.cpu.realtimePeriod");
    r->cpu_idle = get_int(c, "idle", "linux.resources.cpu.idle", 0, 1);
    r->cpus = get_str(c, "cpus", "linux.resources.cpu.cpus");
    r->mems = get_str(c, "mems", "linux.resources.cpu.mems");
  }
  json_t *p = get_obj(o, "pids", "linux.resources.pids");
  r->pids_limit = p ? get_int(p, "limit", "linux.resources.pids.limit", -1, INT64_MAX) : UNSET;
  json_t *b = get_obj(o, "blockIO", "linux.resources.blockIO");
  r->blkio_weight = r->blkio_leaf_weight = UNSET;
  if (b) {
    r->blkio_weight = get_int(b, "weight", "linux.resources.blockIO.weight", 0, 1000);
    r->blkio_leaf_weight = get_int(b, "leafWeight", "linux.resources.blockIO.leafWeight", 0, 1000);
    r->weight_device = parse_blkio_list(b, "weightDevice", "linux.resources.blockIO", &r->n_weight_device, true);
    static const char *const th[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
    for (int i = 0; i < 4; i++) r->throttle[i] = parse_blkio_list(b, th[i], "linux.resources.blockIO", &r->n_throttle[i], false);
  }
  r->n_huge = get_pairs(o, "hugepageLimits", "linux.resources.hugepageLimits", "pageSize", "limit", get_u64, &r->huge_sizes, &r->huge_limits);
  json_t *n = get_obj(o, "network", "linux.resources.network");
  r->net_class_id = UNSET;
  if (n) {
    r->net_class_id = get_int(n, "classID", "linux.resources.network.classID", 0, UINT32_MAX);
    r->n_net_prio = get_pairs(n, "priorities", "linux.resources.network.priorities", "name", "priority", get_u32, &r->net_prio_names, &r->net_prio_values);
  }
  r->unified = get_obj(o, "unified", "linux.resources.unified");
  if (r->unified) {
    const char *k;
    json_t *v;
    json_object_foreach(r->unified, k, v) {
      if (!json_is_string(v)) bad(fieldf("linux.resources.unified.%s", k), "a string");
      if (strchr(k, '/') || k[0] == '.' || !strchr(k, '.')) bad(fieldf("linux.resources.unified.%s", k), "a cgroup v2 file name (controller.key)");
    }
  }
  /* checked by devices.c (dev_rules_from_json) when the cgroup is made */
  r->devices = get_arr(o, "devices", "linux.resources.devices");
}

static void parse_linux(struct spec *s, json_t *lin) {
  static const char *const uns[] = {"intelRdt", "netDevices", "memoryPolicy", NULL};
  refuse(lin, "linux.", uns);
  json_t *ns;
  s->namespaces = get_objs(lin, "namespaces", "linux.namespaces", sizeof *s->namespaces, &s->n_namespaces, &ns);
  for (int i = 0; i < s->n_namespaces; i++) {
    const char *f = fieldf("linux.namespaces[%d]", i);
    json_t *o = obj_at(ns, i, f);
    char *type = get_str(o, "type", fieldf("%s.type", f));
    int flag = 0;
    for (size_t k = 0; type && k < sizeof ns_types / sizeof *ns_types; k++)
      if (strcmp(type, ns_types[k].name) == 0) flag = ns_types[k].flag;
    if (!flag) bad(fieldf("%s.type", f), "pid, network, mount, ipc, uts, user, cgroup or time");
    if (spec_ns(s, flag)) diex("%s: %s.type: namespace %s is given twice", cfg, f, type);
    free(type);
    s->namespaces[i].type = flag;
    s->namespaces[i].path = get_str(o, "path", fieldf("%s.path", f));
    if (s->namespaces[i].path && !*s->namespaces[i].path) {
      free(s->namespaces[i].path);
      s->namespaces[i].path = NULL;
    }
    if (s->namespaces[i].path && s->namespaces[i].path[0] != '/') bad(fieldf("%s.path", f), "an absolute path");
  }
  parse_idmaps(lin, "uidMappings", &s->uid_mappings, &s->n_uid_mappings);
  parse_idmaps(lin, "gidMappings", &s->gid_mappings, &s->n_gid_mappings);
  if ((s->n_uid_mappings || s->n_gid_mappings) && !spec_ns(s, CLONE_NEWUSER))
    diex("%s: linux.uidMappings: mappings need a user namespace in linux.namespaces", cfg);
  json_t *to = get_obj(lin, "timeOffsets", "linux.timeOffsets");
  for (int c = 0; c < 2; c++) s->time_offsets[c][0] = s->time_offsets[c][1] = UNSET;
  if (to) {
    static const char *const clocks[2] = {"monotonic", "boottime"};
    for (int c = 0; c < 2; c++) {
      json_t *o = get_obj(to, clocks[c], fieldf("linux.timeOffsets.%s", clocks[c]));
      if (!o) continue;
      s->time_offsets[c][0] = get_int(o, "secs", fieldf("linux.timeOffsets.%s.secs", clocks[c]), INT64_MIN + 1, INT64_MAX);
      s->time_offsets[c][1] = get_int(o, "nanosecs", fieldf("linux.timeOffsets.%s.nanosecs", clocks[c]), 0, 999999999);
    }
    const struct ns_spec *t = spec_ns(s, CLONE_NEWTIME);
    if (!t || t->path) diex("%s: linux.timeOffsets: offsets need a new time namespace in linux.namespaces", cfg);
  }
  json_t *dv;
  s->devices = get_objs(lin, "devices", "linux.devices", sizeof *s->devices, &s->n_devices, &dv);
  for (int i = 0; i < s->n_devices; i++) {
    const char *f = fieldf("linux.devices[%d]", i);
    json_t *o = obj_at(dv, i, f);
    struct device_spec *d = &s->devices[i];
    d->path = get_str(o, "path", fieldf("%s.path", f));
    if (!d->path || d->path[0] != '/') bad(fieldf("%s.path", f), "an absolute path");
    char *t = get_str(o, "type", fieldf("%s.type", f));
    if (!t || strlen(t) != 1 || !strchr("cbup", t[0])) bad(fieldf("%s.type", f), "\"c\", \"b\", \"u\" or \"p\"");
    d->type = t[0];
    free(t);
    d->major = get_int(o, "major", fieldf("%s.major", f), 0, INT32_MAX);
    d->minor = get_int(o, "minor", fieldf("%s.minor", f), 0, INT32_MAX);
    if (d->type != 'p' && (d->major == UNSET || d->minor == UNSET)) bad(f, "major and minor for a c, b or u device");
    d->file_mode = get_int(o, "fileMode", fieldf("%s.fileMode", f), 0, 07777);
    d->uid = get_int(o, "uid", fieldf("%s.uid", f), 0, UINT32_MAX - 1);
    d->gid = get_int(o, "gid", fieldf("%s.gid", f), 0, UINT32_MAX - 1);
  }
  s->cgroups_path = get_str(lin, "cgroupsPath", "linux.cgroupsPath");
  if (s->cgroups_path && (strstr(s->cgroups_path, "..") || !*s->cgroups_path)) bad("linux.cgroupsPath", "a path without \"..\"");
  json_t *res = get_obj(lin, "resources", "linux.resources");
  s->has_resources = res != NULL;
  if (res) parse_resources(&s->resources, res);
  else {
    parse_resources(&s->resources, json_object());
  }
  json_t *sc = get_obj(lin, "sysctl", "linux.sysctl");
  s->n_sysctl = sc ? (int)json_object_size(sc) : 0;
  s->sysctl_keys = xcalloc((size_t)s->n_sysctl, sizeof(char *));
  s->sysctl_values = xcalloc((size_t)s->n_sysctl, sizeof(char *));
  if (sc) {
    const char *k;
    json_t *v;
    int i = 0;
    json_object_foreach(sc, k, v) {
      if (!json_is_string(v)) bad(fieldf("linux.sysctl.%s", k), "a string");
      if (!*k || strstr(k, "..") || k[0] == '/' || k[0] == '.') bad("linux.sysctl", "keys such as net.ipv4.ip_forward");
      s->sysctl_keys[i] = xstrdup(k);
      s->sysctl_values[i++] = xstrdup(json_string_value(v));
    }
  }
  s->seccomp = get_obj(lin, "seccomp", "linux.seccomp");
  char *prop = get_str(lin, "rootfsPropagation", "linux.rootfsPropagation");
  if (prop && *prop) {
    for (size_t k = 0; k < sizeof propagations / sizeof *propagations; k++)
      if (strcmp(prop, propagations[k].name) == 0) s->rootfs_propagation = propagations[k].flag;
    if (!s->rootfs_propagation) bad("linux.rootfsPropagation", "shared, slave, private or unbindable (r-prefixed for recursive)");
  }
  free(prop);
  s->masked_paths = get_strv(lin, "maskedPaths", "linux.maskedPaths", &s->n_masked);
  s->readonly_paths = get_strv(lin, "readonlyPaths", "linux.readonlyPaths", &s->n_readonly);
  s->mount_label = get_str(lin, "mountLabel", "linux.mountLabel");
  json_t *pers = get_obj(lin, "personality", "linux.personality");
  if (pers) {
    char *dom = get_str(pers, "domain", "linux.personality.domain");
    if (dom && strcmp(dom, "LINUX") == 0) s->personality = PER_LINUX;
    else if (dom && strcmp(dom, "LINUX32") == 0) s->personality = PER_LINUX32;
    else bad("linux.personality.domain", "LINUX or LINUX32");
    free(dom);
    static const char *const uns_p[] = {"flags", NULL};
    refuse(pers, "linux.personality.", uns_p);
    s->has_personality = true;
  }
}

void spec_parse(struct spec *s, const char *text, const char *bundle, const char *what) {
  /* linux.seccomp stays text: replaced by null (padded, so line numbers hold) for the parse */
  size_t len = strlen(text), a, b;
  char *copy = NULL, *sc = NULL;
  if (json_member_span(text, len, "linux", "seccomp", &a, &b) && !(b - a == 4 && memcmp(text + a, "null", 4) == 0)) {
    sc = strndup(text + a, b - a);
    copy = xstrdup(text);
    memcpy(copy + a, "null", 4);
    memset(copy + a + 4, ' ', b - a - 4);
  }
  json_error_t jerr;
  json_t *doc = json_loads(copy ? copy : text, JSON_REJECT_DUPLICATES, &jerr);
  free(copy);
  if (!doc) diex("%s: line %d: %s", what, jerr.line, jerr.text);
  spec_parse_doc(s, doc, bundle, what);
  s->seccomp_text = sc;
  s->seccomp_len = sc ? b - a : 0;
}

void spec_parse_doc(struct spec *s, json_t *doc, const char *bundle, const char *what) {
  cfg = what;
  memset(s, 0, sizeof *s);
  if (!json_is_object(doc)) bad("(top level)", "an object");
  s->doc = doc;
  static const char *const uns[] = {"solaris", "windows", "vm", "zos", "freebsd", NULL};
  refuse(doc, "", uns);
  s->oci_version = get_str(doc, "ociVersion", "ociVersion");
  if (!s->oci_version) bad("ociVersion", "a version string such as \"1.1.0\"");
  if (strncmp(s->oci_version, "1.", 2) != 0) diex("%s: ociVersion: %s is not supported (1.x only)", cfg, s->oci_version);
  json_t *root = get_obj(doc, "root", "root");
  if (!root) bad("root", "an object with a path");
  char *rp = get_str(root, "path", "root.path");
  if (!rp || !*rp) bad("root.path", "a path");
  s->root_path = rp[0] == '/' ? rp : xasprintf("%s/%s", bundle, rp);
  if (rp[0] != '/') free(rp);
  s->root_readonly = get_bool(root, "readonly", "root.readonly");
  s->hostname = get_str(doc, "hostname", "hostname");
  s->domainname = get_str(doc, "domainname", "domainname");
  parse_mounts(s, doc);
  json_t *proc = get_obj(doc, "process", "process");
  s->has_process = proc != NULL;
  if (proc) spec_parse_process(&s->process, proc, "process");
  parse_hooks(s, doc);
  s->annotations = get_obj(doc, "annotations", "annotations");
  if (s->annotations) {
    const char *k;
    json_t *v;
    json_object_foreach(s->annotations, k, v) if (!json_is_string(v)) bad(fieldf("annotations.%s", k), "a string");
    s->overlay_lower = get_str(s->annotations, "org.isobench.rootfs.lowerdirs", "annotations.org.isobench.rootfs.lowerdirs");
    s->overlay_upper = get_str(s->annotations, "org.isobench.rootfs.upperdir", "annotations.org.isobench.rootfs.upperdir");
    s->overlay_work = get_str(s->annotations, "org.isobench.rootfs.workdir", "annotations.org.isobench.rootfs.workdir");
    if (!s->overlay_upper != !s->overlay_work) diex("%s: annotations: org.isobench.rootfs.upperdir and .workdir go together", cfg);
    if (s->overlay_upper && !s->overlay_lower) diex("%s: annotations: org.isobench.rootfs.upperdir needs .lowerdirs", cfg);
    char *dc = get_str(s->annotations, "org.isobench.devices.cgroup", "annotations.org.isobench.devices.cgroup");
    if (dc && strcmp(dc, "v1") && strcmp(dc, "v2")) bad("annotations.org.isobench.devices.cgroup", "v1 or v2");
    s->devices_v2 = dc && strcmp(dc, "v2") == 0;
    free(dc);
    char *ph = get_str(s->annotations, "org.isobench.phases", "annotations.org.isobench.phases");
    if (ph && strcmp(ph, "stdout")) bad("annotations.org.isobench.phases", "stdout");
    s->phase_markers = ph != NULL;
    free(ph);
    if (s->overlay_lower && (strchr(s->overlay_lower, ',') || (s->overlay_upper && (strchr(s->overlay_upper, ',') || strchr(s->overlay_work, ',')))))
      diex("%s: annotations: org.isobench.rootfs.*: paths must not contain commas", cfg);
  }
  json_t *lin = get_obj(doc, "linux", "linux");
  if (lin) parse_linux(s, lin);
  else parse_resources(&s->resources, json_object());
  if ((s->hostname || s->domainname) && !spec_ns(s, CLONE_NEWUTS))
    diex("%s: hostname: setting a hostname needs a new uts namespace in linux.namespaces", cfg);
}
