/*
 * isobench-runtime: process.terminal with --console-socket, the protocol runc, crun, conmon and
 * containerd share: the runtime makes a pty inside the container and sends its master fd over
 * the unix socket (SCM_RIGHTS); the slave becomes the process's controlling terminal and stdio.
 */
#ifndef ISOBENCH_TERMINAL_H
#define ISOBENCH_TERMINAL_H
#include "util.h"

/* Connect to the --console-socket path (in the runtime's mount namespace); dies on failure. */
int console_connect(const char *path);
/* In the container (after its /dev/pts is mounted): new session, pty, send the master over sock,
 * slave as controlling terminal and fds 0-2. height/width 0 = leave the size. Dies on failure. */
void console_setup(int sock, unsigned height, unsigned width);
#endif
