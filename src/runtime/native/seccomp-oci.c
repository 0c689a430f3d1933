/*
 * seccomp-oci.c: the OCI linux.seccomp object → classic BPF with libseccomp, and installing it
 * (see seccomp-oci.h for the rules and their source).
 */
#define _GNU_SOURCE
#include "seccomp-oci.h"
#include "fail.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* An OCI action name (runtime-spec: SCMP_ACT_KILL, _KILL_PROCESS, _KILL_THREAD, _TRAP, _ERRNO,
 * _TRACE, _ALLOW, _LOG, _NOTIFY) → libseccomp's action; errno_ret < 0 when absent. 0 on error. */
static int action_of(const char *name, long errno_ret, uint32_t *out) {
  if (!name) return 0;
  uint16_t e = errno_ret >= 0 ? (uint16_t)errno_ret : EPERM;
  if (!strcmp(name, "SCMP_ACT_ALLOW")) *out = SCMP_ACT_ALLOW;
  else if (!strcmp(name, "SCMP_ACT_ERRNO")) *out = SCMP_ACT_ERRNO(e);
  else if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD")) *out = SCMP_ACT_KILL_THREAD;
  else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS")) *out = SCMP_ACT_KILL_PROCESS;
  else if (!strcmp(name, "SCMP_ACT_TRAP")) *out = SCMP_ACT_TRAP;
  else if (!strcmp(name, "SCMP_ACT_TRACE")) *out = SCMP_ACT_TRACE(e);
  else if (!strcmp(name, "SCMP_ACT_LOG")) *out = SCMP_ACT_LOG;
  else return 0;
  return 1;
}

static int op_of(const char *name, enum scmp_compare *out) {
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; name && i < sizeof ops / sizeof *ops; i++)
    if (!strcmp(name, ops[i].name)) return *out = ops[i].op, 1;
  return 0;
}

static long errno_ret_of(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return json_is_integer(v) && json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
}

/* Rules of one syscalls[] entry for one syscall number. */
static int add_rules(scmp_filter_ctx ctx, int nr, uint32_t action, json_t *args, const char *name, char *err, size_t errlen) {
  size_t nargs = json_array_size(args);
  if (nargs == 0) {
    int rc = seccomp_rule_add(ctx, action, nr, 0);
    return rc < 0 ? fail(err, errlen, -rc, "seccomp rule for %s", name) : 0;
  }
  if (nargs > 6 * 4) return fail(err, errlen, EINVAL, "seccomp rule for %s: too many args", name);
  struct scmp_arg_cmp cmp[6 * 4];
  int per_index[6] = {0}, repeated = 0;
  for (size_t i = 0; i < nargs; i++) {
    json_t *a = json_array_get(args, i);
    json_t *index = json_object_get(a, "index");
    enum scmp_compare op;
    if (!json_is_integer(index) || json_integer_value(index) < 0 || json_integer_value(index) > 5)
      return fail(err, errlen, EINVAL, "seccomp rule for %s: args[%zu].index must be 0-5", name, i);
    if (!op_of(json_string_value(json_object_get(a, "op")), &op))
      return fail(err, errlen, EINVAL, "seccomp rule for %s: args[%zu].op %s is not an SCMP_CMP_* operator", name, i,
                  json_string_value(json_object_get(a, "op")) ?: "(missing)");
    unsigned idx = (unsigned)json_integer_value(index);
    /* JSON integers are signed 64-bit: values above INT64_MAX arrive as reals. */
    json_t *v = json_object_get(a, "value"), *v2 = json_object_get(a, "valueTwo");
    uint64_t value = json_is_integer(v) ? (uint64_t)json_integer_value(v) : json_is_real(v) ? (uint64_t)json_real_value(v) : 0;
    uint64_t value2 = json_is_integer(v2) ? (uint64_t)json_integer_value(v2) : json_is_real(v2) ? (uint64_t)json_real_value(v2) : 0;
    cmp[i] = (struct scmp_arg_cmp){.arg = idx, .op = op, .datum_a = value, .datum_b = value2};
    if (++per_index[idx] > 1) repeated = 1;
  }
  if (!repeated) {
    int rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)nargs, cmp);
    return rc < 0 ? fail(err, errlen, -rc, "seccomp rule for %s", name) : 0;
  }
  for (size_t i = 0; i < nargs; i++) {
    int rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
    if (rc < 0) return fail(err, errlen, -rc, "seccomp rule for %s", name);
  }
  return 0;
}

/* The program libseccomp generates, read back through a memfd (libseccomp 2.5 exports to an fd only). */
static int export_prog(scmp_filter_ctx ctx, struct sock_fprog *prog, char *err, size_t errlen) {
  int fd = memfd_create("isobench-seccomp", MFD_CLOEXEC);
  if (fd < 0) return fail(err, errlen, errno, "memfd_create");
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) {
    close(fd);
    return fail(err, errlen, -rc, "seccomp_export_bpf");
  }
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter) || size / sizeof(struct sock_filter) > 0xFFFF) {
    close(fd);
    return fail(err, errlen, EINVAL, "seccomp_export_bpf wrote %lld bytes", (long long)size);
  }
  prog->filter = malloc((size_t)size);
  prog->len = (unsigned short)(size / sizeof(struct sock_filter));
  ssize_t got = prog->filter ? pread(fd, prog->filter, (size_t)size, 0) : -1;
  close(fd);
  if (got != size) {
    free(prog->filter);
    prog->filter = NULL;
    return fail(err, errlen, EIO, "read back the exported filter");
  }
  return 0;
}

int oci_seccomp_compile(json_t *sc, struct sock_fprog *prog, unsigned *flags, char *err, size_t errlen) {
  if (!json_is_object(sc)) return fail(err, errlen, EINVAL, "linux.seccomp must be an object");
  uint32_t def;
  const char *def_name = json_string_value(json_object_get(sc, "defaultAction"));
  if (!action_of(def_name, errno_ret_of(sc, "defaultErrnoRet"), &def))
    return fail(err, errlen, EINVAL, "linux.seccomp.defaultAction %s is not a supported SCMP_ACT_* action", def_name ?: "(missing)");
  if (json_object_get(sc, "listenerPath")) return fail(err, errlen, ENOTSUP, "linux.seccomp.listenerPath: seccomp notify is not supported");
  *flags = 0;
  json_t *v;
  size_t i;
  json_array_foreach(json_object_get(sc, "flags"), i, v) {
    const char *f = json_string_value(v);
    if (f && !strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC")) continue; /* single-threaded here; runc ignores it too */
    else if (f && !strcmp(f, "SECCOMP_FILTER_FLAG_LOG")) *flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (f && !strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW")) *flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else if (f && !strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")) *flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    else return fail(err, errlen, EINVAL, "linux.seccomp.flags[%zu] %s is not supported", i, f ?: "(not a string)");
  }
  scmp_filter_ctx ctx = seccomp_init(def);
  if (!ctx) return fail(err, errlen, ENOMEM, "seccomp_init");
  int rc = 0;
  json_array_foreach(json_object_get(sc, "architectures"), i, v) {
    /* OCI SCMP_ARCH_X86_64 → libseccomp's "x86_64" (the names match once lowercased). */
    const char *a = json_string_value(v);
    char name[32];
    size_t n = 0;
    if (a && !strncmp(a, "SCMP_ARCH_", 10))
      for (const char *c = a + 10; *c && n < sizeof name - 1; c++) name[n++] = (char)tolower((unsigned char)*c);
    name[n] = 0;
    uint32_t arch = n ? seccomp_arch_resolve_name(name) : 0;
    if (!arch) {
      rc = fail(err, errlen, EINVAL, "linux.seccomp.architectures[%zu] %s is not an architecture libseccomp knows", i, a ?: "(not a string)");
      goto out;
    }
    int r = seccomp_arch_add(ctx, arch);
    if (r < 0 && r != -EEXIST) {
      rc = fail(err, errlen, -r, "seccomp_arch_add %s", a);
      goto out;
    }
  }
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); /* no_new_privs is process.noNewPrivileges' business */
  json_t *calls = json_object_get(sc, "syscalls");
  /* A binary tree of syscalls for long lists, as runc above 32 rules (runc's rules are one syscall
   * each: count names, not OCI entries, which group them). Docker's profile (≈ 370 syscalls in 24
   * entries) then compiles to 1246 instructions instead of 1001, but the kernel installs (JITs) it
   * in ≈ 0.29 ms instead of ≈ 0.73 ms here, and a syscall walks a tree instead of a list. */
  size_t names = 0;
  json_array_foreach(calls, i, v) names += json_array_size(json_object_get(v, "names"));
  if (names > 32) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  json_array_foreach(calls, i, v) {
    uint32_t act;
    const char *an = json_string_value(json_object_get(v, "action"));
    if (!action_of(an, errno_ret_of(v, "errnoRet"), &act)) {
      rc = fail(err, errlen, EINVAL, "linux.seccomp.syscalls[%zu].action %s is not a supported SCMP_ACT_* action", i, an ?: "(missing)");
      goto out;
    }
    if (act == def) continue;
    size_t j;
    json_t *name;
    json_array_foreach(json_object_get(v, "names"), j, name) {
      const char *s = json_string_value(name);
      if (!s) {
        rc = fail(err, errlen, EINVAL, "linux.seccomp.syscalls[%zu].names[%zu] is not a string", i, j);
        goto out;
      }
      int nr = seccomp_syscall_resolve_name(s);
      if (nr == __NR_SCMP_ERROR) continue; /* not a syscall this libseccomp knows: skipped, as runc */
      if (add_rules(ctx, nr, act, json_object_get(v, "args"), s, err, errlen) < 0) {
        rc = -1;
        goto out;
      }
    }
  }
  rc = export_prog(ctx, prog, err, errlen);
out:
  seccomp_release(ctx);
  return rc;
}

int oci_seccomp_compile_file(const char *path, struct sock_fprog *prog, unsigned *flags, char *err, size_t errlen) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  if (!root) return fail(err, errlen, EINVAL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
  json_t *sc = root;
  json_t *linux_ = json_object_get(root, "linux");
  if (linux_ && json_object_get(linux_, "seccomp")) sc = json_object_get(linux_, "seccomp");
  int rc = oci_seccomp_compile(sc, prog, flags, err, errlen);
  json_decref(root);
  return rc;
}

int oci_seccomp_read_bpf(const char *path, struct sock_fprog *prog, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(err, errlen, errno, "open %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) || st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    close(fd);
    return fail(err, errlen, EINVAL, "%s is not a seccomp BPF program (size %lld)", path, (long long)st.st_size);
  }
  prog->filter = malloc((size_t)st.st_size);
  prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
  ssize_t got = prog->filter ? read(fd, prog->filter, (size_t)st.st_size) : -1;
  int e = errno;
  close(fd);
  if (got != st.st_size) {
    free(prog->filter);
    prog->filter = NULL;
    return fail(err, errlen, got < 0 ? e : EIO, "read %s", path);
  }
  return 0;
}

int oci_seccomp_write_bpf(const char *path, const struct sock_fprog *prog, char *err, size_t errlen) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(err, errlen, errno, "open %s", path);
  size_t size = prog->len * sizeof(struct sock_filter);
  ssize_t put = write(fd, prog->filter, size);
  int e = errno;
  if (close(fd) < 0 && put == (ssize_t)size) put = -1, e = errno;
  if (put != (ssize_t)size) return fail(err, errlen, put < 0 ? e : EIO, "write %s", path);
  return 0;
}

int oci_seccomp_install(const struct sock_fprog *prog, unsigned flags) {
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

void oci_seccomp_free(struct sock_fprog *prog) {
  free(prog->filter);
  prog->filter = NULL;
  prog->len = 0;
}
