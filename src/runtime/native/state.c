/* isobench-runtime: state.json and status (see state.h). */
#define _GNU_SOURCE
#include "state.h"
#include "jsonspan.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void check_id(const char *id) {
  if (!id || !*id) diex("a container id is required");
  size_t n = strlen(id);
  if (n > 1024 || !strcmp(id, ".") || !strcmp(id, "..")) diex("invalid container id \"%.64s\"", id);
  for (const char *c = id; *c; c++)
    if (!isalnum((unsigned char)*c) && !strchr("_.+-", *c)) diex("invalid container id \"%.64s\": only letters, digits and _ . + - are allowed", id);
}

void state_load(const char *root, const char *id, struct state *st) {
  check_id(id);
  memset(st, 0, sizeof *st);
  st->root = xstrdup(root);
  st->id = xstrdup(id);
  st->dir = xasprintf("%s/%s", root, id);
  char *path = xasprintf("%s/state.json", st->dir);
  char *text = read_file(path, NULL);
  if (!text) {
    if (errno == ENOENT) diex("container %s does not exist", id);
    die("read %s", path);
  }
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  if (!j) diex("%s: corrupt (%s)", path, e.text);
  free(path);
  st->bundle = xstrdup(json_string_value(json_object_get(j, "bundle")));
  st->rootfs = xstrdup(json_string_value(json_object_get(j, "rootfs")));
  st->created = xstrdup(json_string_value(json_object_get(j, "created")));
  st->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
  const char *stt = json_string_value(json_object_get(j, "start_time"));
  st->start_time = stt ? strtoull(stt, NULL, 10) : 0;
  st->config = json_incref(json_object_get(j, "config"));
  size_t a, b;
  st->config_text = json_member_span(text, strlen(text), "config", NULL, &a, &b) ? strndup(text + a, b - a) : json_dumps(st->config, JSON_COMPACT);
  cg_from_json(&st->cg, json_object_get(j, "cgroups"));
  json_decref(j);
  free(text);
}

void state_save(const struct state *st) {
  char stt[32];
  snprintf(stt, sizeof stt, "%llu", st->start_time);
  json_t *j = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:o}", "ociVersion", "1.1.0", "id", st->id, "pid", (int)st->pid, "start_time", stt, "bundle",
                        st->bundle, "rootfs", st->rootfs, "created", st->created, "cgroups", cg_to_json(&st->cg));
  char *head = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  if (!head) diex("state.json: out of memory");
  /* the config as written, spliced in (no dump of a 10 KB document at every start) */
  size_t hl = strlen(head), cl = strlen(st->config_text);
  char *text = xmalloc(hl + cl + 16);
  memcpy(text, head, hl - 1);
  memcpy(text + hl - 1, ",\"config\":", 10);
  memcpy(text + hl + 9, st->config_text, cl);
  memcpy(text + hl + 9 + cl, "}", 2);
  char *path = xasprintf("%s/state.json", st->dir);
  if (write_file_atomic(path, text, strlen(text), 0600) < 0) die("write %s", path);
  free(head);
  free(text);
  free(path);
}

char *state_fifo(const struct state *st) { return xasprintf("%s/exec.fifo", st->dir); }

char *state_creating_mark(const char *dir) { return xasprintf("%s/creating", dir); }

enum status state_status(const struct state *st) {
  unsigned long long start;
  char s;
  if (st->pid <= 0 || proc_stat(st->pid, &start, &s) < 0 || start != st->start_time || s == 'Z' || s == 'X') return ST_STOPPED;
  char *mark = state_creating_mark(st->dir);
  bool creating = access(mark, F_OK) == 0;
  free(mark);
  if (creating) return ST_CREATING;
  char *fifo = state_fifo(st);
  bool created = access(fifo, F_OK) == 0;
  free(fifo);
  return created ? ST_CREATED : ST_RUNNING;
}

const char *status_name(enum status s) { return s == ST_CREATING ? "creating" : s == ST_CREATED ? "created" : s == ST_RUNNING ? "running" : "stopped"; }

char *state_oci_json(const struct state *st, enum status s) {
  json_t *j = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s}", "ociVersion", "1.1.0", "id", st->id, "pid", s == ST_STOPPED ? 0 : (int)st->pid, "status",
                        status_name(s), "bundle", st->bundle, "rootfs", st->rootfs, "created", st->created, "owner", "");
  json_t *ann = json_object_get(st->config, "annotations");
  if (json_is_object(ann) && json_object_size(ann)) json_object_set(j, "annotations", ann);
  char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(j);
  return t;
}

void state_spec(const struct state *st, struct spec *s) { spec_parse(s, st->config_text, st->bundle, "state.json: config"); }
