/*
 * isobench-runtime: the operations on an existing container (runtime.md "Operations"): state,
 * start, kill, delete, and runc's ps. Each returns the process exit code and dies on errors with
 * one line, as runc does ("container <id> does not exist", "cannot start a container that has
 * stopped", …).
 */
#ifndef ISOBENCH_LIFECYCLE_H
#define ISOBENCH_LIFECYCLE_H
#include <stdbool.h>

int cmd_state(const char *root, const char *id);
int cmd_start(const char *root, const char *id);
int cmd_kill(const char *root, const char *id, const char *signal, bool all);
int cmd_delete(const char *root, const char *id, bool force);
/* format: "table" (ps -ef lines of the container's processes, or `ps ps_args`) or "json" (a pid array). */
int cmd_ps(const char *root, const char *id, const char *format, char **ps_args);
/* Every container under root, one per line (id, pid, status, bundle, created), or JSON. */
int cmd_list(const char *root, const char *format, bool quiet);
#endif
