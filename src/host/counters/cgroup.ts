/**
 * An instance's cgroup counters, found from its processes alone (/proc/PID/cgroup), so they work
 * for any arm that puts its instance in a cgroup of its own: CPU user/system time (v1
 * cpuacct.usage_user/usage_sys, v2 cpu.stat user_usec/system_usec), throttling (cpu.stat:
 * nr_periods, nr_throttled, throttled_time ns on v1, throttled_usec on v2), memory usage, and the
 * cgroup's pressure stall information (cpu.pressure, memory.pressure, io.pressure: cgroup2 only,
 * Documentation/accounting/psi.rst). A process in the caller's own cgroup has none of its own.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

/**
 * A path per cgroup hierarchy: v1 controller → path, and the cgroup2 path. Read from /proc/PID/cgroup
 * it is where one process sits (CgroupPaths); from /proc/mounts, where each hierarchy is mounted (CgroupMounts).
 */
export interface PerHierarchy {
  v1: Record<string, string>
  v2?: string
}
/** controller → cgroup path of one process (v1 lines `N:cpu,cpuacct:/path`), and its cgroup2 path (`0::/path`). */
export type CgroupPaths = PerHierarchy
/** Where each v1 controller's hierarchy and the cgroup2 hierarchy are mounted (from /proc/mounts). */
export type CgroupMounts = PerHierarchy

export function parseProcCgroup(text: string): CgroupPaths {
  const out: CgroupPaths = {v1: {}}
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim())
    if (!m) continue
    if (m[1] === '0' && m[2] === '') out.v2 = m[3]!
    else for (const c of m[2]!.split(',')) if (c) out.v1[c] = m[3]!
  }
  return out
}

export function parseCgroupMounts(mounts: string): CgroupMounts {
  const out: CgroupMounts = {v1: {}}
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ')
    if (type === 'cgroup2' && mountPoint) out.v2 ??= mountPoint
    if (type === 'cgroup' && mountPoint && options) for (const o of options.split(',')) if (!(o in out.v1)) out.v1[o] = mountPoint
  }
  return out
}

let mountsCache: CgroupMounts | undefined
function mounts(): CgroupMounts {
  return (mountsCache ??= parseCgroupMounts(readFileSync('/proc/mounts', 'utf8')))
}

export function readCgroupPaths(pid: number | 'self'): CgroupPaths | null {
  try {
    return parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))
  } catch {
    return null
  }
}

/** The cgroup counters of one instance; fields absent where the hierarchy does not give them. */
export interface CgroupCounters {
  /** The cgroup, as the CPU controller (or cgroup2) names it. */
  path: string
  /** CPU time split by user and system: tick-sampled in both hierarchies (4 ms at HZ=250). */
  userS?: number
  systemS?: number
  /** Total CPU time from the scheduler's runtime, to the ns (cpuacct.usage; cgroup2 cpu.stat usage_usec). */
  usageS?: number
  periods?: number
  throttledPeriods?: number
  throttledS?: number
  memoryBytes?: number
  /** PSI `some` and `full` totals in µs (cgroup2 only). */
  psi?: {cpuSomeUs?: number; memorySomeUs?: number; memoryFullUs?: number; ioSomeUs?: number}
  /** Why PSI is absent for this cgroup, in one line. */
  psiNote?: string
}

/** `key value` lines (cpu.stat, cpuacct.stat) into numbers. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/)
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v)
  }
  return out
}

/** `some avg10=… total=N` / `full …` lines of a pressure file: the totals in µs. */
export function parsePressure(text: string): {some?: number; full?: number} {
  const total = (kind: string) => {
    const m = new RegExp(`^${kind} .*total=(\\d+)`, 'm').exec(text)
    return m ? Number(m[1]) : undefined
  }
  return {some: total('some'), full: total('full')}
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/**
 * The cgroup the instance's processes sit in that is not the caller's own (the first process that
 * has one wins: a container's init and workload share it, its runtime shim may not). Null when every
 * process is in the caller's cgroup (the bare process arm, a qemu run by isobench itself).
 */
export function instanceCgroup(pids: readonly number[]): CgroupPaths | null {
  const self = readCgroupPaths('self')
  const key = (p: CgroupPaths | null) => (p ? (p.v1.cpuacct ?? p.v1.cpu ?? p.v2 ?? '') : '')
  for (const pid of pids) {
    const paths = readCgroupPaths(pid)
    if (paths && key(paths) !== key(self) && key(paths) !== '/' && key(paths) !== '') return paths
  }
  return null
}

/** Read the counters of a cgroup (v1 controllers, else cgroup2). */
export function readCgroupCounters(paths: CgroupPaths): CgroupCounters {
  const m = mounts()
  const v1 = (controller: string, file: string) => {
    const mount = m.v1[controller]
    const path = paths.v1[controller]
    return mount && path !== undefined ? read(join(mount, path, file)) : null
  }
  const v2dir = m.v2 && paths.v2 !== undefined ? join(m.v2, paths.v2) : undefined
  const v2 = (file: string) => (v2dir ? read(join(v2dir, file)) : null)
  const out: CgroupCounters = {path: paths.v1.cpuacct ?? paths.v1.cpu ?? paths.v2 ?? '?'}

  const usage = v1('cpuacct', 'cpuacct.usage')
  if (usage !== null && Number.isFinite(Number(usage))) out.usageS = Number(usage) / 1e9
  const usageUser = v1('cpuacct', 'cpuacct.usage_user')
  const usageSys = v1('cpuacct', 'cpuacct.usage_sys')
  if (usageUser !== null && usageSys !== null) {
    out.userS = Number(usageUser) / 1e9
    out.systemS = Number(usageSys) / 1e9
  }
  const cpuStat1 = v1('cpu', 'cpu.stat')
  if (cpuStat1 !== null) {
    const s = parseKeyValues(cpuStat1)
    out.periods = s.nr_periods
    out.throttledPeriods = s.nr_throttled
    if (s.throttled_time !== undefined) out.throttledS = s.throttled_time / 1e9
  }
  const memory = v1('memory', 'memory.usage_in_bytes')
  if (memory !== null) out.memoryBytes = Number(memory)

  // cgroup2: the whole set when the instance has a cgroup2 dir of its own (v2 hosts), PSI included.
  const ownV2 = paths.v2 !== undefined && paths.v2 !== '/' && v2dir !== undefined && existsSync(v2dir)
  if (ownV2) {
    const cpuStat2 = v2('cpu.stat')
    if (cpuStat2 !== null) {
      const s = parseKeyValues(cpuStat2)
      if (out.usageS === undefined && s.usage_usec !== undefined) out.usageS = s.usage_usec / 1e6
      if (out.userS === undefined && s.user_usec !== undefined) out.userS = s.user_usec / 1e6
      if (out.systemS === undefined && s.system_usec !== undefined) out.systemS = s.system_usec / 1e6
      out.periods ??= s.nr_periods
      out.throttledPeriods ??= s.nr_throttled
      if (out.throttledS === undefined && s.throttled_usec !== undefined) out.throttledS = s.throttled_usec / 1e6
    }
    const mem = v2('memory.current')
    if (out.memoryBytes === undefined && mem !== null) out.memoryBytes = Number(mem)
    const cpuP = v2('cpu.pressure')
    const memP = v2('memory.pressure')
    const ioP = v2('io.pressure')
    if (cpuP !== null || memP !== null || ioP !== null) {
      out.psi = {
        cpuSomeUs: cpuP !== null ? parsePressure(cpuP).some : undefined,
        memorySomeUs: memP !== null ? parsePressure(memP).some : undefined,
        memoryFullUs: memP !== null ? parsePressure(memP).full : undefined,
        ioSomeUs: ioP !== null ? parsePressure(ioP).some : undefined,
      }
    } else out.psiNote = 'the cgroup has no pressure files (kernel PSI off: psi=0 or no CONFIG_PSI)'
  } else
    out.psiNote =
      paths.v2 === undefined || !m.v2
        ? 'no cgroup2 hierarchy: per-instance PSI needs cgroup2'
        : 'the instance has no cgroup2 of its own (v1 controllers on a hybrid host): per-instance PSI needs cgroup2'
  return out
}

/**
 * The limits in force on an instance's cgroup, read from the host, in the same raw form the facts
 * probe prints from inside (src/engine/provenance/arm-facts.ts): `cgroup.cpu.cfs` ("quota period",
 * v1) or `cgroup.cpu.max` (v2), the memory limit, pids.max and the cpuset.
 */
export function readCgroupLimits(paths: CgroupPaths): Record<string, string> {
  const m = mounts()
  const out: Record<string, string> = {}
  const v1 = (controller: string, file: string) => {
    const mount = m.v1[controller]
    const path = paths.v1[controller]
    return mount && path !== undefined ? read(join(mount, path, file))?.trim() : undefined
  }
  const quota = v1('cpu', 'cpu.cfs_quota_us')
  const period = v1('cpu', 'cpu.cfs_period_us')
  if (quota !== undefined && period !== undefined) out['cgroup.cpu.cfs'] = `${quota} ${period}`
  const mem = v1('memory', 'memory.limit_in_bytes')
  if (mem !== undefined) out['cgroup.memory.limit'] = mem
  const pids = v1('pids', 'pids.max')
  if (pids !== undefined) out['cgroup.pids.max'] = pids
  const cpuset = v1('cpuset', 'cpuset.cpus')
  if (cpuset) out['cgroup.cpuset'] = cpuset
  if (m.v2 && paths.v2 !== undefined && paths.v2 !== '/') {
    const dir = join(m.v2, paths.v2)
    const v2 = (file: string) => read(join(dir, file))?.trim()
    const cpuMax = v2('cpu.max')
    if (cpuMax !== undefined && out['cgroup.cpu.cfs'] === undefined) out['cgroup.cpu.max'] = cpuMax
    const memMax = v2('memory.max')
    if (memMax !== undefined && out['cgroup.memory.limit'] === undefined) out['cgroup.memory.max'] = memMax
    const pidsMax = v2('pids.max')
    if (pidsMax !== undefined && out['cgroup.pids.max'] === undefined) out['cgroup.pids.max'] = pidsMax
  }
  return out
}
