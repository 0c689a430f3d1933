/* isobench-runtime: cgroups v1 / v2 / hybrid (see cgroups.h). */
#define _GNU_SOURCE
#include "cgroups.h"
#include "devices.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------- the host's cgroup mounts (/proc/self/mountinfo) and our own cgroup (/proc/self/cgroup) ---------- */

static struct cg_mount mounts[32];
static int n_mounts = -1, v2_mount = -1;
static bool any_propagation;

bool host_mounts_propagate(void) {
  const struct cg_mount *m;
  cg_mounts(&m);
  return any_propagation;
}

int cg_mounts(const struct cg_mount **out) {
  if (n_mounts < 0) {
    n_mounts = 0;
    char *t = read_file("/proc/self/mountinfo", NULL);
    for (char *line = t, *next; line && *line; line = next) {
      next = strchr(line, '\n');
      if (next) *next++ = 0;
      else next = line + strlen(line);
      /* id parent maj:min root mountpoint options [optional…] - fstype source superoptions */
      char *f[6] = {0};
      char *p = line;
      for (int i = 0; i < 5 && p; i++) {
        f[i] = p;
        p = strchr(p, ' ');
        if (p) *p++ = 0;
      }
      char *sep = p ? strstr(p, " - ") : NULL;
      if (!sep || !f[4]) continue;
      /* optional fields (between the mount options and " - "): shared:N / master:N */
      for (char *o = p; o && o < sep; o = strchr(o + 1, ' '))
        if (strncmp(o + (*o == ' '), "shared:", 7) == 0 || strncmp(o + (*o == ' '), "master:", 7) == 0) any_propagation = true;
      char *fstype = sep + 3, *src = strchr(fstype, ' ');
      if (!src) continue;
      *src++ = 0;
      char *super = strchr(src, ' ');
      if (!super) continue;
      super++;
      bool v1 = strcmp(fstype, "cgroup") == 0, v2 = strcmp(fstype, "cgroup2") == 0;
      if ((!v1 && !v2) || n_mounts >= 32) continue;
      /* The same hierarchy mounted twice: keep the first. */
      bool dup = false;
      for (int i = 0; i < n_mounts && !dup; i++) dup = strcmp(mounts[i].mountpoint, f[4]) == 0;
      if (dup) continue;
      struct cg_mount *m = &mounts[n_mounts];
      m->mountpoint = xstrdup(f[4]);
      m->root = xstrdup(f[3]);
      if (v1) {
        /* super options minus rw/ro and the like: the controllers and name= */
        char opts[512] = "";
        for (char *tok = strtok(super, ","); tok; tok = strtok(NULL, ",")) {
          if (!strcmp(tok, "rw") || !strcmp(tok, "ro") || !strncmp(tok, "release_agent", 13) || !strcmp(tok, "clone_children") ||
              !strcmp(tok, "noprefix") || !strcmp(tok, "xattr") || !strcmp(tok, "cpuset_v2_mode"))
            continue;
          if (*opts) strncat(opts, ",", sizeof opts - strlen(opts) - 1);
          strncat(opts, tok, sizeof opts - strlen(opts) - 1);
        }
        m->options = xstrdup(opts);
      } else {
        if (v2_mount < 0) v2_mount = n_mounts;
      }
      n_mounts++;
    }
    free(t);
  }
  *out = mounts;
  return n_mounts;
}

static bool has_token(const char *list, const char *tok) {
  size_t n = strlen(tok);
  for (const char *p = list; p && *p;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    if (len == n && strncmp(p, tok, n) == 0) return true;
    p = c ? c + 1 : NULL;
  }
  return false;
}

static const struct cg_mount *v1_mount_of(const char *controller) {
  const struct cg_mount *m;
  int n = cg_mounts(&m);
  for (int i = 0; i < n; i++)
    if (m[i].options && has_token(m[i].options, controller)) return &m[i];
  return NULL;
}

static bool any_v1(void) {
  const struct cg_mount *m;
  int n = cg_mounts(&m);
  for (int i = 0; i < n; i++)
    if (m[i].options && *m[i].options && strncmp(m[i].options, "name=", 5) != 0) return true;
  return false;
}

const char *cg_mode(void) {
  const struct cg_mount *m;
  cg_mounts(&m);
  bool v1 = any_v1();
  if (v1) return v2_mount >= 0 ? "hybrid" : "v1";
  return v2_mount >= 0 ? "v2" : "none";
}

static char *v2_controllers(const char *dir) {
  char p[4200];
  snprintf(p, sizeof p, "%s/cgroup.controllers", dir);
  char *t = read_file(p, NULL);
  if (t) t[strcspn(t, "\n")] = 0;
  return t;
}

/* Our own cgroup in the hierarchy whose /proc/self/cgroup entry matches (controller list or "" for v2). */
static char *own_cgroup(const char *controller) {
  char *t = read_file("/proc/self/cgroup", NULL), *out = NULL;
  for (char *line = t ? strtok(t, "\n") : NULL; line && !out; line = strtok(NULL, "\n")) {
    char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
    if (!b) continue;
    *b = 0;
    bool match = controller ? has_token(a + 1, controller) : (a[1] == 0);
    if (match) out = xstrdup(b + 1);
  }
  free(t);
  return out ? out : xstrdup("/");
}

/* ---------- writing files ---------- */

struct ctx {
  char *err;
  size_t errlen;
};

static int failf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failf(struct ctx *c, const char *fmt, ...) {
  int e = errno;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(c->err, c->errlen, fmt, ap);
  va_end(ap);
  if (e && k >= 0 && (size_t)k < c->errlen) snprintf(c->err + k, c->errlen - (size_t)k, ": %s", strerror(e));
  errno = e;
  return -1;
}

/* Write value to dir/file; field names the config field for the error. */
static int cgw(struct ctx *c, const char *dir, const char *file, const char *value, const char *field) {
  char p[4200];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  if (write_file(p, value, strlen(value)) == 0) return 0;
  if (errno == ENOENT) return errno = 0, failf(c, "%s: this host's cgroups have no %s (in %s)", field, file, dir);
  return failf(c, "%s: write %s to %s", field, value, p);
}

static int cgw_int(struct ctx *c, const char *dir, const char *file, int64_t v, const char *field) {
  char b[32];
  snprintf(b, sizeof b, "%lld", (long long)v);
  return cgw(c, dir, file, b, field);
}

/* cgw_int when the config sets v and not to 0: for these limits runtime-spec's 0, like an absent
 * field, leaves the kernel's value (runc's v1 code skips them alike); 0 when nothing is written. */
static int cgw_set(struct ctx *c, const char *dir, const char *file, int64_t v, const char *field) {
  return v == UNSET || v == 0 ? 0 : cgw_int(c, dir, file, v, field);
}

static bool file_exists(const char *dir, const char *file) {
  char p[4200];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  return access(p, F_OK) == 0;
}

/* ---------- devices (linux.resources.devices, plus the devices every container gets) ---------- */

/* runc's default allow list (libcontainer/specconv AllowedDevices): the nodes it creates in /dev and the pty ones. */
static const struct dev_rule default_allowed[] = {
    {1, 'c', DEV_WILDCARD, DEV_WILDCARD, DEV_ACC_MKNOD}, {1, 'b', DEV_WILDCARD, DEV_WILDCARD, DEV_ACC_MKNOD},
    {1, 'c', 1, 3, DEV_ACC_ALL},   {1, 'c', 1, 8, DEV_ACC_ALL}, {1, 'c', 1, 7, DEV_ACC_ALL}, {1, 'c', 5, 0, DEV_ACC_ALL},
    {1, 'c', 1, 5, DEV_ACC_ALL},   {1, 'c', 1, 9, DEV_ACC_ALL}, {1, 'c', 136, DEV_WILDCARD, DEV_ACC_ALL}, {1, 'c', 5, 2, DEV_ACC_ALL},
    {1, 'c', 10, 200, DEV_ACC_ALL}};

/* The config's rules (devices.c reads them), then, when it restricts devices, runc's defaults and
 * the nodes of linux.devices; -1 with err. */
static int device_rules(const struct spec *s, struct dev_rule **out, struct ctx *c) {
  json_t *rules = s->resources.devices;
  size_t n = json_array_size(rules);
  size_t total = n + sizeof default_allowed / sizeof *default_allowed + (size_t)s->n_devices;
  struct dev_rule *r = xcalloc(total, sizeof *r);
  char e[512];
  int k = n ? dev_rules_from_json(rules, r, total, e, sizeof e) : 0;
  if (k < 0) {
    free(r);
    return errno = 0, failf(c, "linux.resources.devices: %s", e);
  }
  if (n > 0) {
    for (size_t i = 0; i < sizeof default_allowed / sizeof *default_allowed; i++) r[k++] = default_allowed[i];
    for (int i = 0; i < s->n_devices; i++) {
      const struct device_spec *d = &s->devices[i];
      if (d->type == 'p') continue;
      r[k++] = (struct dev_rule){1, d->type == 'b' ? 'b' : 'c', d->major, d->minor, DEV_ACC_ALL};
    }
  }
  *out = r;
  return k;
}

/* The device rules (device_rules) onto the cgroup directory d: v1's devices.allow/devices.deny, or on
 * v2 the BPF_PROG_TYPE_CGROUP_DEVICE program attached to d (devices.h); 0, or -1 with err prefixed
 * "linux.resources.devices: ". */
static int set_devices(const struct spec *s, const char *d, bool v2, struct ctx *c) {
  struct dev_rule *rules = NULL;
  int n = device_rules(s, &rules, c);
  if (n < 0) return -1;
  int rc;
  if (v2) {
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    rc = fd < 0 ? -1 : dev_apply_v2(fd, rules, (size_t)n, c->err, c->errlen);
    if (fd < 0) snprintf(c->err, c->errlen, "open %s: %s", d, strerror(errno));
    else close(fd);
  } else {
    rc = dev_apply_v1(d, rules, (size_t)n, c->err, c->errlen);
  }
  free(rules);
  if (rc >= 0) return 0;
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s", c->err);
  snprintf(c->err, c->errlen, "linux.resources.devices: %s", tmp);
  return -1;
}

/* ---------- v1 ---------- */

static int set_v1(const struct spec *s, struct cgroups *cg, struct ctx *c) {
  const struct resources *r = &s->resources;
  for (int i = 0; i < cg->n; i++) {
    if (i == cg->v2) continue;
    const char *d = cg->dirs[i], *ctl = cg->controllers[i];
    if (has_token(ctl, "memory")) {
      if (cgw_set(c, d, "memory.limit_in_bytes", r->mem_limit, "linux.resources.memory.limit") < 0) return -1;
      if (r->mem_swap != UNSET && r->mem_swap != 0) {
        if (!file_exists(d, "memory.memsw.limit_in_bytes"))
          return errno = 0, failf(c, "linux.resources.memory.swap: this kernel does not account swap (no memory.memsw.limit_in_bytes)");
        if (cgw_int(c, d, "memory.memsw.limit_in_bytes", r->mem_swap, "linux.resources.memory.swap") < 0) return -1;
      }
      if (cgw_set(c, d, "memory.soft_limit_in_bytes", r->mem_reservation, "linux.resources.memory.reservation") < 0) return -1;
      if (cgw_set(c, d, "memory.kmem.limit_in_bytes", r->mem_kernel, "linux.resources.memory.kernel") < 0) return -1;
      if (cgw_set(c, d, "memory.kmem.tcp.limit_in_bytes", r->mem_kernel_tcp, "linux.resources.memory.kernelTCP") < 0) return -1;
      if (r->mem_swappiness != UNSET && cgw_int(c, d, "memory.swappiness", r->mem_swappiness, "linux.resources.memory.swappiness") < 0) return -1;
      if (r->disable_oom_killer == 1 && cgw(c, d, "memory.oom_control", "1", "linux.resources.memory.disableOOMKiller") < 0) return -1;
      if (r->use_hierarchy >= 0 && cgw(c, d, "memory.use_hierarchy", r->use_hierarchy ? "1" : "0", "linux.resources.memory.useHierarchy") < 0) return -1;
    }
    if (has_token(ctl, "cpu")) {
      if (cgw_set(c, d, "cpu.shares", r->cpu_shares, "linux.resources.cpu.shares") < 0) return -1;
      if (cgw_set(c, d, "cpu.cfs_period_us", r->cpu_period, "linux.resources.cpu.period") < 0) return -1;
      if (cgw_set(c, d, "cpu.cfs_quota_us", r->cpu_quota, "linux.resources.cpu.quota") < 0) return -1;
      if (r->cpu_burst != UNSET && cgw_int(c, d, "cpu.cfs_burst_us", r->cpu_burst, "linux.resources.cpu.burst") < 0) return -1;
      if (cgw_set(c, d, "cpu.rt_period_us", r->cpu_rt_period, "linux.resources.cpu.realtimePeriod") < 0) return -1;
      if (cgw_set(c, d, "cpu.rt_runtime_us", r->cpu_rt_runtime, "linux.resources.cpu.realtimeRuntime") < 0) return -1;
      if (r->cpu_idle != UNSET && cgw_int(c, d, "cpu.idle", r->cpu_idle, "linux.resources.cpu.idle") < 0) return -1;
    }
    if (has_token(ctl, "cpuset")) {
      if (r->cpus && *r->cpus && cgw(c, d, "cpuset.cpus", r->cpus, "linux.resources.cpu.cpus") < 0) return -1;
      if (r->mems && *r->mems && cgw(c, d, "cpuset.mems", r->mems, "linux.resources.cpu.mems") < 0) return -1;
    }
    if (has_token(ctl, "pids") && r->pids_limit != UNSET) {
      if (r->pids_limit > 0 ? cgw_int(c, d, "pids.max", r->pids_limit, "linux.resources.pids.limit") < 0
                            : cgw(c, d, "pids.max", "max", "linux.resources.pids.limit") < 0)
        return -1;
    }
    if (has_token(ctl, "blkio")) {
      /* CFQ's files, or BFQ's where CFQ is gone (kernels ≥ 5.0): runc's fallback. */
      bool bfq = !file_exists(d, "blkio.weight") && file_exists(d, "blkio.bfq.weight");
      if (cgw_set(c, d, bfq ? "blkio.bfq.weight" : "blkio.weight", r->blkio_weight, "linux.resources.blockIO.weight") < 0) return -1;
      if (cgw_set(c, d, "blkio.leaf_weight", r->blkio_leaf_weight, "linux.resources.blockIO.leafWeight") < 0) return -1;
      char line[128];
      for (int k = 0; k < r->n_weight_device; k++) {
        const struct blkio_device *w = &r->weight_device[k];
        if (w->weight != UNSET) {
          snprintf(line, sizeof line, "%lld:%lld %lld", (long long)w->major, (long long)w->minor, (long long)w->weight);
          if (cgw(c, d, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device", line, "linux.resources.blockIO.weightDevice") < 0) return -1;
        }
        if (w->leaf_weight != UNSET) {
          snprintf(line, sizeof line, "%lld:%lld %lld", (long long)w->major, (long long)w->minor, (long long)w->leaf_weight);
          if (cgw(c, d, "blkio.leaf_weight_device", line, "linux.resources.blockIO.weightDevice") < 0) return -1;
        }
      }
      static const char *const files[4] = {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
                                           "blkio.throttle.write_iops_device"};
      static const char *const fields[4] = {"linux.resources.blockIO.throttleReadBpsDevice", "linux.resources.blockIO.throttleWriteBpsDevice",
                                            "linux.resources.blockIO.throttleReadIOPSDevice", "linux.resources.blockIO.throttleWriteIOPSDevice"};
      for (int t = 0; t < 4; t++)
        for (int k = 0; k < r->n_throttle[t]; k++) {
          const struct blkio_device *w = &r->throttle[t][k];
          snprintf(line, sizeof line, "%lld:%lld %lld", (long long)w->major, (long long)w->minor, (long long)w->rate);
          if (cgw(c, d, files[t], line, fields[t]) < 0) return -1;
        }
    }
    if (has_token(ctl, "hugetlb"))
      for (int k = 0; k < r->n_huge; k++) {
        char f[128];
        snprintf(f, sizeof f, "hugetlb.%s.limit_in_bytes", r->huge_sizes[k]);
        if (cgw_int(c, d, f, r->huge_limits[k], "linux.resources.hugepageLimits") < 0) return -1;
      }
    if (has_token(ctl, "net_cls") && r->net_class_id != UNSET &&
        cgw_int(c, d, "net_cls.classid", r->net_class_id, "linux.resources.network.classID") < 0)
      return -1;
    if (has_token(ctl, "net_prio"))
      for (int k = 0; k < r->n_net_prio; k++) {
        char line[128];
        snprintf(line, sizeof line, "%s %lld", r->net_prio_names[k], (long long)r->net_prio_values[k]);
        if (cgw(c, d, "net_prio.ifpriomap", line, "linux.resources.network.priorities") < 0) return -1;
      }
    if (has_token(ctl, "devices") && set_devices(s, d, false, c) < 0) return -1;
  }
  return 0;
}

/* ---------- v2 (a pure v2 host, or the cgroup2 part of a hybrid one) ---------- */

/* Docker's cpu shares (2–262144) → cgroup v2 cpu.weight (1–10000), as runc converts. */
static uint64_t shares_to_weight(uint64_t shares) { return shares == 0 ? 0 : 1 + ((shares - 2) * 9999) / 262142; }
/* blkio weight (10–1000) → io.weight (1–10000). */
static uint64_t blkio_to_io_weight(uint64_t w) { return w == 0 ? 0 : 1 + (w - 10) * 9999 / 990; }

static int set_v2(const struct spec *s, const char *d, bool pure, struct ctx *c) {
  const struct resources *r = &s->resources;
  char b[256];
  if (pure) {
    if (r->mem_limit != UNSET && r->mem_limit != 0 &&
        (r->mem_limit < 0 ? cgw(c, d, "memory.max", "max", "linux.resources.memory.limit") : cgw_int(c, d, "memory.max", r->mem_limit, "linux.resources.memory.limit")) < 0)
      return -1;
    if (r->mem_reservation != UNSET && r->mem_reservation != 0 &&
        (r->mem_reservation < 0 ? cgw(c, d, "memory.low", "max", "linux.resources.memory.reservation")
                                : cgw_int(c, d, "memory.low", r->mem_reservation, "linux.resources.memory.reservation")) < 0)
      return -1;
    if (r->mem_swap != UNSET && r->mem_swap != 0) {
      /* OCI's swap is memory+swap; v2's memory.swap.max is swap alone. */
      if (r->mem_swap > 0 && (r->mem_limit == UNSET || r->mem_limit <= 0))
        return errno = 0, failf(c, "linux.resources.memory.swap: on cgroup v2 a swap limit needs a memory limit");
      if (r->mem_swap > 0 && r->mem_swap < r->mem_limit)
        return errno = 0, failf(c, "linux.resources.memory.swap: must be at least linux.resources.memory.limit (it counts memory + swap)");
      if (r->mem_swap < 0 ? cgw(c, d, "memory.swap.max", "max", "linux.resources.memory.swap") < 0
                          : cgw_int(c, d, "memory.swap.max", r->mem_swap - r->mem_limit, "linux.resources.memory.swap") < 0)
        return -1;
    }
    if (r->mem_kernel != UNSET && r->mem_kernel != 0) return errno = 0, failf(c, "linux.resources.memory.kernel: cgroup v2 has no kernel-memory limit");
    if (r->mem_kernel_tcp != UNSET && r->mem_kernel_tcp != 0) return errno = 0, failf(c, "linux.resources.memory.kernelTCP: cgroup v2 has no kernel TCP memory limit");
    if (r->mem_swappiness != UNSET) return errno = 0, failf(c, "linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness");
    if (r->disable_oom_killer == 1) return errno = 0, failf(c, "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer");
    if (r->cpu_shares != UNSET && r->cpu_shares != 0) {
      snprintf(b, sizeof b, "%llu", (unsigned long long)shares_to_weight((uint64_t)r->cpu_shares));
      if (cgw(c, d, "cpu.weight", b, "linux.resources.cpu.shares") < 0) return -1;
    }
    if ((r->cpu_quota != UNSET && r->cpu_quota != 0) || (r->cpu_period != UNSET && r->cpu_period != 0)) {
      long long period = r->cpu_period != UNSET && r->cpu_period != 0 ? r->cpu_period : 100000;
      if (r->cpu_quota != UNSET && r->cpu_quota > 0) snprintf(b, sizeof b, "%lld %lld", (long long)r->cpu_quota, period);
      else snprintf(b, sizeof b, "max %lld", period);
      if (cgw(c, d, "cpu.max", b, "linux.resources.cpu.quota") < 0) return -1;
    }
    if (r->cpu_burst != UNSET && cgw_int(c, d, "cpu.max.burst", r->cpu_burst, "linux.resources.cpu.burst") < 0) return -1;
    if (r->cpu_idle != UNSET && cgw_int(c, d, "cpu.idle", r->cpu_idle, "linux.resources.cpu.idle") < 0) return -1;
    if ((r->cpu_rt_runtime != UNSET && r->cpu_rt_runtime != 0) || (r->cpu_rt_period != UNSET && r->cpu_rt_period != 0))
      return errno = 0, failf(c, "linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time CPU limits");
    if (r->cpus && *r->cpus && cgw(c, d, "cpuset.cpus", r->cpus, "linux.resources.cpu.cpus") < 0) return -1;
    if (r->mems && *r->mems && cgw(c, d, "cpuset.mems", r->mems, "linux.resources.cpu.mems") < 0) return -1;
    if (r->pids_limit != UNSET &&
        (r->pids_limit > 0 ? cgw_int(c, d, "pids.max", r->pids_limit, "linux.resources.pids.limit") : cgw(c, d, "pids.max", "max", "linux.resources.pids.limit")) < 0)
      return -1;
    if (r->blkio_weight != UNSET && r->blkio_weight != 0) {
      bool bfq = file_exists(d, "io.bfq.weight");
      snprintf(b, sizeof b, "%llu", bfq ? (unsigned long long)r->blkio_weight : (unsigned long long)blkio_to_io_weight((uint64_t)r->blkio_weight));
      if (cgw(c, d, bfq ? "io.bfq.weight" : "io.weight", b, "linux.resources.blockIO.weight") < 0) return -1;
    }
    if (r->blkio_leaf_weight != UNSET && r->blkio_leaf_weight != 0) return errno = 0, failf(c, "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights");
    for (int k = 0; k < r->n_weight_device; k++) {
      const struct blkio_device *w = &r->weight_device[k];
      if (w->weight == UNSET) continue;
      bool bfq = file_exists(d, "io.bfq.weight");
      snprintf(b, sizeof b, "%lld:%lld %llu", (long long)w->major, (long long)w->minor,
               bfq ? (unsigned long long)w->weight : (unsigned long long)blkio_to_io_weight((uint64_t)w->weight));
      if (cgw(c, d, bfq ? "io.bfq.weight" : "io.weight", b, "linux.resources.blockIO.weightDevice") < 0) return -1;
    }
    static const char *const keys[4] = {"rbps", "wbps", "riops", "wiops"};
    for (int t = 0; t < 4; t++)
      for (int k = 0; k < r->n_throttle[t]; k++) {
        const struct blkio_device *w = &r->throttle[t][k];
        snprintf(b, sizeof b, "%lld:%lld %s=%lld", (long long)w->major, (long long)w->minor, keys[t], (long long)w->rate);
        if (cgw(c, d, "io.max", b, "linux.resources.blockIO.throttle*Device") < 0) return -1;
      }
    if (r->net_class_id != UNSET || r->n_net_prio > 0) return errno = 0, failf(c, "linux.resources.network: cgroup v2 has no net_cls/net_prio controllers");
  }
  for (int k = 0; k < r->n_huge; k++) {
    char f[128];
    snprintf(f, sizeof f, "hugetlb.%s.max", r->huge_sizes[k]);
    if (cgw_int(c, d, f, r->huge_limits[k], "linux.resources.hugepageLimits") < 0) return -1;
  }
  if (r->unified) {
    const char *k;
    json_t *v;
    json_object_foreach(r->unified, k, v) {
      char field[300];
      snprintf(field, sizeof field, "linux.resources.unified.%s", k);
      if (cgw(c, d, k, json_string_value(v), field) < 0) return -1;
    }
  }
  if ((pure || s->devices_v2) && json_array_size(r->devices) > 0 && set_devices(s, d, true, c) < 0) return -1;
  return 0;
}

/* Controllers a v2 cgroup needs for these resources. */
static void v2_needed(const struct resources *r, bool pure, char *buf, size_t n) {
  buf[0] = 0;
#define NEED(name) (strncat(buf, buf[0] ? " +" name : "+" name, n - strlen(buf) - 1))
  if (pure) {
    NEED("memory");
    NEED("pids");
    if (r->cpu_shares != UNSET || r->cpu_quota != UNSET || r->cpu_period != UNSET || r->cpu_burst != UNSET || r->cpu_idle != UNSET) NEED("cpu");
    if (r->cpus || r->mems) NEED("cpuset");
    if (r->blkio_weight != UNSET || r->n_weight_device || r->n_throttle[0] || r->n_throttle[1] || r->n_throttle[2] || r->n_throttle[3]) NEED("io");
  }
  if (r->n_huge) NEED("hugetlb");
  if (r->unified) {
    const char *k;
    json_t *v;
    json_object_foreach(r->unified, k, v) {
      char ctl[64];
      size_t len = strcspn(k, ".");
      if (len >= sizeof ctl || strncmp(k, "cgroup", len) == 0) continue;
      memcpy(ctl, k, len);
      ctl[len] = 0;
      char tok[80];
      snprintf(tok, sizeof tok, "+%s", ctl);
      if (!strstr(buf, tok)) {
        if (buf[0]) strncat(buf, " ", n - strlen(buf) - 1);
        strncat(buf, tok, n - strlen(buf) - 1);
      }
    }
  }
#undef NEED
}

/* Enable controllers ("+a +b") in every ancestor of dir below mount (their subtree_control), one by one. */
static int v2_enable(const char *mount, const char *dir, const char *want, struct ctx *c) {
  char path[4200];
  size_t ml = strlen(mount);
  snprintf(path, sizeof path, "%s", dir);
  char *avail = v2_controllers(mount);
  for (char *p = path + ml;;) {
    /* path[0..p) is an ancestor (the mount first) */
    char saved = *p;
    *p = 0;
    char w[256];
    snprintf(w, sizeof w, "%s", want);
    for (char *tok = strtok(w, " "); tok; tok = strtok(NULL, " ")) {
      if (avail && !has_token(avail, tok + 1)) {
        /* has_token splits on commas; cgroup.controllers is space-separated */
        char sp[300];
        snprintf(sp, sizeof sp, " %s ", avail);
        char needle[80];
        snprintf(needle, sizeof needle, " %s ", tok + 1);
        if (!strstr(sp, needle)) {
          free(avail);
          return errno = 0, failf(c, "linux.resources: the %s controller is not available in %s", tok + 1, mount);
        }
      }
      char f[4300];
      snprintf(f, sizeof f, "%s/cgroup.subtree_control", path);
      if (write_file(f, tok, strlen(tok)) < 0 && errno != EBUSY) {
        free(avail);
        return failf(c, "linux.resources: enable %s in %s", tok + 1, f);
      }
    }
    *p = saved;
    if (!saved) break;
    p = strchr(p + 1, '/');
    if (!p) break;
  }
  free(avail);
  return 0;
}

/* ---------- planning and creating ---------- */

/* <mountpoint>[/<own cgroup, relative to the mount's root>]/<base>, without "//" or a trailing "/". */
static char *join_path(const struct cg_mount *m, const char *own, const char *base) {
  const char *o = own ? own : "";
  size_t rl = strlen(m->root);
  if (own && strcmp(m->root, "/") != 0 && strncmp(o, m->root, rl) == 0) o += rl; /* a mount of a sub-tree (inside a container) */
  char buf[4200];
  snprintf(buf, sizeof buf, "%s/%s/%s", m->mountpoint, o, base);
  char *w = buf;
  for (char *i = buf; *i; i++)
    if (!(i[0] == '/' && i[1] == '/')) *w++ = *i;
  *w = 0;
  size_t n = strlen(buf);
  while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;
  return xstrdup(buf);
}

/* A new cpuset is empty (no cpus, no mems: nothing can join it): give it its parent's. */
static void copy_cpuset_from_parent(const char *dir) {
  static const char *const files[2] = {"cpuset.cpus", "cpuset.mems"};
  for (int i = 0; i < 2; i++) {
    char pf[4300], cf[4300];
    snprintf(cf, sizeof cf, "%s/%s", dir, files[i]);
    char *cur = read_file(cf, NULL);
    bool empty_now = !cur || cur[0] == '\n' || cur[0] == 0;
    free(cur);
    if (!empty_now) continue;
    char *parent = xstrdup(dir);
    *strrchr(parent, '/') = 0;
    snprintf(pf, sizeof pf, "%s/%s", parent, files[i]);
    char *v = read_file(pf, NULL);
    if (v) write_file(cf, v, strlen(v));
    free(v);
    free(parent);
  }
}

/* mkdir -p below the hierarchy's mount; *created when the leaf is new, *top = the shallowest dir made.
 * Another container's cg_destroy removes a shared parent (isobench/) it made once the parent is
 * empty, so a parent can vanish between its mkdir and its child's (ENOENT): the walk starts again,
 * as often as it takes to win (bounded). */
static int make_dirs(const char *mount, const char *dir, bool cpuset, bool *created, char **top, struct ctx *c) {
  *created = false;
  *top = NULL;
  for (int attempt = 0;; attempt++) {
    if (mkdir(dir, 0755) == 0) {
      *created = true;
      if (cpuset) copy_cpuset_from_parent(dir);
      return 0;
    }
    if (errno == EEXIST) return 0;
    if (errno != ENOENT || attempt == 100) return failf(c, "linux.cgroupsPath: mkdir %s", dir);
    char path[4200];
    snprintf(path, sizeof path, "%s", dir);
    bool vanished = false;
    for (char *p = path + strlen(mount) + 1;;) {
      char *slash = strchr(p, '/');
      if (slash) *slash = 0;
      if (mkdir(path, 0755) == 0) {
        if (cpuset) copy_cpuset_from_parent(path);
        if (!slash) *created = true;
        else if (!*top) *top = xstrdup(path);
      } else if (errno == ENOENT) {
        vanished = true; /* a parent made above was removed by another container's cleanup */
        break;
      } else if (errno != EEXIST) {
        return failf(c, "linux.cgroupsPath: mkdir %s", path);
      }
      if (!slash) break;
      *slash = '/';
      p = slash + 1;
    }
    if (!vanished) return 0;
  }
}

static void add_dir(struct cgroups *cg, char *dir, const char *ctl, const char *mount) {
  for (int i = 0; i < cg->n; i++)
    if (strcmp(cg->dirs[i], dir) == 0) {
      free(dir);
      return;
    }
  if (cg->n >= CG_MAX) diex("too many cgroup hierarchies");
  cg->dirs[cg->n] = dir;
  cg->controllers[cg->n] = xstrdup(ctl);
  cg->mounts[cg->n] = xstrdup(mount);
  cg->n++;
}

int cg_plan(const struct spec *s, const char *id, struct cgroups *cg, char *err, size_t errlen) {
  struct ctx c = {err, errlen};
  memset(cg, 0, sizeof *cg);
  cg->v2 = -1;
  const struct cg_mount *m;
  cg_mounts(&m);
  const char *base = s->cgroups_path ? s->cgroups_path : id;
  bool relative = base[0] != '/';
  const struct resources *r = &s->resources;
  const char *mode = cg_mode();
  if (strcmp(mode, "none") == 0) {
    if (s->cgroups_path || s->has_resources) return errno = 0, failf(&c, "linux.cgroupsPath: this host has no cgroup mounts");
    return 0;
  }
  if (strcmp(mode, "v2") == 0) {
    char *own = relative ? own_cgroup(NULL) : NULL;
    add_dir(cg, join_path(&m[v2_mount], own, base), "unified", m[v2_mount].mountpoint);
    free(own);
    cg->v2 = 0;
    cg->pure_v2 = true;
    return 0;
  }
  /* v1 or hybrid: one dir per hierarchy we need */
  const char *need[16];
  int nn = 0;
  need[nn++] = "memory";
  need[nn++] = "cpuacct";
  if ((r->cpu_shares != UNSET && r->cpu_shares) || (r->cpu_quota != UNSET && r->cpu_quota) || (r->cpu_period != UNSET && r->cpu_period) ||
      r->cpu_burst != UNSET || r->cpu_idle != UNSET || (r->cpu_rt_runtime != UNSET && r->cpu_rt_runtime) || (r->cpu_rt_period != UNSET && r->cpu_rt_period))
    need[nn++] = "cpu";
  if ((r->cpus && *r->cpus) || (r->mems && *r->mems)) need[nn++] = "cpuset";
  if (r->pids_limit != UNSET) need[nn++] = "pids";
  if ((r->blkio_weight != UNSET && r->blkio_weight) || (r->blkio_leaf_weight != UNSET && r->blkio_leaf_weight) || r->n_weight_device ||
      r->n_throttle[0] || r->n_throttle[1] || r->n_throttle[2] || r->n_throttle[3])
    need[nn++] = "blkio";
  bool devices_on_v2 = json_array_size(r->devices) > 0 && s->devices_v2 && v2_mount >= 0;
  if (json_array_size(r->devices) > 0 && !devices_on_v2) need[nn++] = "devices";
  if (r->net_class_id != UNSET) need[nn++] = "net_cls";
  if (r->n_net_prio) need[nn++] = "net_prio";
  bool huge_on_v2 = false;
  if (r->n_huge) {
    if (v1_mount_of("hugetlb")) need[nn++] = "hugetlb";
    else huge_on_v2 = true;
  }
  for (int i = 0; i < nn; i++) {
    const struct cg_mount *h = v1_mount_of(need[i]);
    if (!h) {
      if (!strcmp(need[i], "memory") || !strcmp(need[i], "cpuacct")) continue; /* accounting only: best effort */
      static const struct {
        const char *ctl, *field;
      } fields[] = {{"cpu", "linux.resources.cpu"},         {"cpuset", "linux.resources.cpu.cpus"}, {"pids", "linux.resources.pids"},
                    {"blkio", "linux.resources.blockIO"},   {"devices", "linux.resources.devices"}, {"net_cls", "linux.resources.network.classID"},
                    {"net_prio", "linux.resources.network.priorities"}};
      const char *field = need[i];
      for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
        if (!strcmp(fields[k].ctl, need[i])) field = fields[k].field;
      return errno = 0, failf(&c, "%s: the %s cgroup controller is not mounted on this host", field, need[i]);
    }
    char *own = relative ? own_cgroup(need[i]) : NULL;
    add_dir(cg, join_path(h, own, base), h->options, h->mountpoint);
    free(own);
  }
  if (huge_on_v2 || r->unified || devices_on_v2) {
    if (v2_mount < 0)
      return errno = 0, failf(&c, huge_on_v2 ? "linux.resources.hugepageLimits: no hugetlb cgroup controller on this host"
                                             : "linux.resources.unified: this host has no cgroup2 mount");
    char *own = relative ? own_cgroup(NULL) : NULL;
    add_dir(cg, join_path(&m[v2_mount], own, base), "unified", m[v2_mount].mountpoint);
    free(own);
    cg->v2 = cg->n - 1;
  }
  return 0;
}

int cg_apply(const struct spec *s, struct cgroups *cg, enum cg_part part, char *err, size_t errlen) {
  struct ctx c = {err, errlen};
  for (int i = 0; i < cg->n; i++) {
    if ((i == cg->v2) != (part == CG_V2)) continue;
    if (i == cg->v2) {
      char want[256];
      v2_needed(&s->resources, cg->pure_v2, want, sizeof want);
      if (v2_enable(cg->mounts[i], cg->dirs[i], want, &c) < 0) return -1;
    }
    bool cpuset = i != cg->v2 && has_token(cg->controllers[i], "cpuset");
    if (make_dirs(cg->mounts[i], cg->dirs[i], cpuset, &cg->created[i], &cg->created_top[i], &c) < 0) return -1;
    if (cpuset) copy_cpuset_from_parent(cg->dirs[i]);
  }
  if (part == CG_V1 && !cg->pure_v2 && set_v1(s, cg, &c) < 0) return -1;
  if (part == CG_V2 && cg->v2 >= 0 && set_v2(s, cg->dirs[cg->v2], cg->pure_v2, &c) < 0) return -1;
  return 0;
}

void cg_join_self(const struct cgroups *cg, bool with_v2, int host_root) {
  for (int i = 0; i < cg->n; i++) {
    if (i == cg->v2 && !with_v2) continue;
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", cg->dirs[i] + 1, i == cg->v2 ? "cgroup.procs" : "tasks");
    if (write_file_at(host_root, p, "0", 1, 0) < 0) die("join cgroup %s", cg->dirs[i]);
  }
}

int cg_join(const struct cgroups *cg, pid_t pid, bool with_v2, char *err, size_t errlen) {
  struct ctx c = {err, errlen};
  char id[32];
  int n = snprintf(id, sizeof id, "%d", (int)pid);
  for (int i = 0; i < cg->n; i++) {
    if (i == cg->v2 && !with_v2) continue;
    char p[4200];
    snprintf(p, sizeof p, "%s/cgroup.procs", cg->dirs[i]);
    if (write_file(p, id, (size_t)n) < 0) return failf(&c, "join cgroup %s", cg->dirs[i]);
  }
  return 0;
}

int cg_pids(const struct cgroups *cg, pid_t **pids) {
  *pids = NULL;
  if (cg->n == 0) return -1;
  char p[4200];
  snprintf(p, sizeof p, "%s/cgroup.procs", cg->dirs[0]);
  char *t = read_file(p, NULL);
  if (!t) return -1;
  int n = 0, cap = 16;
  pid_t *v = xcalloc((size_t)cap, sizeof *v);
  for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n")) {
    if (n == cap) {
      cap *= 2;
      pid_t *nv = realloc(v, (size_t)cap * sizeof *v);
      if (!nv) diex("out of memory");
      v = nv;
    }
    v[n++] = (pid_t)atoi(l);
  }
  free(t);
  *pids = v;
  return n;
}

/* The parents we made for dir, up to top, when nothing else is in them. */
static void remove_parents(const char *dir, const char *top) {
  if (!top) return;
  char p[4200];
  snprintf(p, sizeof p, "%s", dir);
  size_t tl = strlen(top);
  for (char *slash = strrchr(p, '/'); slash && (size_t)(slash - p) >= tl; slash = strrchr(p, '/')) {
    *slash = 0;
    if (strlen(p) < tl || rmdir(p) < 0) break;
  }
}

void cg_destroy(const struct cgroups *cg) {
  for (int i = cg->n - 1; i >= 0; i--) {
    if (!cg->created[i]) continue;
    for (int tries = 0; tries < 500; tries++) {
      if (rmdir(cg->dirs[i]) == 0 || errno == ENOENT) break;
      if (errno != EBUSY) {
        warnx("remove cgroup %s: %s", cg->dirs[i], strerror(errno));
        break;
      }
      /* Still populated: kill what is left (a container without its own pid namespace), then wait. */
      if (tries % 50 == 0) {
        char p[4200];
        snprintf(p, sizeof p, "%s/cgroup.procs", cg->dirs[i]);
        char *t = read_file(p, NULL);
        for (char *l = t ? strtok(t, "\n") : NULL; l; l = strtok(NULL, "\n")) kill(atoi(l), SIGKILL);
        free(t);
      }
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
    remove_parents(cg->dirs[i], cg->created_top[i]);
  }
}

const char *cg_dir_for(const struct cgroups *cg, const char *controller) {
  for (int i = 0; i < cg->n; i++) {
    if (controller && cg->controllers[i] && strcmp(cg->controllers[i], "unified") && has_token(cg->controllers[i], controller)) return cg->dirs[i];
    if (!controller && cg->controllers[i] && strcmp(cg->controllers[i], "unified") == 0) return cg->dirs[i];
  }
  return NULL;
}

json_t *cg_to_json(const struct cgroups *cg) {
  json_t *dirs = json_array(), *ctls = json_array(), *created = json_array(), *tops = json_array();
  for (int i = 0; i < cg->n; i++) {
    json_array_append_new(dirs, json_string(cg->dirs[i]));
    json_array_append_new(ctls, json_string(cg->controllers[i]));
    json_array_append_new(created, json_boolean(cg->created[i]));
    json_array_append_new(tops, cg->created_top[i] ? json_string(cg->created_top[i]) : json_null());
  }
  return json_pack("{s:o,s:o,s:o,s:o,s:i,s:b}", "dirs", dirs, "controllers", ctls, "created", created, "created_top", tops, "v2", cg->v2, "pure_v2", cg->pure_v2);
}

void cg_from_json(struct cgroups *cg, json_t *j) {
  memset(cg, 0, sizeof *cg);
  cg->v2 = -1;
  json_t *dirs = json_object_get(j, "dirs"), *ctls = json_object_get(j, "controllers"), *created = json_object_get(j, "created");
  for (size_t i = 0; i < json_array_size(dirs) && cg->n < CG_MAX; i++) {
    cg->dirs[cg->n] = xstrdup(json_string_value(json_array_get(dirs, i)));
    cg->controllers[cg->n] = xstrdup(json_string_value(json_array_get(ctls, i)));
    cg->created[cg->n] = json_is_true(json_array_get(created, i));
    const char *top = json_string_value(json_array_get(json_object_get(j, "created_top"), i));
    cg->created_top[cg->n] = top ? xstrdup(top) : NULL;
    cg->n++;
  }
  json_t *v2 = json_object_get(j, "v2");
  if (json_is_integer(v2)) cg->v2 = (int)json_integer_value(v2);
  cg->pure_v2 = json_is_true(json_object_get(j, "pure_v2"));
}
