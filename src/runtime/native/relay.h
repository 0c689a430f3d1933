/*
 * The timestamping relay of isobench-launch: an instance's output goes through it on its way to
 * isobench, and every readiness marker line ("ISOBENCH <phase> …", src/core/markers.ts) is stamped
 * with the kernel's CLOCK_MONOTONIC at the moment its last byte was read, so neither node's pipe
 * handling nor its event loop is in any figure:
 *
 *   ISOBENCH ready idle        →   ISOBENCH@123456789012 ready idle
 *
 * The launcher itself adds "ISOBENCH@<ns> spawn <pid>" (read right before the clone/execve that
 * starts the instance) and, where it reaps the instance, "ISOBENCH@<ns> reaped <status>". Other
 * lines pass unchanged. "ISOBENCH@" in the instance's own output is defused ("ISOBENCH_"): only the
 * relay writes timestamps. A --mark PHASE=TEXT adds "ISOBENCH@<ns> PHASE" before the first line
 * containing TEXT (the VM's kernel banner). --on-create / --on-delete PHASE=PATH add
 * "ISOBENCH@<ns> PHASE" when PATH appears or goes (inotify on its directory, or on that directory's
 * parent until it exists): the state transitions an OCI runtime records in its state dir, the only
 * events runc and crun give during `run`. Lines longer than RELAY_LINE_MAX pass in pieces.
 * With a hold (relay_hold), output is kept back until the marker of that phase has passed (it goes
 * with it), so that isobench is not woken inside the span it measures; the end of the output, a
 * stop signal or RELAY_HOLD_MAX bytes release it too.
 * CLOCK_MONOTONIC is the clock of node's performance.now() and process.hrtime (libuv's uv_hrtime).
 */
#ifndef ISOBENCH_RELAY_H
#define ISOBENCH_RELAY_H

#include <stddef.h>
#include <stdint.h>

#define RELAY_LINE_MAX 65536
#define RELAY_MAX_MARKS 8
#define RELAY_HOLD_MAX (1 << 20)

struct relay_mark {
  const char *phase, *text;
  int seen;
};

/* A file whose appearance (or removal) is a phase: PATH split into its directory and name. */
struct relay_watch {
  const char *phase;
  char dir[4096], parent[4096];
  const char *name, *dir_name;
  int on_delete, seen, wd_dir, wd_parent;
};

struct relay {
  int out;
  size_t len;
  const char *hold_until; /* NULL: nothing held */
  char *held;
  size_t held_len, held_cap;
  int n_marks, n_watches, inotify;
  struct relay_mark marks[RELAY_MAX_MARKS];
  struct relay_watch watches[RELAY_MAX_MARKS];
  char line[RELAY_LINE_MAX];
};

/* Hold the output back until the marker of `phase` (e.g. "ready") has passed. */
void relay_hold(struct relay *r, const char *phase);

/* Write out what is held and hold no more; -1 when the reader is gone. */
int relay_release(struct relay *r);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t relay_now(void);

void relay_init(struct relay *r, int out_fd);

/* Add a --mark "PHASE=TEXT"; -1 for a malformed spec or too many marks. */
int relay_add_mark(struct relay *r, char *spec);

/* Write "ISOBENCH@<at> <phase>[ <rest>]\n" at once; -1 when the reader is gone. */
int relay_emit(struct relay *r, uint64_t at, const char *phase, const char *rest);

/* Pass `n` bytes read at `at`: complete lines go out (markers stamped), the rest waits; -1 when the reader is gone. */
int relay_feed(struct relay *r, const char *data, size_t n, uint64_t at);

/* Pass a last unterminated line (at EOF). */
int relay_flush(struct relay *r, uint64_t at);

/* One read(2) of in_fd, stamped and passed on: bytes read, 0 at EOF, -1 on error (EAGAIN/EINTR: errno set, retry). */
long relay_pump(struct relay *r, int in_fd);

/* Add an --on-create (on_delete 0) or --on-delete (1) "PHASE=PATH"; -1 for a malformed spec or too many. */
int relay_add_watch(struct relay *r, char *spec, int on_delete);

/* Start the inotify watches (r->inotify, -1 without any); -1 with errno when inotify fails. */
int relay_start_watches(struct relay *r);

/* Read the pending inotify events and emit the phases they complete; -1 when the reader is gone. */
int relay_on_inotify(struct relay *r);

/*
 * The relay of a launcher that execs its target in its own place (--exec): fork a relay process
 * that passes the target's stdout on (stamped, with the watches) until every writer has closed it,
 * and make our stdout its pipe. Returns the fd relay_exec() writes the spawn time to; -1 on error.
 */
int relay_fork(struct relay *r);

/* Read CLOCK_MONOTONIC, hand it to the relay (which emits "spawn <our pid>"), and execvp. Returns only if execvp fails. */
void relay_exec(int ctl, char **argv);

#endif
