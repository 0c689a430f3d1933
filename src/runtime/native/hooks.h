/*
 * isobench-runtime: POSIX-platform hooks (runtime-spec config.md "POSIX-platform Hooks"): each
 * runs with its own args and env, the container's state JSON on stdin, and its timeout.
 * prestart/createRuntime/poststart/poststop run in the runtime's namespaces, createContainer and
 * startContainer in the container's (the caller is already there).
 */
#ifndef ISOBENCH_HOOKS_H
#define ISOBENCH_HOOKS_H
#include "spec.h"

/* Run the hooks of a list in order; stops at the first failure: -1 with "hooks.<kind>[i] (<path>):
 * <what>" in err. */
int hooks_run(const struct hook_list *l, const char *kind, const char *state_json, char *err, size_t errlen);
/* The state JSON hooks read on stdin (runtime.md "State"). */
char *hook_state(const char *id, const char *status, pid_t pid, const char *bundle, json_t *annotations);
#endif
