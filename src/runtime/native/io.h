/*
 * io.h: whole-buffer reads and writes on a file descriptor, retrying what a signal interrupts
 * (EINTR). libc only: isobench-launch's relay uses them as isobench-runtime does.
 */
#ifndef ISOBENCH_IO_H
#define ISOBENCH_IO_H

#include <stddef.h>
#include <sys/types.h>

/* write(2) all n bytes of buf, retrying on EINTR; 0, or -1 with errno (EPIPE: the reader is gone). */
int write_all(int fd, const void *buf, size_t n);

/* Read fd to its end into buf (at most n-1 bytes, NUL-terminated), retrying on EINTR; bytes read, or -1 with errno. */
ssize_t read_all(int fd, char *buf, size_t n);

#endif
