/**
 * Container cgroups on v1, v2 and hybrid hosts. Every container gets `<hierarchy>/isobench/<id>` in
 * each hierarchy it needs, so `prune` finds leftovers by name. The helper (nsexec) creates the
 * leaves, writes the limits, moves the init in and removes them when the container exits; this
 * module decides the paths and values (pure, see cgroupPlan) and prepares the `isobench` parents.
 */
import {existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {DEFAULT_DEVICE_RULES, type DeviceCgroupMode, type OciDeviceRule} from './devices.js'

export const CGROUP_PARENT = 'isobench'
export const CPU_PERIOD_US = 100_000

export interface CgroupLayout {
  mode: 'v1' | 'v2' | 'hybrid' | 'none'
  /** v1 controller → mount point of its hierarchy (co-mounted controllers share one). */
  v1: Record<string, string>
  /** The cgroup2 mount we use for limits: only on pure v2 hosts (hybrid v2 mounts carry no controllers we need). */
  v2: string | null
  /** Controllers available in the v2 mount's root. */
  v2Controllers: string[]
  /** The cgroup2 mount point on v2 and hybrid hosts alike (a hybrid host's is where a BPF device program can go). */
  v2Mount: string | null
  /** Every cgroup mount point (named v1 hierarchies such as name=systemd, a hybrid host's v2 mount):
   * OCI runtimes create `isobench/<id>` in those too, so prune looks there. */
  allMounts: string[]
}

export interface CgroupLimits {
  /** CPU quota in cores (quota = cpus × period). */
  cpus?: number
  /** Relative weight, Docker's scale (2–262144, default 1024); v2 maps it to cpu.weight. */
  cpuShares?: number
  cpuset?: string
  memoryMiB?: number
  pids?: number
}

export interface CgroupPlan {
  /** Leaf dirs, created in this order and removed in reverse. */
  dirs: string[]
  /** [file, value] written after the dirs exist and before the init joins. */
  settings: Array<[string, string]>
  /** Where usage is read back from. */
  memoryUsageFile: string | null
  cpuUsage: {file: string; kind: 'v1-ns' | 'v2-stat'} | null
  /** The device allowlist and the cgroup (one of dirs) whose mechanism enforces it; null: no cgroup can. */
  devices: {mode: DeviceCgroupMode; dir: string; rules: OciDeviceRule[]} | null
}

/** The layout from /proc/mounts text (and the v2 root's cgroup.controllers, when a v2 mount exists). */
export function parseCgroupLayout(mounts: string, v2Controllers: (mountPoint: string) => string[] = () => []): CgroupLayout {
  const v1: Record<string, string> = {}
  let v2Mount: string | null = null
  const allMounts: string[] = []
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ')
    if (!mountPoint || !options) continue
    if ((type === 'cgroup' || type === 'cgroup2') && !allMounts.includes(mountPoint)) allMounts.push(mountPoint)
    if (type === 'cgroup') {
      for (const opt of options.split(',')) {
        if (['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio', 'devices', 'freezer', 'hugetlb'].includes(opt)) v1[opt] ??= mountPoint
      }
    } else if (type === 'cgroup2') {
      v2Mount ??= mountPoint
    }
  }
  const hasV1 = Object.keys(v1).length > 0
  const controllers = v2Mount ? v2Controllers(v2Mount) : []
  if (!hasV1) return {mode: v2Mount ? 'v2' : 'none', v1, v2: v2Mount, v2Controllers: controllers, v2Mount, allMounts}
  return {mode: v2Mount ? 'hybrid' : 'v1', v1, v2: null, v2Controllers: v2Mount ? controllers : [], v2Mount, allMounts}
}

export function detectCgroupLayout(): CgroupLayout {
  return parseCgroupLayout(readFileSync('/proc/mounts', 'utf8'), (mp) => {
    try {
      return readFileSync(join(mp, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean)
    } catch {
      return []
    }
  })
}

let layoutCache: CgroupLayout | null = null
let parentsReady = false

/** The host's cgroup layout, with the `isobench` parents created (once per process). */
export function hostCgroups(): CgroupLayout {
  layoutCache ??= detectCgroupLayout()
  if (!parentsReady) {
    ensureCgroupParents(layoutCache)
    parentsReady = true
  }
  return layoutCache
}

/** Docker's shares → cgroup v2 weight conversion (the one runc uses). */
export function sharesToWeight(shares: number): number {
  return Math.max(1, Math.min(10_000, 1 + Math.floor(((shares - 2) * 9999) / 262_142)))
}

/**
 * The cgroups one container gets. Memory and CPU accounting always (the metrics read them back);
 * cpu, cpuset and pids only when a limit asks for them (each extra v1 hierarchy costs a migration);
 * the device allowlist always, in the devices v1 hierarchy or a cgroup2 dir (`devices`, see
 * devices.ts deviceCgroupMode; default: v1 where the controller is mounted, else v2).
 */
export function cgroupPlan(
  layout: CgroupLayout,
  id: string,
  limits: CgroupLimits,
  devices: DeviceCgroupMode | null = layout.v1.devices ? 'v1' : layout.v2Mount ? 'v2' : null,
): CgroupPlan {
  const plan = cgroupPlanLimits(layout, id, limits)
  if (devices === 'v1' && layout.v1.devices) {
    const dir = join(layout.v1.devices, CGROUP_PARENT, id)
    if (!plan.dirs.includes(dir)) plan.dirs.push(dir)
    plan.devices = {mode: 'v1', dir, rules: DEFAULT_DEVICE_RULES}
  } else if (devices === 'v2' && layout.v2Mount) {
    const dir = join(layout.v2Mount, CGROUP_PARENT, id)
    if (!plan.dirs.includes(dir)) plan.dirs.push(dir)
    plan.devices = {mode: 'v2', dir, rules: DEFAULT_DEVICE_RULES}
  }
  return plan
}

function cgroupPlanLimits(layout: CgroupLayout, id: string, limits: CgroupLimits): CgroupPlan {
  const settings: Array<[string, string]> = []
  const quota = limits.cpus ? String(Math.round(limits.cpus * CPU_PERIOD_US)) : null
  const memory = limits.memoryMiB ? limits.memoryMiB * 1024 * 1024 : null
  if (layout.mode === 'v2') {
    if (!layout.v2) return {dirs: [], settings, memoryUsageFile: null, cpuUsage: null, devices: null}
    const dir = join(layout.v2, CGROUP_PARENT, id)
    const has = (c: string) => layout.v2Controllers.includes(c)
    if (quota && has('cpu')) settings.push([join(dir, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`])
    if (limits.cpuShares && has('cpu')) settings.push([join(dir, 'cpu.weight'), String(sharesToWeight(limits.cpuShares))])
    if (limits.cpuset && has('cpuset')) settings.push([join(dir, 'cpuset.cpus'), limits.cpuset])
    if (memory && has('memory')) settings.push([join(dir, 'memory.max'), String(memory)], [join(dir, 'memory.swap.max'), '0'])
    if (limits.pids && has('pids')) settings.push([join(dir, 'pids.max'), String(limits.pids)])
    return {
      dirs: [dir],
      settings,
      memoryUsageFile: has('memory') ? join(dir, 'memory.current') : null,
      cpuUsage: {file: join(dir, 'cpu.stat'), kind: 'v2-stat'},
      devices: null,
    }
  }
  const dirs: string[] = []
  const leaf = (controller: string): string | null => {
    const mp = layout.v1[controller]
    if (!mp) return null
    const dir = join(mp, CGROUP_PARENT, id)
    if (!dirs.includes(dir)) dirs.push(dir)
    return dir
  }
  const mem = leaf('memory')
  if (mem && memory) {
    settings.push([join(mem, 'memory.limit_in_bytes'), String(memory)])
    // memsw exists only with swap accounting; the helper would fail on a missing file, so it is not written.
  }
  const acct = leaf('cpuacct')
  if (quota || limits.cpuShares) {
    const cpu = leaf('cpu')
    if (cpu && quota) settings.push([join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US)], [join(cpu, 'cpu.cfs_quota_us'), quota])
    if (cpu && limits.cpuShares) settings.push([join(cpu, 'cpu.shares'), String(limits.cpuShares)])
  }
  if (limits.cpuset) {
    const cs = leaf('cpuset')
    if (cs) settings.push([join(cs, 'cpuset.cpus'), limits.cpuset])
  }
  if (limits.pids) {
    const p = leaf('pids')
    if (p) settings.push([join(p, 'pids.max'), String(limits.pids)])
  }
  return {
    dirs,
    settings,
    memoryUsageFile: mem ? join(mem, 'memory.usage_in_bytes') : null,
    cpuUsage: acct ? {file: join(acct, 'cpuacct.usage'), kind: 'v1-ns'} : null,
    devices: null,
  }
}

/**
 * The one cgroup a run's bare processes join (the process arm: no limits, only membership, so that
 * `isobench prune` can find and kill whatever a killed run left): in the cgroup2 mount where there is
 * one (v2, or a hybrid host's controller-less unified mount: membership and cgroup.kill need no
 * controller), else in one v1 hierarchy (pids, else cpuacct, else the first). null: no cgroup mount.
 */
export function runCgroupDir(layout: CgroupLayout, name: string): string | null {
  const mount = layout.v2Mount ?? layout.v1.pids ?? layout.v1.cpuacct ?? Object.values(layout.v1)[0]
  return mount ? join(mount, CGROUP_PARENT, name) : null
}

/** Hierarchy roots that hold our `isobench` parent. */
export function parentDirs(layout: CgroupLayout): string[] {
  if (layout.mode === 'v2') return layout.v2 ? [join(layout.v2, CGROUP_PARENT)] : []
  return [...new Set(Object.values(layout.v1))].map((mp) => join(mp, CGROUP_PARENT))
}

/** Create the `isobench` parents (idempotent): cpuset children inherit cpus/mems; v2 delegates controllers;
 * a hybrid host's cgroup2 mount gets one too (device programs, see cgroupPlan). */
export function ensureCgroupParents(layout: CgroupLayout): void {
  for (const dir of parentDirs(layout)) mkdirSync(dir, {recursive: true})
  if (layout.mode === 'hybrid' && layout.v2Mount) mkdirSync(join(layout.v2Mount, CGROUP_PARENT), {recursive: true})
  if (layout.mode === 'v2' && layout.v2) {
    const want = ['cpu', 'cpuset', 'memory', 'pids'].filter((c) => layout.v2Controllers.includes(c))
    const enable = (dir: string) => {
      const have = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8')
      const missing = want.filter((c) => !have.split(/\s+/).includes(c))
      if (missing.length > 0) writeFileSync(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '))
    }
    enable(layout.v2)
    enable(join(layout.v2, CGROUP_PARENT))
  }
  const cpuset = layout.mode !== 'v2' ? layout.v1.cpuset : undefined
  if (cpuset) {
    const parent = join(cpuset, CGROUP_PARENT)
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (readFileSync(join(parent, f), 'utf8').trim() === '') writeFileSync(join(parent, f), readFileSync(join(cpuset, f), 'utf8').trim())
    }
    if (readFileSync(join(parent, 'cgroup.clone_children'), 'utf8').trim() !== '1') writeFileSync(join(parent, 'cgroup.clone_children'), '1')
  }
}

export interface CgroupUsage {
  memoryBytes?: number
  cpuSeconds?: number
}

export function readCgroupUsage(plan: CgroupPlan): CgroupUsage {
  const out: CgroupUsage = {}
  try {
    if (plan.memoryUsageFile) out.memoryBytes = Number(readFileSync(plan.memoryUsageFile, 'utf8').trim())
  } catch {
    // the container exited and its cgroup is gone
  }
  try {
    if (plan.cpuUsage) {
      const text = readFileSync(plan.cpuUsage.file, 'utf8')
      if (plan.cpuUsage.kind === 'v1-ns') out.cpuSeconds = Number(text.trim()) / 1e9
      else {
        const m = /^usage_usec (\d+)/m.exec(text)
        if (m) out.cpuSeconds = Number(m[1]) / 1e6
      }
    }
  } catch {
    // gone
  }
  return out
}

/**
 * OOM kills recorded in these cgroup dirs: `oom_kill N` of memory.events (v2) or memory.oom_control
 * (v1, Linux ≥ 4.13), summed; 0 where neither exists (no memory controller, or already removed).
 */
export function oomKills(dirs: readonly string[]): number {
  let n = 0
  for (const dir of dirs) {
    for (const f of ['memory.events', 'memory.oom_control']) {
      try {
        const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, f), 'utf8'))
        if (m) {
          n += Number(m[1])
          break
        }
      } catch {
        // not this hierarchy
      }
    }
  }
  return n
}

/** Container cgroups under every `isobench` parent of every cgroup mount: id → dirs. */
export function listContainerCgroups(layout: CgroupLayout): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const parent of new Set([...parentDirs(layout), ...layout.allMounts.map((m) => join(m, CGROUP_PARENT))])) {
    if (!existsSync(parent)) continue
    for (const e of readdirSync(parent, {withFileTypes: true})) {
      if (!e.isDirectory()) continue
      const list = out.get(e.name) ?? []
      list.push(join(parent, e.name))
      out.set(e.name, list)
    }
  }
  return out
}

/**
 * Remove cgroup dirs; processes still in them are killed first: through `cgroup.kill` where the
 * hierarchy has it (cgroup2, Linux ≥ 5.14: the kernel kills every member, forks included), else by
 * SIGKILLing each pid in cgroup.procs until none is left (a pid namespace or the freezer is not
 * needed: a member forking meanwhile is seen at the next read). Returns the dirs removed.
 */
export function removeCgroupDirs(dirs: string[]): string[] {
  const removed: string[] = []
  const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
  for (const dir of dirs) {
    if (!existsSync(dir)) continue
    try {
      writeFileSync(join(dir, 'cgroup.kill'), '1')
    } catch {
      // v1, or an older kernel: signal each member
    }
    for (let round = 0; round < 100; round++) {
      let pids: string[]
      try {
        pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)
      } catch {
        break
      }
      if (pids.length === 0) break
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // gone
        }
      }
      pause(5)
    }
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(dir)
        removed.push(dir)
        break
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EBUSY') break
        pause(20)
      }
    }
  }
  return removed
}
