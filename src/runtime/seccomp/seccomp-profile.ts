/**
 * Seccomp profiles in Docker's format and their conversion to the OCI `linux.seccomp` object, the
 * one object our runtime (via the helper's seccomp-oci.c) and the runc/crun arms (config.json) get.
 *
 * Docker's format (moby/profiles seccomp.go) is the OCI object plus `archMap` and, per rule,
 * `includes`/`excludes` filters on the container's capabilities, the host's architecture and its
 * kernel version; `toOciSeccomp` resolves them as moby's setupSeccomp (seccomp_linux.go) does.
 * Pure apart from os.release()/process.arch defaults; the default profile is in seccomp-default.ts.
 */
import {endianness, release} from 'node:os'

/** Docker's default capability set: what every container (ours, runc's, crun's) gets, and what the default seccomp profile's capability-gated rules are resolved against. */
export const DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
]

export interface OciSeccompArg {
  index: number
  value: number
  valueTwo?: number
  op: string
}

export interface OciSyscallRule {
  names: string[]
  action: string
  errnoRet?: number
  args?: OciSeccompArg[]
}

/** runtime-spec config-linux.md#seccomp (the fields isobench passes on). */
export interface OciSeccomp {
  defaultAction: string
  defaultErrnoRet?: number
  architectures?: string[]
  flags?: string[]
  syscalls?: OciSyscallRule[]
}

/** moby/profiles seccomp.go Filter: a rule applies when all of includes hold and none of excludes. */
export interface DockerSeccompFilter {
  caps?: string[]
  arches?: string[]
  /** "<kernel>.<major>", e.g. "4.8". */
  minKernel?: string
}

export interface DockerSyscallRule {
  /** Deprecated single name (still accepted by Docker). */
  name?: string
  names?: string[]
  action: string
  errnoRet?: number
  args?: OciSeccompArg[] | null
  comment?: string
  includes?: DockerSeccompFilter
  excludes?: DockerSeccompFilter
}

export interface DockerSeccompProfile {
  defaultAction: string
  defaultErrnoRet?: number
  architectures?: string[]
  archMap?: Array<{architecture: string; subArchitectures?: string[] | null}>
  flags?: string[]
  listenerPath?: string
  syscalls?: DockerSyscallRule[] | null
}

/** What a profile is resolved against: the container's bounding capabilities and the host. */
export interface SeccompTarget {
  caps: string[]
  /** Go/libseccomp arch name as moby uses it ("amd64", "arm64", "x86", …). */
  arch: string
  /** Kernel version [kernel, major], e.g. [6, 18]. */
  kernel: [number, number]
}

/** The runtime-spec's actions and operators (config-linux.md#seccomp). */
export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
]
export const SECCOMP_OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']
export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
]

/** Node's process.arch → the arch names moby's profiles use (goToNative in seccomp_linux.go). */
export function nativeArch(arch: string = process.arch, littleEndian = endianness() === 'LE'): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    ia32: 'x86',
    arm64: 'arm64',
    arm: 'arm',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64',
    mips: 'mips',
    mipsel: 'mipsle',
  }
  if (arch === 'ppc64') return littleEndian ? 'ppc64le' : 'ppc64'
  return map[arch] ?? arch
}

/** moby's nativeToSeccomp: arch name → the OCI/libseccomp architecture constant. */
export const NATIVE_TO_SECCOMP: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  mipsle: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
}

/** "6.18.0-1-cloud" → [6, 18] (moby kernel_linux.go parseRelease: only kernel.major counts). */
export function kernelVersion(text: string = release()): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text)
  return m ? [Number(m[1]), Number(m[2])] : [0, 0]
}

export function hostTarget(caps: string[]): SeccompTarget {
  return {caps, arch: nativeArch(), kernel: kernelVersion()}
}

function kernelAtLeast(kernel: [number, number], min: string): boolean {
  const [k, m] = min.split('.').map(Number) as [number, number]
  return kernel[0] > k || (kernel[0] === k && kernel[1] >= m)
}

/**
 * Docker's format → the OCI object, as moby's setupSeccomp: architectures from the archMap entry of
 * the host's arch; a rule is dropped when any excludes filter matches (arch listed, a listed
 * capability held, kernel ≥ minKernel) or an includes filter fails (arch not listed, a listed
 * capability missing, kernel < minKernel). Returns null for a profile with neither a default action
 * nor rules (Docker: seccomp disabled). Throws on `name` and `names` together, or `architectures`
 * and `archMap` together, as Docker does.
 */
export function toOciSeccomp(profile: DockerSeccompProfile, target: SeccompTarget): OciSeccomp | null {
  const rules = profile.syscalls ?? []
  if (!profile.defaultAction && rules.length === 0) return null
  if (profile.architectures?.length && profile.archMap?.length)
    throw new Error("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'")
  const out: OciSeccomp = {defaultAction: profile.defaultAction}
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet
  const archConst = NATIVE_TO_SECCOMP[target.arch]
  const entry = archConst ? profile.archMap?.find((a) => a.architecture === archConst) : undefined
  const arches = [...(profile.architectures ?? []), ...(entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [])]
  if (arches.length > 0) out.architectures = arches
  if (profile.flags?.length) out.flags = [...profile.flags]
  const syscalls: OciSyscallRule[] = []
  for (const rule of rules) {
    if (rule.name && rule.names?.length) throw new Error("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'")
    const ex = rule.excludes
    if (ex) {
      if (ex.arches?.includes(target.arch)) continue
      if (ex.caps?.some((c) => target.caps.includes(c))) continue
      if (ex.minKernel && kernelAtLeast(target.kernel, ex.minKernel)) continue
    }
    const inc = rule.includes
    if (inc) {
      if (inc.arches?.length && !inc.arches.includes(target.arch)) continue
      if (inc.caps?.some((c) => !target.caps.includes(c))) continue
      if (inc.minKernel && !kernelAtLeast(target.kernel, inc.minKernel)) continue
    }
    const oci: OciSyscallRule = {names: rule.name ? [rule.name] : [...(rule.names ?? [])], action: rule.action}
    if (rule.errnoRet !== undefined) oci.errnoRet = rule.errnoRet
    if (rule.args?.length) oci.args = rule.args.map((a) => ({index: a.index, value: a.value, ...(a.valueTwo ? {valueTwo: a.valueTwo} : {}), op: a.op}))
    syscalls.push(oci)
  }
  out.syscalls = syscalls
  return out
}

/**
 * A canonical text of what a resolved profile does, independent of how its rules are grouped:
 * default action, architectures, flags and one sorted line per (syscall, action, errno, args),
 * leaving out rules whose action is the default's (runtimes skip them: runc, seccomp-oci.c).
 * Two profiles with the same canonical text filter identically.
 */
export function canonicalSeccomp(p: OciSeccomp): string {
  const lines = new Set<string>()
  const withErrno = (action: string, errno: number | undefined) => `${action} ${action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE' ? (errno ?? 1) : ''}`
  const dflt = withErrno(p.defaultAction, p.defaultErrnoRet)
  for (const r of p.syscalls ?? []) {
    const action = withErrno(r.action, r.errnoRet)
    if (action === dflt) continue
    const args = (r.args ?? [])
      .map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo ?? 0}`)
      .sort()
      .join(',')
    for (const n of r.names) lines.add(`${n} ${action} ${args}`)
  }
  const head = `default ${p.defaultAction} ${p.defaultErrnoRet ?? ''}\narch ${(p.architectures ?? []).join(',')}\nflags ${(p.flags ?? []).join(',')}`
  return `${head}\n${[...lines].sort().join('\n')}\n`
}

/** Does the resolved profile let `name` through unconditionally (an ALLOW rule without args)? */
export function allowsUnconditionally(p: OciSeccomp, name: string): boolean {
  return (p.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args?.length && r.names.includes(name))
}

/** The rules that name a syscall. */
export function rulesFor(p: OciSeccomp, name: string): OciSyscallRule[] {
  return (p.syscalls ?? []).filter((r) => r.names.includes(name))
}
