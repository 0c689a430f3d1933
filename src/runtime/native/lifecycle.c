/* isobench-runtime: state, start, kill, delete, ps, list (see lifecycle.h). */
#define _GNU_SOURCE
#include "lifecycle.h"
#include "hooks.h"
#include "spec.h"
#include "state.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int cmd_state(const char *root, const char *id) {
  struct state st;
  state_load(root, id, &st);
  char *t = state_oci_json(&st, state_status(&st));
  printf("%s\n", t);
  free(t);
  return 0;
}

int cmd_start(const char *root, const char *id) {
  struct state st;
  state_load(root, id, &st);
  enum status s = state_status(&st);
  if (s == ST_STOPPED) diex("cannot start a container that has stopped");
  if (s == ST_RUNNING) diex("cannot start an already running container");
  if (s == ST_CREATING) diex("cannot start a container that is still being created");
  char *fifo = state_fifo(&st);
  int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("open %s", fifo);
  int pfd = (int)syscall(SYS_pidfd_open, st.pid, 0);
  /* the init opens the fifo's other end as soon as we have ours, writes one byte and execs */
  for (;;) {
    struct pollfd p[2] = {{fd, POLLIN, 0}, {pfd, POLLIN, 0}};
    int r = poll(p, pfd >= 0 ? 2 : 1, pfd >= 0 ? -1 : 100);
    if (r < 0 && errno == EINTR) continue;
    if (p[0].revents & POLLIN) break;
    if ((pfd >= 0 && (p[1].revents & POLLIN)) || state_status(&st) == ST_STOPPED) diex("the container init exited before it could start");
  }
  char b;
  if (read(fd, &b, 1) != 1) diex("the container init exited before it could start");
  close(fd);
  if (pfd >= 0) close(pfd);
  unlink(fifo);
  struct spec sp;
  state_spec(&st, &sp);
  if (sp.hooks[HOOK_POSTSTART].n) {
    char err[1024], *j = hook_state(id, "running", st.pid, st.bundle, sp.annotations);
    if (hooks_run(&sp.hooks[HOOK_POSTSTART], "poststart", j, err, sizeof err) < 0) {
      kill(st.pid, SIGKILL);
      diex("%s (the container was killed)", err);
    }
  }
  return 0;
}

static bool has_own_pidns(const struct state *st) {
  json_t *ns = json_object_get(json_object_get(st->config, "linux"), "namespaces");
  for (size_t i = 0; i < json_array_size(ns); i++) {
    json_t *n = json_array_get(ns, i);
    const char *t = json_string_value(json_object_get(n, "type"));
    const char *p = json_string_value(json_object_get(n, "path"));
    if (t && !strcmp(t, "pid") && (!p || !*p)) return true;
  }
  return false;
}

static void signal_all(const struct state *st, int sig) {
  pid_t *pids;
  int n = cg_pids(&st->cg, &pids);
  for (int i = 0; i < n; i++) kill(pids[i], sig);
  free(pids);
}

int cmd_kill(const char *root, const char *id, const char *signal, bool all) {
  int sig = parse_signal(signal ? signal : "TERM");
  if (sig < 0) diex("invalid signal \"%s\"", signal);
  struct state st;
  state_load(root, id, &st);
  if (state_status(&st) == ST_STOPPED && !all) diex("container not running");
  if (all) signal_all(&st, sig);
  if (state_status(&st) != ST_STOPPED && kill(st.pid, sig) < 0 && errno != ESRCH) die("kill %d", (int)st.pid);
  return 0;
}

int cmd_delete(const char *root, const char *id, bool force) {
  check_id(id);
  char *path = xasprintf("%s/%s/state.json", root, id);
  if (access(path, F_OK) < 0) {
    /* an aborted create can leave the directory without state: remove it either way (runc does) */
    char *dir = xasprintf("%s/%s", root, id);
    bool had_dir = access(dir, F_OK) == 0;
    rm_rf(dir);
    if (force || had_dir) return 0;
    diex("container %s does not exist", id);
  }
  free(path);
  struct state st;
  state_load(root, id, &st);
  enum status s = state_status(&st);
  if (s != ST_STOPPED) {
    if (!force) diex("cannot delete container %s that is not stopped: %s", id, status_name(s));
    kill(st.pid, SIGKILL);
    if (!has_own_pidns(&st)) signal_all(&st, SIGKILL);
    for (int i = 0; i < 1000 && state_status(&st) != ST_STOPPED; i++) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    if (state_status(&st) != ST_STOPPED) diex("container %s: init %d did not die after SIGKILL", id, (int)st.pid);
  } else if (!has_own_pidns(&st)) {
    signal_all(&st, SIGKILL); /* processes it left in its cgroup */
  }
  cg_destroy(&st.cg);
  struct spec sp;
  state_spec(&st, &sp);
  const struct ns_spec *mnt = spec_ns(&sp, CLONE_NEWNS);
  if (!mnt || mnt->path) umount2(sp.root_path, MNT_DETACH); /* its mounts were made in a shared namespace */
  if (sp.hooks[HOOK_POSTSTOP].n) {
    char err[1024], *j = hook_state(id, "stopped", 0, st.bundle, sp.annotations);
    /* runtime.md: a failing poststop hook is a warning; the rest of delete goes on */
    if (hooks_run(&sp.hooks[HOOK_POSTSTOP], "poststop", j, err, sizeof err) < 0) warnx("%s", err);
  }
  rm_rf(st.dir);
  return 0;
}

int cmd_ps(const char *root, const char *id, const char *format, char **ps_args) {
  struct state st;
  state_load(root, id, &st);
  pid_t *pids;
  int n = cg_pids(&st.cg, &pids);
  if (n < 0) n = 0;
  if (format && strcmp(format, "json") == 0) {
    printf("[");
    for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", (int)pids[i]);
    printf("]\n");
    return 0;
  }
  if (format && strcmp(format, "table") != 0) diex("ps: --format must be table or json");
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) < 0) die("pipe");
  pid_t c = fork();
  if (c == 0) {
    dup2(pfd[1], 1);
    char *argv[64] = {"ps"};
    int k = 1;
    if (!ps_args || !ps_args[0]) argv[k++] = "-ef";
    for (int i = 0; ps_args && ps_args[i] && k < 63; i++) argv[k++] = ps_args[i];
    argv[k] = NULL;
    execvp("ps", argv);
    _exit(127);
  }
  close(pfd[1]);
  FILE *f = fdopen(pfd[0], "r");
  char line[4096];
  int pid_col = -1;
  for (int lineno = 0; fgets(line, sizeof line, f); lineno++) {
    if (lineno == 0) {
      /* the PID column's index in the header */
      char h[4096];
      snprintf(h, sizeof h, "%s", line);
      int col = 0;
      for (char *t = strtok(h, " \t\n"); t; t = strtok(NULL, " \t\n"), col++)
        if (strcmp(t, "PID") == 0) pid_col = col;
      if (pid_col < 0) diex("ps: the output has no PID column");
      fputs(line, stdout);
      continue;
    }
    char l2[4096];
    snprintf(l2, sizeof l2, "%s", line);
    int col = 0;
    pid_t p = -1;
    for (char *t = strtok(l2, " \t\n"); t; t = strtok(NULL, " \t\n"), col++)
      if (col == pid_col) p = (pid_t)atoi(t);
    for (int i = 0; i < n; i++)
      if (pids[i] == p) fputs(line, stdout);
  }
  fclose(f);
  int status;
  waitpid(c, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EXIT_FAIL;
}

int cmd_list(const char *root, const char *format, bool quiet) {
  DIR *d = opendir(root);
  bool json = format && strcmp(format, "json") == 0;
  if (!d) {
    if (json) printf("[]\n");
    else if (!quiet) printf("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
    return 0;
  }
  json_t *arr = json_array();
  if (!json && !quiet) printf("%-12s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    char *p = xasprintf("%s/%s/state.json", root, e->d_name);
    bool ok = access(p, F_OK) == 0;
    free(p);
    if (!ok) continue;
    struct state st;
    state_load(root, e->d_name, &st);
    enum status s = state_status(&st);
    if (json) json_array_append_new(arr, json_loads(state_oci_json(&st, s), 0, NULL));
    else if (quiet) printf("%s\n", st.id);
    else printf("%-12s %-8d %-10s %-40s %-32s %s\n", st.id, s == ST_STOPPED ? 0 : (int)st.pid, status_name(s), st.bundle, st.created, "root");
  }
  closedir(d);
  if (json) {
    char *t = json_dumps(arr, JSON_COMPACT);
    printf("%s\n", t);
    free(t);
  }
  json_decref(arr);
  return 0;
}
