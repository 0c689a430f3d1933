/* isobench-runtime: process settings, user, capabilities and exec (see process.h). */
#define _GNU_SOURCE
#include "process.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static const char *const set_names[5] = {"bounding", "effective", "inheritable", "permitted", "ambient"};

static bool lsm_enabled(const char *name) {
  if (strcmp(name, "apparmor") == 0) {
    char *t = read_file("/sys/module/apparmor/parameters/enabled", NULL);
    bool on = t && t[0] == 'Y';
    free(t);
    return on;
  }
  struct stat st;
  return stat("/sys/fs/selinux/enforce", &st) == 0;
}

static uint64_t own_caps(int which) {
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) < 0) return ~0ULL;
  uint64_t v = which == 0 ? ((uint64_t)d[1].permitted << 32 | d[0].permitted) : ((uint64_t)d[1].effective << 32 | d[0].effective);
  return v;
}

void proc_check(const struct process_spec *p) {
  if (p->apparmor_profile && *p->apparmor_profile && !lsm_enabled("apparmor"))
    diex("process.apparmorProfile: AppArmor is not enabled on this host (profile \"%s\")", p->apparmor_profile);
  if (p->selinux_label && *p->selinux_label && !lsm_enabled("selinux"))
    diex("process.selinuxLabel: SELinux is not enabled on this host (label \"%s\")", p->selinux_label);
  if (!p->has_caps) return;
  uint64_t mine = own_caps(0);
  for (int set = 0; set < 5; set++) {
    uint64_t extra = p->caps[set] & ~mine;
    if (set == CAP_BOUNDING) continue; /* a bounding cap we lack is simply not there */
    for (int c = 0; c < 64 && extra; c++)
      if (extra & (1ULL << c)) {
        diex("process.capabilities.%s: %s is not in the runtime's own permitted set on this host, so no container can have it", set_names[set], cap_name(c));
      }
  }
}

struct sched_attr_v {
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};

void proc_apply_limits(const struct process_spec *p) {
  for (int i = 0; i < p->n_rlimits; i++) {
    struct rlimit rl = {p->rlimits[i].soft, p->rlimits[i].hard};
    if (setrlimit(p->rlimits[i].resource, &rl) < 0) die("process.rlimits[%d]: setrlimit (soft %llu, hard %llu)", i, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
  }
  if (p->has_oom_score_adj) {
    char b[16];
    int n = snprintf(b, sizeof b, "%d", p->oom_score_adj);
    if (write_file("/proc/self/oom_score_adj", b, (size_t)n) < 0) die("process.oomScoreAdj: write %d to /proc/self/oom_score_adj", p->oom_score_adj);
  }
  if (p->has_scheduler) {
    struct sched_attr_v a = {.size = sizeof a, .sched_policy = (uint32_t)p->sched_policy, .sched_flags = p->sched_flags, .sched_nice = p->sched_nice,
                             .sched_priority = (uint32_t)p->sched_priority, .sched_runtime = p->sched_runtime, .sched_deadline = p->sched_deadline,
                             .sched_period = p->sched_period};
    if (syscall(SYS_sched_setattr, 0, &a, 0) < 0) die("process.scheduler: sched_setattr");
  }
  if (p->has_io_priority && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p->io_class << 13 | p->io_priority) < 0)
    die("process.ioPriority: ioprio_set");
  if (p->apparmor_profile && *p->apparmor_profile) {
    char b[4200];
    int n = snprintf(b, sizeof b, "exec %s", p->apparmor_profile);
    if (write_file("/proc/self/attr/apparmor/exec", b, (size_t)n) < 0 && write_file("/proc/self/attr/exec", b, (size_t)n) < 0)
      die("process.apparmorProfile: set %s", p->apparmor_profile);
  }
  if (p->selinux_label && *p->selinux_label && write_file("/proc/self/attr/exec", p->selinux_label, strlen(p->selinux_label)) < 0)
    die("process.selinuxLabel: set %s", p->selinux_label);
}

void proc_set_user_and_caps(const struct process_spec *p) {
  if (p->has_caps) {
    int last = cap_last_cap();
    for (int c = 0; c <= last; c++)
      if (!(p->caps[CAP_BOUNDING] & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
        die("process.capabilities.bounding: drop capability %d", c);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) die("keep capabilities across setuid");
  }
  if (setgroups((size_t)p->n_gids, p->additional_gids) < 0 && !(errno == EPERM && p->n_gids == 0))
    die("process.user.additionalGids: setgroups");
  if (setresgid(p->gid, p->gid, p->gid) < 0) die("process.user.gid: setgid %u", p->gid);
  if (setresuid(p->uid, p->uid, p->uid) < 0) die("process.user.uid: setuid %u", p->uid);
  if (!p->has_caps) return;
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) die("clear keep-capabilities");
  uint64_t e = p->caps[CAP_EFFECTIVE], pm = p->caps[CAP_PERMITTED], in = p->caps[CAP_INHERITABLE];
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct d[2] = {{(uint32_t)e, (uint32_t)pm, (uint32_t)in}, {(uint32_t)(e >> 32), (uint32_t)(pm >> 32), (uint32_t)(in >> 32)}};
  if (syscall(SYS_capset, &h, d) < 0) die("process.capabilities: capset (effective, permitted, inheritable)");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) die("process.capabilities.ambient: clear");
  /* The kernel raises an ambient capability only if it is permitted and inheritable; runc skips
   * the others with a warning in its log (runc spec's default lists ambient without inheritable). */
  for (int c = 0; c < 64; c++)
    if ((p->caps[CAP_AMBIENT] & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      debugx("process.capabilities.ambient: cannot raise %s (it must be permitted and inheritable)", cap_name(c));
}

static const char *env_get(const struct process_spec *p, const char *key) {
  size_t kl = strlen(key);
  for (int i = 0; i < p->n_env; i++)
    if (strncmp(p->env[i], key, kl) == 0 && p->env[i][kl] == '=') return p->env[i] + kl + 1;
  return NULL;
}

static bool executable(const char *path, int *err) {
  struct stat st;
  if (stat(path, &st) < 0) return *err = errno, false;
  if (S_ISDIR(st.st_mode)) return *err = EACCES, false;
  if (access(path, X_OK) < 0) return *err = errno, false;
  return true;
}

/* strerror in Go's spelling ("no such file or directory"): clients match these words (docker maps
 * "executable file not found" and "no such file or directory" to exit 127, "permission denied" to 126). */
static const char *go_strerror(int e, char *buf, size_t n) {
  snprintf(buf, n, "%s", strerror(e));
  if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
  return buf;
}

char *proc_lookup(const struct process_spec *p, char *err, size_t errlen) {
  if (p->n_args == 0) return snprintf(err, errlen, "process.args: expected at least one argument"), NULL;
  const char *a0 = p->args[0];
  int e = 0;
  if (strchr(a0, '/')) {
    if (executable(a0, &e)) return xstrdup(a0);
    char eb[128];
    if (e == EACCES) snprintf(err, errlen, "exec: \"%s\": permission denied", a0);
    else snprintf(err, errlen, "exec: \"%s\": stat %s: %s", a0, a0, go_strerror(e, eb, sizeof eb));
    errno = e;
    return NULL;
  }
  const char *path = env_get(p, "PATH");
  if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  char buf[4200];
  int denied = 0;
  for (const char *d = path; d;) {
    const char *c = strchr(d, ':');
    size_t dl = c ? (size_t)(c - d) : strlen(d);
    snprintf(buf, sizeof buf, "%.*s/%s", (int)dl, dl ? d : ".", a0);
    if (executable(buf, &e)) return xstrdup(buf);
    if (e == EACCES) denied = 1;
    d = c ? c + 1 : NULL;
  }
  if (denied) {
    snprintf(err, errlen, "exec: \"%s\": permission denied", a0);
    errno = EACCES;
  } else {
    snprintf(err, errlen, "exec: \"%s\": executable file not found in $PATH", a0);
    errno = ENOENT;
  }
  return NULL;
}

/* HOME for uid from the container's /etc/passwd, or "/". */
static char *home_of(uint32_t uid) {
  char *t = read_file("/etc/passwd", NULL);
  char *home = NULL;
  for (char *l = t ? strtok(t, "\n") : NULL; l && !home; l = strtok(NULL, "\n")) {
    /* name:x:uid:gid:gecos:home:shell */
    char *f[7] = {0};
    int n = 0;
    for (char *q = l; n < 7; n++) {
      f[n] = q;
      q = strchr(q, ':');
      if (!q) break;
      *q++ = 0;
    }
    if (n >= 5 && f[2] && (uint32_t)strtoul(f[2], NULL, 10) == uid && f[5]) home = xstrdup(f[5]);
  }
  free(t);
  return home ? home : xstrdup("/");
}

void proc_exec(const struct process_spec *p, const char *path) {
  char **env = p->env;
  if (!env_get(p, "HOME")) {
    env = xcalloc((size_t)p->n_env + 2, sizeof *env);
    memcpy(env, p->env, (size_t)p->n_env * sizeof *env);
    char *home = home_of(p->uid);
    env[p->n_env] = xasprintf("HOME=%s", home);
  }
  execve(path, p->args, env);
  int e = errno;
  die_code = e == ENOENT ? 127 : 126;
  errno = e;
  die("exec %s", path);
}
