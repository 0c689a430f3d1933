/**
 * Docker's default seccomp policy, built at run time from the profile Debian ships with
 * golang-github-containers-common (`/usr/share/containers/seccomp.json`, Podman's default, itself
 * derived from Docker's and in the same format) plus the named overrides below, which turn it into
 * Docker's. Why not a copy of moby's profiles/seccomp/default.json: fetched data is never committed
 * here, and a packaged, maintained profile beats a hand-kept table of ~370 names.
 *
 * The overrides were found by resolving both profiles for Docker's default capabilities on amd64
 * (kernel 6.18) and comparing rule by rule against moby's default.json as vendored in moby/moby at
 * 35797366 (github.com/moby/profiles/seccomp v0.2.3, 2026-05-05) and Debian 12's
 * golang-github-containers-common 0.50.1+ds1-4. test/unit/runtime/seccomp.test.ts names each
 * difference and checks that the result filters exactly as Docker's does (canonical digest).
 */
import {readFileSync} from 'node:fs'
import {UsageError} from '../../core/errors.js'
import {
  hostTarget,
  toOciSeccomp,
  type DockerSeccompProfile,
  type DockerSyscallRule,
  type OciSeccomp,
  type SeccompTarget,
  DEFAULT_CAPS,
} from './seccomp-profile.js'

export const PODMAN_PROFILE = '/usr/share/containers/seccomp.json'
export const PODMAN_PROFILE_PACKAGE = 'golang-github-containers-common'

/** Linux clone flags that create namespaces (include/uapi/linux/sched.h): Docker lets clone through only without them. */
const CLONE_NEWNS = 0x00020000
const CLONE_NEWCGROUP = 0x02000000
const CLONE_NEWUTS = 0x04000000
const CLONE_NEWIPC = 0x08000000
const CLONE_NEWUSER = 0x10000000
const CLONE_NEWPID = 0x20000000
const CLONE_NEWNET = 0x40000000
export const CLONE_NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET

/** Address families Docker's default refuses to socket(2) (include/linux/socket.h): AF_ALG 38, AF_VSOCK 40. */
const AF_ALG = 38
const AF_VSOCK = 40

/** Where Podman's profile differs from Docker's default, and what Docker does instead. */
export const DOCKER_OVERRIDES = {
  /** Podman answers syscalls it does not list with ENOSYS (38); Docker with EPERM (1). */
  defaultErrnoRet: 1,
  /**
   * Allowed to every container by Podman, not by Docker: Docker lets these through only with a
   * capability outside its default set (CAP_SYS_ADMIN: mount, namespaces, keyrings via the list;
   * CAP_SYS_BOOT, CAP_SYSLOG, CAP_SYS_NICE, CAP_SYS_PTRACE) or not at all (the 32-bit-only
   * signal/readdir calls and the non-syscalls "syscall" and "timerfd"). keyctl: Docker has refused
   * it since 2016 (kernel keyrings are not namespaced).
   */
  denied: [
    'keyctl',
    'unshare',
    'setns',
    'mount',
    'umount',
    'umount2',
    'pivot_root',
    'fsconfig',
    'fsmount',
    'fsopen',
    'fspick',
    'move_mount',
    'open_tree',
    'mount_setattr',
    'reboot',
    'syslog',
    'pidfd_getfd',
    'get_mempolicy',
    'mbind',
    'set_mempolicy',
    'readdir',
    'sigaction',
    'signal',
    'sigpending',
    'sigsuspend',
    'syscall',
    'timerfd',
  ],
  /** Allowed by Docker, missing from (newer than) or refused by Podman's 0.50 profile. */
  allowed: [
    'cachestat',
    'fchmodat2',
    'futex_requeue',
    'futex_wait',
    'futex_waitv',
    'futex_wake',
    'getxattrat',
    'io_pgetevents',
    'io_pgetevents_time64',
    'listmount',
    'listxattrat',
    'map_shadow_stack',
    'mseal',
    'removexattrat',
    'riscv_hwprobe',
    'setxattrat',
    'statmount',
    'uretprobe',
    'vmsplice',
  ],
  /** Architectures Docker maps and Podman's 0.50 archMap lacks (no sub-architectures). */
  archMap: ['SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64'],
  /** Arch-specific allows Docker has and Podman lacks. */
  archRules: [
    {names: ['riscv_flush_icache'], action: 'SCMP_ACT_ALLOW', includes: {arches: ['riscv64']}},
    {names: ['swapcontext'], action: 'SCMP_ACT_ALLOW', includes: {arches: ['ppc64le']}},
  ] satisfies DockerSyscallRule[],
  /** Rules Podman has in another form; Podman's rules for these names are dropped. */
  replaced: {
    // Podman: clone unconditionally. Docker: without namespace flags unless CAP_SYS_ADMIN
    // (s390 passes the flags in the second argument).
    clone: [
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ'}],
        excludes: {caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x']},
      },
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ'}],
        includes: {arches: ['s390', 's390x']},
        excludes: {caps: ['CAP_SYS_ADMIN']},
      },
    ],
    // Podman: clone3 unconditionally. Docker: ENOSYS (its flags are in memory seccomp cannot
    // read, so libc falls back to clone, which the rule above checks) unless CAP_SYS_ADMIN.
    clone3: [{names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: {caps: ['CAP_SYS_ADMIN']}}],
    // Both, with any flags, for a container holding CAP_SYS_ADMIN (Docker's CAP_SYS_ADMIN rule).
    cloneWithSysAdmin: [{names: ['clone', 'clone3'], action: 'SCMP_ACT_ALLOW', includes: {caps: ['CAP_SYS_ADMIN']}}],
    // Podman: socket for every family (EINVAL for NETLINK_AUDIT without CAP_AUDIT_WRITE). Docker:
    // every family but AF_ALG and AF_VSOCK.
    socket: [
      {names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{index: 0, value: AF_ALG, op: 'SCMP_CMP_LT'}]},
      {names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{index: 0, value: AF_ALG + 1, op: 'SCMP_CMP_EQ'}]},
      {names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{index: 0, value: AF_VSOCK, op: 'SCMP_CMP_GT'}]},
    ],
  } satisfies Record<string, DockerSyscallRule[]>,
}

/**
 * Podman's profile → Docker's default, in Docker's format: defaultErrnoRet EPERM; the `denied` names
 * taken out of every rule not gated on a capability (a capability-gated allow stays: Docker gates
 * those names on capabilities too); the `allowed` and `replaced` names taken out of every rule, then
 * `allowed` added as one unconditional allow and `replaced` as Docker's rules.
 * Rules gated on capabilities isobench never grants (outside DEFAULT_CAPS) are left as Podman
 * has them: they never apply to our containers.
 */
export function dockerDefaultFromPodman(podman: DockerSeccompProfile): DockerSeccompProfile {
  const o = DOCKER_OVERRIDES
  const replaced = new Set(Object.values(o.replaced).flatMap((rules) => rules.flatMap((r) => r.names)))
  const drop = (rule: DockerSyscallRule, name: string) =>
    o.allowed.includes(name) || replaced.has(name) || (o.denied.includes(name) && !rule.includes?.caps?.length)
  const syscalls: DockerSyscallRule[] = []
  for (const rule of podman.syscalls ?? []) {
    const names = (rule.names ?? (rule.name ? [rule.name] : [])).filter((n) => !drop(rule, n))
    if (names.length === 0) continue
    const {name: _name, ...rest} = rule
    syscalls.push({...rest, names})
  }
  syscalls.push({names: [...o.allowed], action: 'SCMP_ACT_ALLOW'}, ...o.archRules)
  for (const rules of Object.values(o.replaced)) syscalls.push(...rules)
  const archMap = [...(podman.archMap ?? [])]
  for (const arch of o.archMap) if (!archMap.some((a) => a.architecture === arch)) archMap.push({architecture: arch, subArchitectures: null})
  const {defaultErrnoRet: _d, ...head} = podman as DockerSeccompProfile & {defaultErrno?: string}
  delete (head as {defaultErrno?: string}).defaultErrno
  return {...head, ...(podman.architectures?.length ? {} : {archMap}), defaultErrnoRet: o.defaultErrnoRet, syscalls}
}

/** Read Podman's profile; a missing file says which package brings it. */
export function readPodmanProfile(file = PODMAN_PROFILE): DockerSeccompProfile {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(
      `the default seccomp profile needs ${file} (Debian package ${PODMAN_PROFILE_PACKAGE}; run \`isobench setup\`), or use --security-opt seccomp=unconfined|FILE: ${(error as Error).message}`,
      'no-seccomp-profile',
    )
  }
  return JSON.parse(text) as DockerSeccompProfile
}

const cache = new Map<string, OciSeccomp>()

/** Docker's default profile resolved for our containers (Docker's default capabilities) on this host; memoised per target. */
export function dockerDefaultSeccomp(target: SeccompTarget = hostTarget(DEFAULT_CAPS)): OciSeccomp {
  const key = JSON.stringify(target)
  let oci = cache.get(key)
  if (!oci) cache.set(key, (oci = toOciSeccomp(dockerDefaultFromPodman(readPodmanProfile()), target)!))
  return oci
}
