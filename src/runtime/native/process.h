/*
 * isobench-runtime: the container process's own settings (runtime-spec config.md "Process" and
 * config-linux.md "Process"): rlimits, oomScoreAdj, scheduler, ioPriority, LSM labels, user and
 * groups, the five capability sets, and finding and exec'ing args[0].
 */
#ifndef ISOBENCH_PROCESS_H
#define ISOBENCH_PROCESS_H
#include "spec.h"

/* Refuse what this host cannot give (an LSM label without the LSM, capabilities beyond our own
 * bounding set) before anything is created: one line naming the field. */
void proc_check(const struct process_spec *p);
/* rlimits, oom_score_adj, scheduler, I/O priority, LSM exec labels. Dies naming the field. */
void proc_apply_limits(const struct process_spec *p);
/* Bounding set, then groups and ids (capabilities kept across the switch), then the effective,
 * permitted, inheritable and ambient sets. Dies naming the field. */
void proc_set_user_and_caps(const struct process_spec *p);
/* args[0] resolved with the PATH of process.env (Go's exec.LookPath messages, which podman and
 * containerd map to exit 127/126). NULL with the message in err. */
char *proc_lookup(const struct process_spec *p, char *err, size_t errlen);
/* execve(path, args, env) with HOME set from the container's /etc/passwd when missing. */
_Noreturn void proc_exec(const struct process_spec *p, const char *path);
#endif
