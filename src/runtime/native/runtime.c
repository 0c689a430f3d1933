/*
 * isobench-runtime: an OCI runtime (runtime-spec v1.1) with runc's command line, so that
 * podman/conmon, containerd's shim and dockerd can drive it as they drive runc:
 *
 *   isobench-runtime [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND …
 *     create [--bundle DIR] [--pid-file F] [--console-socket S] [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID
 *     start ID             state ID             kill [--all] ID [SIGNAL]         delete [--force] ID
 *     run [create's options] [--detach] [--keep] [--no-subreaper] [--pdeathsig] ID
 *     exec [--process F | -e K=V … --cwd D --user U:G --cap C --tty --no-new-privs] [--detach] [--pid-file F]
 *          [--console-socket S] [--preserve-fds N] ID [COMMAND ARG…]
 *     ps [--format table|json] ID [PS_ARGS…]      list [--format table|json] [--quiet]      features
 *
 * --pdeathsig (run, isobench's own): the runtime and the container die with the runtime's parent.
 * --systemd-cgroup is refused (cgroups are managed through cgroupfs); --rootless true is refused
 * (the runtime runs as root). Exit: 0, 1 on a failed command (one line on stderr and in --log),
 * and for run the container's exit code (125 when the container could not be set up, 126/127
 * when its command could not be executed, as docker run).
 */
#define _GNU_SOURCE
#include "create.h"
#include "exec.h"
#include "lifecycle.h"
#include "spec.h"
#include "state.h"
#include "util.h"
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION "0.1.0"

static const char *usage =
    "usage: " PROG " [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID\n"
    "commands: create, start, state, kill, delete, run, exec, ps, list, features\n"
    "  create [--bundle DIR] [--pid-file F] [--console-socket SOCK] [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID\n"
    "  run    [create's options] [--detach] [--keep] [--no-subreaper] [--pdeathsig] ID\n"
    "  start ID | state ID | kill [--all] ID [SIGNAL] | delete [--force] ID\n"
    "  exec   [--process FILE | --env K=V --cwd DIR --user UID[:GID] --cap CAP --tty --no-new-privs] [--detach] [--pid-file F]\n"
    "         [--console-socket SOCK] [--preserve-fds N] ID [COMMAND [ARG...]]\n"
    "  ps [--format table|json] ID [PS_ARGS...] | list [--format table|json] [--quiet] | features\n";

/* ---------- flags: --name value, --name=value, -x value; booleans take an optional =true|false ---------- */

struct flag {
  const char *name; /* long name without dashes */
  char short_name;
  bool boolean, repeat;
  const char **value; /* string flags */
  bool *set;          /* boolean flags */
  char ***list;       /* repeatable string flags */
  int *count;
};

/* Parse flags from argv[*i…] until the first positional; returns false on "--". */
static void parse_flags(int argc, char **argv, int *i, struct flag *flags, const char *where) {
  while (*i < argc) {
    char *a = argv[*i];
    if (strcmp(a, "--") == 0) {
      (*i)++;
      return;
    }
    if (a[0] != '-' || a[1] == 0) return;
    const char *name = a[1] == '-' ? a + 2 : a + 1;
    char nm[128];
    snprintf(nm, sizeof nm, "%s", name);
    char *eq = strchr(nm, '=');
    const char *inline_val = NULL;
    if (eq) *eq = 0, inline_val = eq + 1 - nm + name;
    struct flag *f = NULL;
    for (struct flag *k = flags; k && k->name; k++)
      if ((a[1] == '-' && strcmp(k->name, nm) == 0) || (a[1] != '-' && strlen(nm) == 1 && k->short_name == nm[0])) f = k;
    if (!f) diex("%s: unknown option %s\n%s", where, a, usage);
    (*i)++;
    if (f->boolean) {
      *f->set = !inline_val || strcmp(inline_val, "false") != 0;
      continue;
    }
    const char *v = inline_val;
    if (!v) {
      if (*i >= argc) diex("%s: %s needs a value", where, a);
      v = argv[(*i)++];
    }
    if (f->repeat) {
      *f->list = realloc(*f->list, (size_t)(*f->count + 2) * sizeof(char *));
      if (!*f->list) diex("out of memory");
      (*f->list)[(*f->count)++] = (char *)v;
      (*f->list)[*f->count] = NULL;
    } else {
      *f->value = v;
    }
  }
}

static const char *need_id(int argc, char **argv, int i, const char *cmd) {
  if (i >= argc) diex("\"%s\" requires a container id", cmd);
  return argv[i];
}

static void exact_args(int argc, int i, int n, const char *cmd) {
  if (argc - i != n) diex("\"%s\" requires exactly %d argument(s)", cmd, n);
}

/* runtime-spec features.md: what this runtime implements, for clients that ask first. */
static const char *features_json =
    "{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.1.0\","
    "\"hooks\":[\"prestart\",\"createRuntime\",\"createContainer\",\"startContainer\",\"poststart\",\"poststop\"],"
    "\"mountOptions\":[\"async\",\"atime\",\"bind\",\"defaults\",\"dev\",\"diratime\",\"dirsync\",\"exec\",\"lazytime\",\"loud\",\"mand\","
    "\"noatime\",\"nodev\",\"nodiratime\",\"noexec\",\"nolazytime\",\"nomand\",\"norelatime\",\"nostrictatime\",\"nosuid\",\"private\","
    "\"rbind\",\"rdev\",\"rdiratime\",\"relatime\",\"remount\",\"rexec\",\"rnoatime\",\"rnodev\",\"rnodiratime\",\"rnoexec\",\"rnosuid\","
    "\"rnosymfollow\",\"ro\",\"rprivate\",\"rrelatime\",\"rro\",\"rrw\",\"rshared\",\"rslave\",\"rstrictatime\",\"rsuid\",\"rsymfollow\","
    "\"runbindable\",\"rw\",\"shared\",\"silent\",\"slave\",\"strictatime\",\"suid\",\"sync\",\"unbindable\"],"
    "\"linux\":{\"namespaces\":[\"cgroup\",\"ipc\",\"mount\",\"network\",\"pid\",\"time\",\"user\",\"uts\"],"
    "\"cgroup\":{\"v1\":true,\"v2\":true,\"systemd\":false,\"systemdUser\":false,\"rdma\":false},"
    "\"seccomp\":{\"enabled\":true,\"actions\":[\"SCMP_ACT_ALLOW\",\"SCMP_ACT_ERRNO\",\"SCMP_ACT_KILL\",\"SCMP_ACT_KILL_PROCESS\","
    "\"SCMP_ACT_KILL_THREAD\",\"SCMP_ACT_LOG\",\"SCMP_ACT_TRACE\",\"SCMP_ACT_TRAP\"],"
    "\"operators\":[\"SCMP_CMP_EQ\",\"SCMP_CMP_GE\",\"SCMP_CMP_GT\",\"SCMP_CMP_LE\",\"SCMP_CMP_LT\",\"SCMP_CMP_MASKED_EQ\",\"SCMP_CMP_NE\"],"
    "\"archs\":[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\",\"SCMP_ARCH_MIPS64\",\"SCMP_ARCH_PPC64LE\",\"SCMP_ARCH_RISCV64\",\"SCMP_ARCH_S390X\","
    "\"SCMP_ARCH_X32\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X86_64\"],"
    "\"knownFlags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
    "\"supportedFlags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]},"
    "\"apparmor\":{\"enabled\":true},\"selinux\":{\"enabled\":true},\"intelRdt\":{\"enabled\":false},"
    "\"mountExtensions\":{\"idmap\":{\"enabled\":false}}},"
    "\"annotations\":{\"org.isobench.runtime.version\":\"" VERSION "\"}}";

static int features(void) {
  json_t *j = json_loads(features_json, 0, NULL);
  if (!j) diex("features: internal error");
  json_t *caps = json_array();
  for (int c = 0; c <= cap_last_cap() && c < 64; c++) json_array_append_new(caps, json_string(cap_name(c)));
  json_object_set_new(json_object_get(j, "linux"), "capabilities", caps);
  const struct scmp_version *v = seccomp_version();
  char lv[32];
  snprintf(lv, sizeof lv, "%u.%u.%u", v->major, v->minor, v->micro);
  json_object_set_new(json_object_get(j, "annotations"), "io.github.seccomp.libseccomp.version", json_string(lv));
  char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  printf("%s\n", t);
  return 0;
}

int main(int argc, char **argv) {
  trace("exec");
  const char *root = DEFAULT_ROOT, *log = NULL, *log_format = "text", *rootless = NULL, *criu = NULL;
  bool debug = false, systemd = false, help = false, version = false;
  struct flag globals[] = {{"root", 0, false, false, &root},
                           {"log", 0, false, false, &log},
                           {"log-format", 0, false, false, &log_format},
                           {"rootless", 0, false, false, &rootless},
                           {"criu", 0, false, false, &criu},
                           {"debug", 0, true, false, NULL, &debug},
                           {"systemd-cgroup", 0, true, false, NULL, &systemd},
                           {"help", 'h', true, false, NULL, &help},
                           {"version", 'v', true, false, NULL, &version},
                           {0}};
  int i = 1;
  parse_flags(argc, argv, &i, globals, PROG);
  if (strcmp(log_format, "json") && strcmp(log_format, "text")) diex("--log-format: expected text or json, got %s", log_format);
  log_open(log, strcmp(log_format, "json") == 0);
  if (version || (i < argc && strcmp(argv[i], "--version") == 0)) {
    printf(PROG " version " VERSION "\nspec: 1.1.0\n");
    return 0;
  }
  if (help || i >= argc) {
    fputs(usage, help ? stdout : stderr);
    return help ? 0 : 2;
  }
  if (systemd) diex("--systemd-cgroup: the systemd cgroup manager is not supported; " PROG " manages cgroups through cgroupfs (use cgroupfs in the client: podman --cgroup-manager cgroupfs, containerd SystemdCgroup = false)");
  if (rootless && strcmp(rootless, "false") && strcmp(rootless, "auto")) diex("--rootless %s: " PROG " runs as root only", rootless);
  if (criu) diex("--criu: checkpoint/restore is not supported");
  if (debug) debugx("%s", argv[i]);
  const char *cmd = argv[i++];

  if (!strcmp(cmd, "create") || !strcmp(cmd, "run")) {
    bool is_run = !strcmp(cmd, "run");
    const char *bundle = ".", *pid_file = NULL, *console = NULL, *preserve = "0";
    bool detach = false, keep = false, no_pivot = false, no_keyring = false, no_subreaper = false, pdeathsig = false;
    struct flag f[] = {{"bundle", 'b', false, false, &bundle},          {"pid-file", 0, false, false, &pid_file},
                       {"console-socket", 0, false, false, &console},   {"preserve-fds", 0, false, false, &preserve},
                       {"no-pivot", 0, true, false, NULL, &no_pivot},   {"no-new-keyring", 0, true, false, NULL, &no_keyring},
                       {is_run ? "detach" : "-", 'd', true, false, NULL, &detach}, {is_run ? "keep" : "-", 0, true, false, NULL, &keep},
                       {is_run ? "no-subreaper" : "-", 0, true, false, NULL, &no_subreaper},
                       {is_run ? "pdeathsig" : "-", 0, true, false, NULL, &pdeathsig}, {0}};
    parse_flags(argc, argv, &i, f, cmd);
    exact_args(argc, i, 1, cmd);
    struct create_opts o = {.root = root, .id = argv[i], .bundle = bundle, .pid_file = pid_file, .console_socket = console,
                            .preserve_fds = atoi(preserve), .run = is_run, .detach = detach, .keep = keep, .no_pivot = no_pivot,
                            .no_new_keyring = no_keyring, .no_subreaper = no_subreaper, .pdeathsig = pdeathsig};
    return container_create(&o);
  }
  if (!strcmp(cmd, "start") || !strcmp(cmd, "state")) {
    parse_flags(argc, argv, &i, NULL, cmd);
    exact_args(argc, i, 1, cmd);
    return !strcmp(cmd, "start") ? cmd_start(root, argv[i]) : cmd_state(root, argv[i]);
  }
  if (!strcmp(cmd, "kill")) {
    bool all = false;
    struct flag f[] = {{"all", 'a', true, false, NULL, &all}, {0}};
    parse_flags(argc, argv, &i, f, cmd);
    if (argc - i < 1 || argc - i > 2) diex("\"kill\" requires 1 or 2 arguments: ID [SIGNAL]");
    return cmd_kill(root, argv[i], argc - i == 2 ? argv[i + 1] : "TERM", all);
  }
  if (!strcmp(cmd, "delete")) {
    bool force = false;
    struct flag f[] = {{"force", 'f', true, false, NULL, &force}, {0}};
    parse_flags(argc, argv, &i, f, cmd);
    exact_args(argc, i, 1, cmd);
    return cmd_delete(root, argv[i], force);
  }
  if (!strcmp(cmd, "exec")) {
    struct exec_opts o = {.root = root};
    const char *preserve = "0", *label = NULL, *cgroup = NULL;
    char **gids = NULL;
    int n_gids = 0;
    bool ignore_paused = false;
    struct flag f[] = {{"process", 'p', false, false, &o.process_file},
                       {"pid-file", 0, false, false, &o.pid_file},
                       {"console-socket", 0, false, false, &o.console_socket},
                       {"cwd", 0, false, false, &o.cwd},
                       {"user", 'u', false, false, &o.user},
                       {"apparmor", 0, false, false, &o.apparmor},
                       {"process-label", 0, false, false, &label},
                       {"cgroup", 0, false, false, &cgroup},
                       {"preserve-fds", 0, false, false, &preserve},
                       {"env", 'e', false, true, NULL, NULL, &o.env, &o.n_env},
                       {"cap", 'c', false, true, NULL, NULL, &o.caps, &o.n_caps},
                       {"additional-gids", 'g', false, true, NULL, NULL, &gids, &n_gids},
                       {"detach", 'd', true, false, NULL, &o.detach},
                       {"tty", 't', true, false, NULL, &o.tty},
                       {"no-new-privs", 0, true, false, NULL, &o.no_new_privs},
                       {"ignore-paused", 0, true, false, NULL, &ignore_paused},
                       {0}};
    parse_flags(argc, argv, &i, f, cmd);
    if (label) diex("exec --process-label: SELinux labels are not supported here");
    if (cgroup) diex("exec --cgroup: joining a sub-cgroup is not supported");
    if (n_gids) diex("exec --additional-gids: use --process with process.user.additionalGids");
    o.id = need_id(argc, argv, i, cmd);
    o.args = argv + i + 1;
    o.preserve_fds = atoi(preserve);
    return cmd_exec(&o);
  }
  if (!strcmp(cmd, "ps")) {
    const char *format = "table";
    struct flag f[] = {{"format", 'f', false, false, &format}, {0}};
    parse_flags(argc, argv, &i, f, cmd);
    const char *id = need_id(argc, argv, i, cmd);
    return cmd_ps(root, id, format, argv + i + 1);
  }
  if (!strcmp(cmd, "list")) {
    const char *format = "table";
    bool quiet = false;
    struct flag f[] = {{"format", 'f', false, false, &format}, {"quiet", 'q', true, false, NULL, &quiet}, {0}};
    parse_flags(argc, argv, &i, f, cmd);
    return cmd_list(root, format, quiet);
  }
  if (!strcmp(cmd, "features")) return features();
  if (!strcmp(cmd, "help")) {
    fputs(usage, stdout);
    return 0;
  }
  diex("unknown command \"%s\"\n%s", cmd, usage);
}
