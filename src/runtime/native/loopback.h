/*
 * loopback.h: bring up lo in the current network namespace. A new network namespace starts with
 * lo down (network_namespaces(7)); Docker's `--network none` has it up (runc's init brings it up), so a
 * container can reach its own 127.0.0.1. Shared by isobench-runtime (create.c) and isobench-nsexec.
 */
#ifndef ISOBENCH_LOOPBACK_H
#define ISOBENCH_LOOPBACK_H

/* Set IFF_UP | IFF_RUNNING on lo (SIOCGIFFLAGS/SIOCSIFFLAGS on an AF_INET socket); 0, or -1 with errno set. */
int loopback_up(void);

#endif
