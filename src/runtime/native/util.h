/* isobench-runtime: errors, logging (--log/--log-format), and small file helpers shared by every part. */
#ifndef ISOBENCH_UTIL_H
#define ISOBENCH_UTIL_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROG "isobench-runtime"

/* Exit codes: 1 for a failed operation (as runc); `run` maps container setup failures to 125 and
 * exec failures to 126/127, as `docker run` does, so callers can tell them from the workload's own. */
#define EXIT_FAIL 1

/* Where errors go. --log FILE appends every error and warning (text or JSON lines, runc's
 * logrus format: {"level":"error","msg":"…","time":"…"}), which containerd's shim reads back. */
void log_open(const char *path, int json);
/* Inside the container init, errors are written to this fd (the sync socket) as an 'E' message
 * and the runtime process reports them; -1 elsewhere. */
extern int error_fd;
/* The exit code die() uses (EXIT_FAIL, or 125 in `run`). */
extern int die_code;

/* "isobench-runtime: <message>[: <strerror(errno)>]" to stderr and the log; exit die_code. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same without errno's text. */
_Noreturn void diex(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debugx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that dies on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write a whole buffer to a path (O_WRONLY, no create); 0 or -1 with errno. */
int write_file(const char *path, const char *data, size_t len);
/* Same at dirfd (O_WRONLY|O_CLOEXEC; create with 0644 when create is set, truncating). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, int create);
/* Write to path.tmp and rename into place (state.json, pid files). */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* Read a whole file (NUL-terminated; *len without the NUL); NULL with errno. Capped at 16 MiB. */
char *read_file(const char *path, size_t *len);
/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode);
/* rm -rf, not crossing mount points; missing is fine. */
void rm_rf(const char *path);
/* Whole-buffer reads and writes on a file descriptor (read_all, write_all): io.h. */

/* A process's start time (field 22 of /proc/PID/stat) and state letter; -1 when gone. */
int proc_stat(pid_t pid, unsigned long long *start_time, char *state);

/* Parse a signal name or number ("KILL", "SIGKILL", "9"); -1 if unknown. */
int parse_signal(const char *s);

/* An ISO 8601 UTC timestamp with nanoseconds (runtime-spec state's `created`). */
void iso8601_now(char *buf, size_t n);
#endif
/* With ISOBENCH_RUNTIME_TRACE set, "T <pid> <monotonic seconds> <label>" on stderr: where a
 * container start spends its time (the runtime's and the init's phases, one clock). */
void trace(const char *label);
