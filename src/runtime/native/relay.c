/* The timestamping relay of isobench-launch (see relay.h). */
#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "phases.h"

#define STAMPED "ISOBENCH@"

uint64_t relay_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void relay_init(struct relay *r, int out_fd) {
  memset(r, 0, sizeof *r);
  r->out = out_fd;
}

int relay_add_mark(struct relay *r, char *spec) {
  char *eq = strchr(spec, '=');
  if (!eq || eq == spec || !eq[1] || r->n_marks >= RELAY_MAX_MARKS) return -1;
  *eq = 0;
  r->marks[r->n_marks++] = (struct relay_mark){.phase = spec, .text = eq + 1};
  return 0;
}

/* write(2) all of it; -1 when the reader is gone (EPIPE) or another error. */
static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w, n -= (size_t)w;
  }
  return 0;
}

int relay_emit(struct relay *r, uint64_t at, const char *phase, const char *rest) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, STAMPED "%llu %s%s%s\n", (unsigned long long)at, phase, rest && *rest ? " " : "", rest ? rest : "");
  if (n < 0) return -1;
  return write_all(r->out, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* One complete line (with its newline, or without at a flush or a split): marks, then the line with its marker stamped. */
static int pass_line(struct relay *r, char *line, size_t n, uint64_t at) {
  for (int i = 0; i < r->n_marks; i++) {
    struct relay_mark *m = &r->marks[i];
    if (!m->seen && memmem(line, n, m->text, strlen(m->text))) {
      m->seen = 1;
      if (relay_emit(r, at, m->phase, NULL) < 0) return -1;
    }
  }
  /* Only the relay writes timestamps: the instance's own "ISOBENCH@" becomes "ISOBENCH_". */
  for (char *p = line; (p = memmem(p, n - (size_t)(p - line), STAMPED, sizeof STAMPED - 1)); p += sizeof STAMPED - 1) p[sizeof STAMPED - 2] = '_';
  char *marker = memmem(line, n, PHASE_MARKER_PREFIX, sizeof PHASE_MARKER_PREFIX - 1);
  if (!marker) return write_all(r->out, line, n);
  char stamp[48];
  int s = snprintf(stamp, sizeof stamp, STAMPED "%llu ", (unsigned long long)at);
  size_t before = (size_t)(marker - line), skip = sizeof PHASE_MARKER_PREFIX - 1;
  if (write_all(r->out, line, before) < 0 || write_all(r->out, stamp, (size_t)s) < 0) return -1;
  return write_all(r->out, marker + skip, n - before - skip);
}

int relay_feed(struct relay *r, const char *data, size_t n, uint64_t at) {
  while (n > 0) {
    const char *nl = memchr(data, '\n', n);
    size_t take = nl ? (size_t)(nl - data) + 1 : n;
    if (r->len + take > sizeof r->line) take = sizeof r->line - r->len; /* an overlong line goes out in pieces */
    memcpy(r->line + r->len, data, take);
    r->len += take, data += take, n -= take;
    if (r->line[r->len - 1] == '\n' || r->len == sizeof r->line) {
      if (pass_line(r, r->line, r->len, at) < 0) return -1;
      r->len = 0;
    }
  }
  return 0;
}

int relay_flush(struct relay *r, uint64_t at) {
  if (r->len == 0) return 0;
  int rc = pass_line(r, r->line, r->len, at);
  r->len = 0;
  return rc;
}

long relay_pump(struct relay *r, int in_fd) {
  char buf[16384];
  ssize_t got = read(in_fd, buf, sizeof buf);
  if (got <= 0) return got;
  /* Arrival: when the read returned the bytes, for every line they complete. */
  if (relay_feed(r, buf, (size_t)got, relay_now()) < 0) return -1;
  return got;
}
