/*
 * devices.c: the device cgroup of a container (see devices.h). cgroup v1 takes the rules as they
 * are; cgroup v2 gets a BPF_PROG_TYPE_CGROUP_DEVICE program that decides as the v1 code would.
 */
#define _GNU_SOURCE
#include "devices.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---------- text form ---------- */

static int parse_num(const char *s, const char **end, int64_t *out) {
  if (*s == '*') {
    *out = DEV_WILDCARD;
    *end = s + 1;
    return 0;
  }
  char *e;
  errno = 0;
  unsigned long long v = strtoull(s, &e, 10);
  if (e == s || errno || v > UINT32_MAX) return -1;
  *out = (int64_t)v;
  *end = e;
  return 0;
}

int dev_rule_parse(const char *text, struct dev_rule *out, char *err, size_t errlen) {
  struct dev_rule r = {.major = DEV_WILDCARD, .minor = DEV_WILDCARD, .access = DEV_ACC_ALL};
  const char *p = text;
  if (strncmp(p, "allow ", 6) == 0) r.allow = 1, p += 6;
  else if (strncmp(p, "deny ", 5) == 0) r.allow = 0, p += 5;
  else return fail(err, errlen, EINVAL, "device rule %s: expected allow|deny TYPE MAJOR:MINOR ACCESS", text);
  if (*p != 'a' && *p != 'b' && *p != 'c') return fail(err, errlen, EINVAL, "device rule %s: type must be a, b or c", text);
  r.type = *p++;
  if (*p == 0 && r.type == 'a') return *out = r, 0;
  if (*p++ != ' ' || parse_num(p, &p, &r.major) < 0 || *p++ != ':' || parse_num(p, &p, &r.minor) < 0)
    return fail(err, errlen, EINVAL, "device rule %s: expected MAJOR:MINOR (numbers or *)", text);
  if (*p == ' ') {
    p++;
    r.access = 0;
    for (; *p; p++) {
      unsigned bit = *p == 'r' ? DEV_ACC_READ : *p == 'w' ? DEV_ACC_WRITE : *p == 'm' ? DEV_ACC_MKNOD : 0;
      if (!bit) return fail(err, errlen, EINVAL, "device rule %s: access must be letters of rwm", text);
      r.access |= bit;
    }
  }
  if (*p || !r.access) return fail(err, errlen, EINVAL, "device rule %s: trailing text or empty access", text);
  *out = r;
  return 0;
}

char *dev_rule_v1_string(const struct dev_rule *r, char *buf, size_t len) {
  char maj[24] = "*", min[24] = "*", acc[4];
  int n = 0;
  if (r->major != DEV_WILDCARD) snprintf(maj, sizeof maj, "%lld", (long long)r->major);
  if (r->minor != DEV_WILDCARD) snprintf(min, sizeof min, "%lld", (long long)r->minor);
  if (r->access & DEV_ACC_READ) acc[n++] = 'r';
  if (r->access & DEV_ACC_WRITE) acc[n++] = 'w';
  if (r->access & DEV_ACC_MKNOD) acc[n++] = 'm';
  acc[n] = 0;
  snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
  return buf;
}

int dev_rules_from_json(json_t *devices, struct dev_rule *out, size_t cap, char *err, size_t errlen) {
  if (devices && !json_is_array(devices)) return fail(err, errlen, EINVAL, "linux.resources.devices must be an array");
  size_t i;
  json_t *d;
  json_array_foreach(devices, i, d) {
    if (i >= cap) return fail(err, errlen, E2BIG, "linux.resources.devices: more than %zu rules", cap);
    struct dev_rule r = {.type = 'a', .major = DEV_WILDCARD, .minor = DEV_WILDCARD, .access = DEV_ACC_ALL};
    json_t *allow = json_object_get(d, "allow"), *type = json_object_get(d, "type"), *access = json_object_get(d, "access");
    if (!json_is_boolean(allow)) return fail(err, errlen, EINVAL, "linux.resources.devices[%zu].allow must be true or false", i);
    r.allow = json_is_true(allow);
    if (type) {
      const char *t = json_string_value(type);
      if (!t || strlen(t) != 1 || !strchr("abc", t[0])) return fail(err, errlen, EINVAL, "linux.resources.devices[%zu].type must be a, b or c", i);
      r.type = t[0];
    }
    const char *keys[2] = {"major", "minor"};
    int64_t *nums[2] = {&r.major, &r.minor};
    for (int k = 0; k < 2; k++) {
      json_t *v = json_object_get(d, keys[k]);
      if (!v || json_is_null(v)) continue;
      if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > UINT32_MAX)
        return fail(err, errlen, EINVAL, "linux.resources.devices[%zu].%s must be an integer", i, keys[k]);
      *nums[k] = json_integer_value(v) < 0 ? DEV_WILDCARD : json_integer_value(v);
    }
    if (access) {
      const char *a = json_string_value(access);
      if (!a) return fail(err, errlen, EINVAL, "linux.resources.devices[%zu].access must be a string", i);
      if (*a) r.access = 0;
      for (; *a; a++) {
        unsigned bit = *a == 'r' ? DEV_ACC_READ : *a == 'w' ? DEV_ACC_WRITE : *a == 'm' ? DEV_ACC_MKNOD : 0;
        if (!bit) return fail(err, errlen, EINVAL, "linux.resources.devices[%zu].access must be letters of rwm", i);
        r.access |= bit;
      }
    }
    out[i] = r;
  }
  return (int)json_array_size(devices);
}

/* ---------- cgroup v1 ---------- */

int dev_apply_v1(const char *cgroup_dir, const struct dev_rule *rules, size_t n, char *err, size_t errlen) {
  char path[4200], line[64];
  int fds[2] = {-1, -1}; /* [0] devices.deny, [1] devices.allow: opened once, one write per rule */
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    int a = rules[i].allow ? 1 : 0;
    if (fds[a] < 0) {
      snprintf(path, sizeof path, "%s/devices.%s", cgroup_dir, a ? "allow" : "deny");
      fds[a] = open(path, O_WRONLY | O_CLOEXEC);
      if (fds[a] < 0) rc = fail(err, errlen, errno, "open %s", path);
      if (rc) break;
    }
    /* An 'a' rule is written as "a": the kernel resets the list and ignores the rest. */
    if (rules[i].type == 'a') snprintf(line, sizeof line, "a");
    else dev_rule_v1_string(&rules[i], line, sizeof line);
    size_t len = strlen(line);
    if (write(fds[a], line, len) != (ssize_t)len) rc = fail(err, errlen, errno, "write \"%s\" to %s/devices.%s", line, cgroup_dir, a ? "allow" : "deny");
  }
  int e = errno;
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0) close(fds[i]);
  errno = e;
  return rc;
}

/* ---------- the v1 semantics, reduced (for v2) ---------- */

struct reduced {
  int default_allow;
  size_t n;
  struct dev_rule ex[DEV_MAX_RULES]; /* exceptions to the default: allows when it denies, and the reverse */
};

/* Replay the rules as the v1 kernel code does (security/device_cgroup.c, devcgroup_update_access):
 * a new cgroup starts allow-all (its parent, isobench's, allows all); an 'a' rule resets the list;
 * a rule against the default adds (or widens) an exception; a rule with the default removes its
 * access bits from the exception with the same type and numbers. */
static int reduce(const struct dev_rule *rules, size_t n, struct reduced *out) {
  out->default_allow = 1;
  out->n = 0;
  for (size_t i = 0; i < n; i++) {
    const struct dev_rule *r = &rules[i];
    if (r->type == 'a') {
      out->default_allow = r->allow;
      out->n = 0;
      continue;
    }
    size_t k = 0;
    while (k < out->n && !(out->ex[k].type == r->type && out->ex[k].major == r->major && out->ex[k].minor == r->minor)) k++;
    if (r->allow != out->default_allow) {
      if (k < out->n) {
        out->ex[k].access |= r->access;
      } else {
        if (out->n == DEV_MAX_RULES) return errno = EINVAL, -1;
        out->ex[out->n] = *r;
        out->ex[out->n++].allow = !out->default_allow;
      }
    } else if (k < out->n) {
      out->ex[k].access &= ~r->access;
      if (out->ex[k].access == 0) memmove(&out->ex[k], &out->ex[k + 1], (--out->n - k) * sizeof *out->ex);
    }
  }
  return 0;
}

/* Does exception ex cover a request? As the kernel: against a deny-all default an exception must
 * grant every requested bit (match_exception); against allow-all, any shared bit denies
 * (match_exception_partial). */
static int ex_matches(const struct dev_rule *ex, int default_allow, char type, uint32_t major, uint32_t minor, unsigned access) {
  if (ex->type != type) return 0;
  if (ex->major != DEV_WILDCARD && ex->major != major) return 0;
  if (ex->minor != DEV_WILDCARD && ex->minor != minor) return 0;
  return default_allow ? (access & ex->access) != 0 : (access & ~ex->access) == 0;
}

int dev_rules_permit(const struct dev_rule *rules, size_t n, char type, uint32_t major, uint32_t minor, unsigned access) {
  static struct reduced red; /* ≈ 8 KiB: not on the stack */
  if (reduce(rules, n, &red) < 0) return 0;
  for (size_t i = 0; i < red.n; i++)
    if (ex_matches(&red.ex[i], red.default_allow, type, major, minor, access)) return !red.default_allow;
  return red.default_allow;
}

/* ---------- cgroup v2: the BPF program ---------- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_K(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_X(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define JMP_K(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_X(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/*
 * The program, for a context struct bpf_cgroup_dev_ctx {u32 access_type (access << 16 | type);
 * u32 major; u32 minor} in r1: r2 = type, r3 = access, r4 = major, r5 = minor; then one block per
 * exception that jumps to the next block on any mismatch and returns the exception's verdict on a
 * match; the last block returns the default (1 allows, 0 refuses with EPERM).
 */
int dev_bpf_program(const struct dev_rule *rules, size_t n, void *out, size_t cap) {
  static struct reduced red;
  if (reduce(rules, n, &red) < 0) return -1;
  struct bpf_insn *p = out;
  size_t k = 0;
#define EMIT(x)                                \
  do {                                         \
    if (k >= cap) return errno = E2BIG, -1;    \
    p[k++] = (x);                              \
  } while (0)
  EMIT(LDX_W(BPF_REG_2, BPF_REG_1, 0));
  EMIT(ALU32_K(BPF_AND, BPF_REG_2, 0xFFFF));
  EMIT(LDX_W(BPF_REG_3, BPF_REG_1, 0));
  EMIT(ALU32_K(BPF_RSH, BPF_REG_3, 16));
  EMIT(LDX_W(BPF_REG_4, BPF_REG_1, 4));
  EMIT(LDX_W(BPF_REG_5, BPF_REG_1, 8));
  for (size_t i = 0; i < red.n; i++) {
    const struct dev_rule *ex = &red.ex[i];
    int check_access = red.default_allow || ex->access != DEV_ACC_ALL;
    int len = 1 + (check_access ? 3 : 0) + (ex->major != DEV_WILDCARD) + (ex->minor != DEV_WILDCARD) + 2;
    int at = 0; /* index within the block: a jump from it skips len - at - 1 instructions */
#define SKIP() (short)(len - at - 1)
#define EMIT_AT(x) \
  do {             \
    EMIT(x);       \
    at++;          \
  } while (0)
    EMIT_AT(JMP_K(BPF_JNE, BPF_REG_2, ex->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, SKIP()));
    if (check_access) {
      EMIT_AT(MOV32_X(BPF_REG_1, BPF_REG_3));
      EMIT_AT(ALU32_K(BPF_AND, BPF_REG_1, (int)ex->access));
      if (red.default_allow) EMIT_AT(JMP_K(BPF_JEQ, BPF_REG_1, 0, SKIP())); /* no shared bit: not this one */
      else EMIT_AT(JMP_X(BPF_JNE, BPF_REG_1, BPF_REG_3, SKIP()));          /* a bit it does not grant */
    }
    if (ex->major != DEV_WILDCARD) EMIT_AT(JMP_K(BPF_JNE, BPF_REG_4, (int32_t)ex->major, SKIP()));
    if (ex->minor != DEV_WILDCARD) EMIT_AT(JMP_K(BPF_JNE, BPF_REG_5, (int32_t)ex->minor, SKIP()));
#undef EMIT_AT
#undef SKIP
    EMIT(ALU32_K(BPF_MOV, BPF_REG_0, red.default_allow ? 0 : 1));
    EMIT(EXIT_INSN());
  }
  EMIT(ALU32_K(BPF_MOV, BPF_REG_0, red.default_allow ? 1 : 0));
  EMIT(EXIT_INSN());
#undef EMIT
  return (int)k;
}

static long bpf(int cmd, union bpf_attr *attr) { return syscall(SYS_bpf, cmd, attr, sizeof *attr); }

int dev_apply_v2(int cgroup_fd, const struct dev_rule *rules, size_t n, char *err, size_t errlen) {
  /* Each exception is at most 8 instructions, plus 8 for the prologue and the default. */
  static struct bpf_insn insns[DEV_MAX_RULES * 8 + 8];
  int count = dev_bpf_program(rules, n, insns, sizeof insns / sizeof *insns);
  if (count < 0) return fail(err, errlen, errno, "device rules: more than %d exceptions", DEV_MAX_RULES);
  static char log[8192];
  union bpf_attr load;
  memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insn_cnt = (uint32_t)count;
  load.insns = (uint64_t)(uintptr_t)insns;
  load.license = (uint64_t)(uintptr_t) "MIT"; /* the program calls no GPL-only helper */
  int prog = (int)bpf(BPF_PROG_LOAD, &load);
  if (prog < 0) {
    int e = errno;
    /* Load again with the verifier's log, for the message only. */
    load.log_level = 1, load.log_buf = (uint64_t)(uintptr_t)log, load.log_size = sizeof log;
    log[0] = 0;
    int again = (int)bpf(BPF_PROG_LOAD, &load);
    if (again >= 0) close(again);
    char *last = strrchr(log, '\n');
    if (last && last > log) *last = 0;
    last = strrchr(log, '\n');
    return fail(err, errlen, e, "load the device BPF program (%d instructions)%s%s", count, log[0] ? ": verifier: " : "", last ? last + 1 : log);
  }
  union bpf_attr attach;
  memset(&attach, 0, sizeof attach);
  attach.target_fd = (uint32_t)cgroup_fd;
  attach.attach_bpf_fd = (uint32_t)prog;
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  int rc = (int)bpf(BPF_PROG_ATTACH, &attach);
  int e = errno;
  close(prog);
  if (rc < 0) return fail(err, errlen, e, "attach the device BPF program to the cgroup");
  return 0;
}
