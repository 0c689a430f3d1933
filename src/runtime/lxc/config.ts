/**
 * An LXC container's config file (lxc.container.conf(5), LXC 5) for one instance, from the same
 * inputs as the OCI bundle: the image's rootfs as an overlay (`lxc.rootfs.path = overlay:LOWER:UPPER`,
 * mounted by LXC in the container's own mount namespace), no network (`lxc.net.0.type = empty`: a
 * new network namespace with only loopback), no AppArmor profile (`unconfined`: this host has none,
 * and LXC's generated one needs AppArmor), Docker's default capability set (`lxc.cap.keep`) and
 * device allowlist (`lxc.cgroup[2].devices.*`), /proc mixed and /sys read-only (`lxc.mount.auto`), a
 * tmpfs /dev (`lxc.autodev`), and the scenario's limits as cgroup keys under `isobench/<cgroup>`
 * (`lxc.cgroup.dir`), v1 keys on v1 and hybrid hosts, cgroup2 keys on v2. Pure: unit-tested.
 *
 * Not translated (the parity manifest says so): the seccomp profile (LXC reads its own policy
 * format, not OCI JSON), masked paths beyond what `proc:mixed` hides.
 */
import {CPU_PERIOD_US, type CgroupLimits} from '../cgroups/cgroups.js'
import {DEFAULT_DEVICE_RULES, type OciDeviceRule} from '../cgroups/devices.js'
import {DEFAULT_CAPS} from '../seccomp/seccomp-profile.js'

export interface LxcConfigSpec {
  /** Container name (lxc.uts.name too). */
  name: string
  /** The image's read-only rootfs dirs, topmost first, and the writable upper dir (its work dir is made beside it by LXC). */
  lowerDirs: string[]
  upperDir: string
  env: Record<string, string>
  limits: CgroupLimits
  /** The container's cgroup under each hierarchy, e.g. `isobench/lxc-<tag>-<id>` (LXC makes lxc.payload.<name> and lxc.monitor.<name> in it). */
  cgroupDir: string
  /** The host's cgroup layout: 'v2' uses lxc.cgroup2.* keys, anything else the legacy lxc.cgroup.* keys. */
  cgroupMode: string
  /** Host files bound read-only into the container (an injected init): lxc.mount.entry, the file made when missing. */
  binds?: ReadonlyArray<{source: string; target: string}>
}

/** One LXC device rule line value: `a`, `c 1:3 rwm`, `c 136:* rwm`. */
export function lxcDeviceRule(rule: OciDeviceRule): string {
  if (!rule.type || rule.type === 'a') return 'a'
  return `${rule.type} ${rule.major ?? '*'}:${rule.minor ?? '*'} ${rule.access ?? 'rwm'}`
}

/** The config's text. Throws on a value LXC's line format cannot carry (a newline in an env value or path). */
export function lxcConfig(spec: LxcConfigSpec): string {
  for (const [k, v] of Object.entries(spec.env))
    if (/[\n=]/.test(k) || v.includes('\n')) throw new Error(`LXC config: environment variable ${JSON.stringify(k)} cannot be written on one config line`)
  for (const p of [...spec.lowerDirs, spec.upperDir, spec.cgroupDir])
    if (/[\n:]/.test(p)) throw new Error(`LXC config: path ${JSON.stringify(p)} contains ':' or a newline`)
  for (const b of spec.binds ?? [])
    if (/\s/.test(b.source + b.target))
      throw new Error(`LXC config: bind ${JSON.stringify(b.source)} → ${JSON.stringify(b.target)} contains a blank (lxc.mount.entry is fstab syntax)`)
  const cg = spec.cgroupMode === 'v2' ? 'lxc.cgroup2' : 'lxc.cgroup'
  const lines = [
    `lxc.uts.name = ${spec.name}`,
    `lxc.rootfs.path = overlay:${spec.lowerDirs.join(':')}:${spec.upperDir}`,
    'lxc.net.0.type = empty',
    'lxc.apparmor.profile = unconfined',
    'lxc.console.path = none',
    'lxc.tty.max = 0',
    'lxc.pty.max = 0',
    'lxc.autodev = 1',
    'lxc.mount.auto = proc:mixed sys:ro',
    `lxc.cap.keep = ${DEFAULT_CAPS.map((c) => c.replace(/^CAP_/, '').toLowerCase()).join(' ')}`,
    `lxc.cgroup.dir = ${spec.cgroupDir}`,
    ...DEFAULT_DEVICE_RULES.map((r) => `${cg}.devices.${r.allow ? 'allow' : 'deny'} = ${lxcDeviceRule(r)}`),
    ...limitLines(cg, spec.cgroupMode === 'v2', spec.limits),
    ...(spec.binds ?? []).map((b) => `lxc.mount.entry = ${b.source} ${b.target.replace(/^\/+/, '')} none bind,ro,create=file 0 0`),
    ...Object.entries(spec.env).map(([k, v]) => `lxc.environment = ${k}=${v}`),
  ]
  return lines.join('\n') + '\n'
}

function limitLines(cg: string, v2: boolean, limits: CgroupLimits): string[] {
  const out: string[] = []
  const quota = limits.cpus ? Math.round(limits.cpus * CPU_PERIOD_US) : null
  if (v2) {
    if (limits.memoryMiB) out.push(`${cg}.memory.max = ${limits.memoryMiB * 1024 * 1024}`, `${cg}.memory.swap.max = 0`)
    if (quota) out.push(`${cg}.cpu.max = ${quota} ${CPU_PERIOD_US}`)
  } else {
    if (limits.memoryMiB) out.push(`${cg}.memory.limit_in_bytes = ${limits.memoryMiB * 1024 * 1024}`)
    if (quota) out.push(`${cg}.cpu.cfs_period_us = ${CPU_PERIOD_US}`, `${cg}.cpu.cfs_quota_us = ${quota}`)
  }
  if (limits.cpuset) out.push(`${cg}.cpuset.cpus = ${limits.cpuset}`)
  if (limits.pids) out.push(`${cg}.pids.max = ${limits.pids}`)
  return out
}
