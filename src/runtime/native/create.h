/*
 * isobench-runtime: `create` and `run` (runtime.md "Lifecycle", steps 1-5, as runc does them).
 *
 * create: the runtime clones the container init into its new namespaces and returns once the
 * init is set up and blocked opening <root>/<id>/exec.fifo; `start` opens the fifo's other end.
 * The init is then a child of whatever reaps the runtime's orphans (conmon, containerd's shim,
 * or init), which is what clients expect. run: the same without the fifo; the runtime stays the
 * init's parent (a child subreaper), forwards signals, waits, cleans up (poststop hooks, cgroups,
 * state) and exits with the container's exit code (128+signal when it was killed).
 *
 * While the init builds its rootfs, the runtime works in parallel: it writes the uid/gid maps,
 * creates the network namespace (lo up) when nothing else needs its own, creates the cgroups and
 * moves the init in; the two meet over a SOCK_SEQPACKET pair with one-byte messages.
 */
#ifndef ISOBENCH_CREATE_H
#define ISOBENCH_CREATE_H
#include <stdbool.h>

struct create_opts {
  const char *root, *id, *bundle, *pid_file, *console_socket;
  int preserve_fds;
  bool run, detach, keep, no_pivot, no_new_keyring, no_subreaper;
  /* run (isobench's extension): the runtime and the container die with the runtime's parent (SIGKILL) */
  bool pdeathsig;
};

struct sock_fprog;
struct spec;
/* linux.seccomp → BPF, compiled once per profile and kept under <root>/.seccomp (keyed by the
 * profile's text); *has = false when the config has none. Dies naming the field. */
void seccomp_cached(const struct spec *s, const char *root, struct sock_fprog *prog, unsigned *flags, bool *has);

/* Returns the process exit code (create: 0; run: the container's). Dies on errors. */
int container_create(const struct create_opts *o);
#endif
