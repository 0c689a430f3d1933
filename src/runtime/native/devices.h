/*
 * devices.h: a container's device cgroup from OCI device rules (runtime-spec config-linux.md,
 * "Device allowlist": linux.resources.devices[] = {allow, type, major, minor, access}).
 *
 *   cgroup v1: the rules are written in order to the cgroup's devices.allow / devices.deny
 *              (kernel Documentation/admin-guide/cgroup-v1/devices.rst).
 *   cgroup v2: the rules are reduced the way the v1 kernel code would (a later rule overrides an
 *              earlier one) and become a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup
 *              (kernel Documentation/admin-guide/cgroup-v2.rst, "Device controller"), as runc
 *              (opencontainers/cgroups devices/devicefilter.go) and crun (src/libcrun/ebpf.c) do,
 *              with raw bpf(2) calls: no libbpf.
 *
 * No allocation, no global state; errors are returned as -1 with errno set and a message in err.
 */
#ifndef ISOBENCH_DEVICES_H
#define ISOBENCH_DEVICES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define DEV_WILDCARD (-1) /* an OCI rule's absent major or minor: any */

/* Access bits, as in the v1 files ("rwm") and the kernel's BPF_DEVCG_ACC_* (same values). */
#define DEV_ACC_MKNOD 1u
#define DEV_ACC_READ 2u
#define DEV_ACC_WRITE 4u
#define DEV_ACC_ALL (DEV_ACC_MKNOD | DEV_ACC_READ | DEV_ACC_WRITE)

/* One OCI LinuxDeviceCgroup entry. type: 'a' (all), 'c' (char) or 'b' (block); an 'a' rule resets
 * the whole list to allow-all or deny-all whatever its numbers (as the v1 kernel code does). */
struct dev_rule {
  int allow;
  char type;
  int64_t major, minor; /* DEV_WILDCARD or 0..UINT32_MAX */
  unsigned access;      /* DEV_ACC_* bits; an OCI rule without access means rwm */
};

/*
 * Parse one rule from its text form "allow|deny TYPE MAJOR:MINOR ACCESS", the v1 file syntax with
 * the verb in front, e.g. "deny a *:* rwm", "allow c 1:3 rwm", "allow c 136:* rwm". "deny a" alone
 * is accepted too. Returns 0, or -1 with a message in err.
 */
int dev_rule_parse(const char *text, struct dev_rule *out, char *err, size_t errlen);

/*
 * Read the OCI linux.resources.devices array (libjansson): up to cap rules into out, in order.
 * allow is required; type defaults to "a", major/minor to any, access to "rwm". Returns the count,
 * or -1 with a message in err naming the index and field.
 */
int dev_rules_from_json(json_t *devices, struct dev_rule *out, size_t cap, char *err, size_t errlen);

/* Format a rule in the v1 file syntax ("c 1:3 rwm", "a *:* rwm"); returns buf. */
char *dev_rule_v1_string(const struct dev_rule *r, char *buf, size_t len);

/*
 * cgroup v1: write the rules in order to <cgroup_dir>/devices.allow and devices.deny. The cgroup
 * must have no children (the kernel refuses an 'a' rule otherwise). 0, or -1 (errno, err).
 */
int dev_apply_v1(const char *cgroup_dir, const struct dev_rule *rules, size_t n, char *err, size_t errlen);

/*
 * cgroup v2: build the BPF program for the rules, load it and attach it to the cgroup open at
 * cgroup_fd (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, as runc). The program stays attached until the
 * cgroup is removed; no fd is kept. Needs CONFIG_CGROUP_BPF and CAP_SYS_ADMIN (or CAP_BPF).
 * 0, or -1 (errno, err).
 */
int dev_apply_v2(int cgroup_fd, const struct dev_rule *rules, size_t n, char *err, size_t errlen);

/*
 * The program dev_apply_v2 would load, for tests and inspection: up to cap instructions of 8 bytes
 * (struct bpf_insn) into insns. Returns the instruction count, or -1 (EINVAL: more than
 * DEV_MAX_RULES effective rules, E2BIG: cap too small).
 */
#define DEV_MAX_RULES 256
int dev_bpf_program(const struct dev_rule *rules, size_t n, void *insns, size_t cap);

/*
 * Would the rules let a process make (DEV_ACC_MKNOD) or open (READ/WRITE) device type/major/minor?
 * The same reduction as dev_bpf_program, evaluated in C: 1 allowed, 0 refused.
 */
int dev_rules_permit(const struct dev_rule *rules, size_t n, char type, uint32_t major, uint32_t minor, unsigned access);

#endif
