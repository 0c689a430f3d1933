/* isobench-runtime: running hooks (see hooks.h). */
#define _GNU_SOURCE
#include "hooks.h"
#include "io.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *hook_state(const char *id, const char *status, pid_t pid, const char *bundle, json_t *annotations) {
  json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "ociVersion", "1.1.0", "id", id, "status", status, "bundle", bundle);
  if (pid > 0) json_object_set_new(o, "pid", json_integer(pid));
  if (annotations) json_object_set(o, "annotations", annotations);
  char *t = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return t;
}

static int run_one(const struct hook *h, const char *state, char *err, size_t errlen) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0) return snprintf(err, errlen, "pipe: %s", strerror(errno)), -1;
  pid_t pid = fork();
  if (pid < 0) return snprintf(err, errlen, "fork: %s", strerror(errno)), -1;
  if (pid == 0) {
    dup2(in[0], 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char *argv0[2] = {h->path, NULL};
    execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env);
    dprintf(2, PROG ": hook %s: exec: %s\n", h->path, strerror(errno));
    _exit(127);
  }
  close(in[0]);
  /* the state is small (< a pipe's 64 KiB); a hook that does not read it must not block us */
  signal(SIGPIPE, SIG_IGN);
  if (write_all(in[1], state, strlen(state)) < 0 && errno != EPIPE) {}
  close(in[1]);
  int status = 0;
  if (h->timeout > 0) {
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    struct pollfd p = {pfd, POLLIN, 0};
    int r = pfd >= 0 ? poll(&p, 1, h->timeout * 1000) : 1;
    if (pfd >= 0) close(pfd);
    if (r == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return snprintf(err, errlen, "timed out after %d s", h->timeout), -1;
    }
  }
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return snprintf(err, errlen, "wait: %s", strerror(errno)), -1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  if (WIFEXITED(status)) return snprintf(err, errlen, "exit status %d", WEXITSTATUS(status)), -1;
  return snprintf(err, errlen, "killed by signal %d", WTERMSIG(status)), -1;
}

int hooks_run(const struct hook_list *l, const char *kind, const char *state_json, char *err, size_t errlen) {
  for (int i = 0; i < l->n; i++) {
    char e[512];
    if (run_one(&l->v[i], state_json, e, sizeof e) < 0) {
      snprintf(err, errlen, "hooks.%s[%d] (%s): %s", kind, i, l->v[i].path, e);
      return -1;
    }
  }
  return 0;
}
