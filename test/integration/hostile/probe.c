/*
 * probe: a tiny static program the hostile tests bind into containers. Each check prints
 * NAME=OK or NAME=<errno name> on one line, so a test reads exactly what the kernel answered.
 *
 *   probe dev c|b MAJOR MINOR   mknod a node of that device in /dev, then open it for reading and
 *                               for writing: mknod=… read=… write=…
 *   probe sys NAME...           keyctl (KEYCTL_GET_KEYRING_ID of the session keyring), unshare-user
 *                               (unshare(CLONE_NEWUSER)), bpf (an invalid command: EINVAL when the
 *                               call reaches the kernel), mkdir (mkdir /tmp/probe-dir), getpid
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *res(long rc) { return rc < 0 ? strerrorname_np(errno) : "OK"; }

static int dev(const char *type, const char *maj, const char *min) {
  const char *node = "/dev/.probe-node";
  unlink(node);
  mode_t kind = type[0] == 'b' ? S_IFBLK : S_IFCHR;
  long m = mknod(node, kind | 0600, makedev(atoi(maj), atoi(min)));
  printf("mknod=%s ", res(m));
  if (m < 0) {
    printf("read=SKIPPED write=SKIPPED\n");
    return 0;
  }
  int r = open(node, O_RDONLY | O_NONBLOCK);
  printf("read=%s ", res(r));
  if (r >= 0) close(r);
  int w = open(node, O_WRONLY | O_NONBLOCK);
  printf("write=%s\n", res(w));
  if (w >= 0) close(w);
  unlink(node);
  return 0;
}

static void sys(const char *name) {
  long rc;
  if (!strcmp(name, "keyctl")) rc = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  else if (!strcmp(name, "unshare-user")) rc = unshare(CLONE_NEWUSER);
  else if (!strcmp(name, "bpf")) rc = syscall(SYS_bpf, 9999, NULL, 0);
  else if (!strcmp(name, "mkdir")) { rc = mkdir("/tmp/probe-dir", 0755); if (rc == 0) rmdir("/tmp/probe-dir"); }
  else if (!strcmp(name, "getpid")) rc = syscall(SYS_getpid);
  else { printf("%s=UNKNOWN\n", name); return; }
  printf("%s=%s\n", name, res(rc));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 5 && !strcmp(argv[1], "dev")) return dev(argv[2], argv[3], argv[4]);
  if (argc >= 3 && !strcmp(argv[1], "sys")) {
    for (int i = 2; i < argc; i++) sys(argv[i]);
    return 0;
  }
  fprintf(stderr, "usage: probe dev c|b MAJOR MINOR | probe sys NAME...\n");
  return 2;
}
