/*
 * isobench-runtime: `exec`, a new process in a running container (runc's command: the process
 * from --process FILE, an OCI process object, or from the command line over the container's own
 * process). It joins the init's namespaces and cgroups and gets the container's seccomp filter,
 * AppArmor profile and the given user, capabilities, rlimits and environment. --detach returns
 * once it has exec'd (it is then a child of the caller's subreaper, as conmon expects), else the
 * runtime waits and exits with its code.
 */
#ifndef ISOBENCH_EXEC_H
#define ISOBENCH_EXEC_H
#include <stdbool.h>

struct exec_opts {
  const char *root, *id, *process_file, *pid_file, *console_socket, *cwd, *user, *apparmor;
  char **args;   /* the command (without --process) */
  char **env;    /* -e K=V, added to the container's */
  char **caps;   /* --cap CAP_X, added to every set */
  int n_env, n_caps, preserve_fds;
  bool detach, tty, no_new_privs;
};

int cmd_exec(const struct exec_opts *o);
#endif
