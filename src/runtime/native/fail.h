/*
 * fail.h: the error return the helper's modules share: format a message into the caller's buffer
 * (err, errlen; either may be absent), set errno to e, return -1.
 */
#ifndef ISOBENCH_FAIL_H
#define ISOBENCH_FAIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 4, 5))) static inline int fail(char *err, size_t errlen, int e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (err && errlen) vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  errno = e;
  return -1;
}

#endif
