/*
 * spawn-timer: run ARGV once and print "<nanoseconds> <exit status>" — the time from just before
 * posix_spawn to waitpid's return on CLOCK_MONOTONIC. bench:runtime times every arm through it, so
 * no figure carries node's child_process cost (≈ 4 ms here, larger than bare unshare itself), like
 * hyperfine's --shell=none.   usage: spawn-timer [-n] ARGV...   (-n: the child's stdio is /dev/null,
 * for a command that leaves processes holding it, such as an OCI runtime's create)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  int null_io = argc > 1 && strcmp(argv[1], "-n") == 0;
  if (null_io) argv++, argc--;
  if (argc < 2) {
    fprintf(stderr, "usage: spawn-timer [-n] ARGV...\n");
    return 2;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (null_io)
    for (int fd = 0; fd < 3; fd++) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
  pid_t pid;
  int status;
  long long start = now_ns();
  int err = posix_spawnp(&pid, argv[1], &fa, NULL, argv + 1, environ);
  if (err) {
    fprintf(stderr, "spawn-timer: %s: %s\n", argv[1], strerror(err));
    return 2;
  }
  if (waitpid(pid, &status, 0) < 0) {
    perror("spawn-timer: waitpid");
    return 2;
  }
  long long ns = now_ns() - start;
  printf("%lld %d\n", ns, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}
