/*
 * isobench-runtime: a container's state under --root (default /run/isobench-runtime):
 * <root>/<id>/state.json holds what later commands need (init pid and its start time, bundle,
 * cgroups, a copy of the config as it was at create), and <root>/<id>/exec.fifo exists between
 * create and start, as in runc. Status (runtime.md "State"): "created" while the fifo exists and
 * the init lives, "running" once started, "stopped" when the init is gone or a zombie (its pid is
 * checked with its start time, so a reused pid is not mistaken for it).
 */
#ifndef ISOBENCH_STATE_H
#define ISOBENCH_STATE_H
#include "cgroups.h"
#include "spec.h"

#define DEFAULT_ROOT "/run/isobench-runtime"

/* runtime-spec runtime.md "State": creating (create in progress: the init is alive, its setup not
 * finished), created (waiting on the exec fifo for start), running, stopped. */
enum status { ST_CREATED, ST_RUNNING, ST_STOPPED, ST_CREATING };

struct state {
  char *root, *id, *dir, *bundle, *rootfs, *created;
  pid_t pid;
  unsigned long long start_time;
  json_t *config; /* the container's config.json as created (owned) */
  char *config_text; /* the same as written (state_save splices it into state.json unparsed) */
  struct cgroups cg;
};

/* Container ids: [A-Za-z0-9_.+-]{1,1024}, not "." or ".." (runc's rule). Dies otherwise. */
void check_id(const char *id);
/* Load <root>/<id>/state.json; dies "container <id> does not exist" when it is missing. */
void state_load(const char *root, const char *id, struct state *st);
/* Write it (atomically). Dies on failure. */
void state_save(const struct state *st);
enum status state_status(const struct state *st);
const char *status_name(enum status s);
/* The `state` command's JSON (runc's shape: ociVersion, id, pid, status, bundle, rootfs, created, owner, annotations). */
char *state_oci_json(const struct state *st, enum status s);
/* The container's config as it was at create (hooks, namespaces, process). */
void state_spec(const struct state *st, struct spec *s);
/* <root>/<id>/exec.fifo */
char *state_fifo(const struct state *st);
/* <root>/<id>/creating: present from the state dir's mkdir until the init has reported READY. */
char *state_creating_mark(const char *dir);
#endif
