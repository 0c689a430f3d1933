/**
 * One snapshot of an instance and the host at one moment, and the attribution counters derived
 * from one snapshot (cumulative since the instance's processes started: what a start cost) or from
 * two (the difference over a window). Works from the instance's host pids alone, so any arm that
 * reports its pids (and puts its instance in a cgroup, if it does) gets every counter:
 *   - CPU user/system: the instance's own cgroup when it has one, else its processes (/proc);
 *   - context switches and page faults: its processes and threads (/proc);
 *   - throttling and per-instance PSI: its cgroup (PSI on cgroup2 only);
 *   - a VMM's threads: vCPU threads vs I/O threads vs main loop, by thread name;
 *   - the host: steal time, busy CPU, the run queue, PSI, and the other processes' share of the CPU
 *     (busy CPU − the instance's − isobench's own).
 * Memory parts (PSS) come from a VMM's smaps or, for process trees, from each process's role:
 * runtime/shim (outside the instance's pid namespace), init (pid 1 inside it, or the tree's root),
 * workload (the rest).
 */
import {instanceCgroup, readCgroupCounters, type CgroupCounters} from './cgroup.js'
import {readProcessCounters, threadClass, type ProcessCounters} from './proc.js'
import {readPss, readVmmMemoryParts} from './smaps.js'
import {busySeconds, readHostCounters, type HostCounters} from './system.js'

export interface InstanceSnapshot {
  at: number
  processes: ProcessCounters[]
  cgroup: CgroupCounters | null
  host: HostCounters
  /** isobench's own CPU seconds (this node process, process.cpuUsage()). */
  selfCpuS: number
  /** Memory parts in MiB (PSS), when asked for. */
  memory?: Record<string, number>
  /** What reading this snapshot cost, in ms (it is never inside a timed region; reported as overhead). */
  readMs: number
}

export interface SnapshotOptions {
  /** 'vmm': one VMM process whose smaps split into guest RAM, boot files, TCG cache, binary, heap. */
  kind?: 'vmm' | 'processes'
  /** Also read the memory parts (smaps: costlier, done at sample() calls only). */
  memory?: boolean
  /** The guest's RAM in bytes, to find its mapping exactly. */
  guestBytes?: number
}

const MiB = 1024 * 1024

export function takeSnapshot(pids: readonly number[], opts: SnapshotOptions = {}): InstanceSnapshot {
  const t0 = performance.now()
  const processes = pids.map(readProcessCounters).filter((p): p is ProcessCounters => p !== null)
  const cgPaths = instanceCgroup(pids)
  const cgroup = cgPaths ? readCgroupCounters(cgPaths) : null
  const host = readHostCounters()
  const u = process.cpuUsage()
  const snap: InstanceSnapshot = {at: host.at, processes, cgroup, host, selfCpuS: (u.user + u.system) / 1e6, readMs: 0}
  if (opts.memory) snap.memory = opts.kind === 'vmm' ? vmmMemory(processes, opts.guestBytes) : processMemory(processes)
  snap.readMs = performance.now() - t0
  return snap
}

function vmmMemory(processes: readonly ProcessCounters[], guestBytes?: number): Record<string, number> {
  const out = {mem_guest_ram: 0, mem_boot_files: 0, mem_tcg_cache: 0, mem_vmm_binary: 0, mem_heap_libs: 0}
  for (const p of processes) {
    const parts = readVmmMemoryParts(p.pid, guestBytes)
    if (!parts) continue
    out.mem_guest_ram += parts.guestRam / MiB
    out.mem_boot_files += parts.bootFiles / MiB
    out.mem_tcg_cache += parts.tcgCache / MiB
    out.mem_vmm_binary += parts.vmmBinary / MiB
    out.mem_heap_libs += parts.heapAndLibs / MiB
  }
  return out
}

export type ProcessRole = 'runtime' | 'init' | 'workload'

/**
 * Each process's role in its instance. Several pid namespaces: the instance's is the one holding a
 * pid 1 (else the last process's); processes outside it are the runtime (shim, runc, conmon), its
 * pid 1 the init, the rest the workload. One namespace (the bare process arm): the tree's root is
 * the init, its descendants the workload.
 */
export function processRoles(processes: readonly Pick<ProcessCounters, 'pid' | 'ppid' | 'pidNs' | 'innerPid'>[]): Map<number, ProcessRole> {
  const roles = new Map<number, ProcessRole>()
  const namespaces = new Set(processes.map((p) => p.pidNs))
  if (namespaces.size > 1) {
    const inner = (processes.find((p) => p.innerPid === 1) ?? processes.at(-1))!.pidNs
    for (const p of processes) roles.set(p.pid, p.pidNs !== inner ? 'runtime' : p.innerPid === 1 ? 'init' : 'workload')
    return roles
  }
  const pids = new Set(processes.map((p) => p.pid))
  for (const p of processes) roles.set(p.pid, pids.has(p.ppid) ? 'workload' : 'init')
  return roles
}

function processMemory(processes: readonly ProcessCounters[]): Record<string, number> {
  const out = {mem_runtime: 0, mem_init: 0, mem_workload: 0}
  const roles = processRoles(processes)
  for (const p of processes) {
    const pss = readPss(p.pid)
    if (pss !== null) out[`mem_${roles.get(p.pid)!}`] += pss / MiB
  }
  return out
}

interface Totals {
  userS: number
  systemS: number
  voluntary: number
  involuntary: number
  minor: number
  major: number
  vcpuS: number
  ioS: number
  mainS: number
  vmm: boolean
}

function totals(s: InstanceSnapshot, withChildren: boolean): Totals {
  const t: Totals = {userS: 0, systemS: 0, voluntary: 0, involuntary: 0, minor: 0, major: 0, vcpuS: 0, ioS: 0, mainS: 0, vmm: false}
  for (const p of s.processes) {
    t.userS += p.userS
    t.systemS += p.systemS + (withChildren ? p.childrenS : 0)
    t.voluntary += p.voluntarySwitches
    t.involuntary += p.involuntarySwitches
    t.minor += p.minorFaults
    t.major += p.majorFaults
    const classes = p.threads.map((th) => threadClass(th, p.pid))
    if (!classes.includes('vcpu')) continue
    t.vmm = true
    p.threads.forEach((th, i) => {
      const cpu = th.userS + th.systemS
      if (classes[i] === 'vcpu') t.vcpuS += cpu
      else if (classes[i] === 'main') t.mainS += cpu
      else t.ioS += cpu
    })
  }
  return t
}

/**
 * The instance's CPU seconds in a snapshot: its cgroup's when it has one, else its processes'. The
 * total is the cgroup's scheduler runtime where there is one (ns), not user + system: those are
 * sampled at each tick, so a 30 ms container start read 0 s of CPU (cpuacct.usage_user 0, usage 3 ms).
 */
function instanceCpu(s: InstanceSnapshot, t: Totals): {user: number; system: number; total: number} {
  if (s.cgroup?.userS !== undefined && s.cgroup.systemS !== undefined)
    return {user: s.cgroup.userS, system: s.cgroup.systemS, total: s.cgroup.usageS ?? s.cgroup.userS + s.cgroup.systemS}
  return {user: t.userS, system: t.systemS, total: t.userS + t.systemS}
}

function vmmShares(out: Record<string, number>, t: {vcpuS: number; ioS: number; mainS: number}): void {
  out.vcpu_s = t.vcpuS
  out.io_threads_s = t.ioS
  out.main_loop_s = t.mainS
  const all = t.vcpuS + t.ioS + t.mainS
  if (all > 0) out.vcpu_share = t.vcpuS / all
}

/**
 * Counters over the window between two snapshots of the same instance (b after a). Processes that
 * started or ended inside the window count from zero or to their last reading.
 */
export function windowCounters(a: InstanceSnapshot, b: InstanceSnapshot): Record<string, number> {
  const ta = totals(a, false)
  const tb = totals(b, false)
  const ca = instanceCpu(a, ta)
  const cb = instanceCpu(b, tb)
  const out: Record<string, number> = {
    window_s: (b.at - a.at) / 1000,
    cpu_user_s: cb.user - ca.user,
    cpu_system_s: cb.system - ca.system,
    ctx_voluntary: tb.voluntary - ta.voluntary,
    ctx_involuntary: tb.involuntary - ta.involuntary,
    faults_minor: tb.minor - ta.minor,
    faults_major: tb.major - ta.major,
  }
  out.cpu_s = cb.total - ca.total
  if (tb.vmm) vmmShares(out, {vcpuS: tb.vcpuS - ta.vcpuS, ioS: tb.ioS - ta.ioS, mainS: tb.mainS - ta.mainS})
  cgroupDeltas(out, a.cgroup, b.cgroup)
  Object.assign(out, hostDeltas(a, b, out.cpu_s))
  return clampCounts(out)
}

/** Counters of an instance from its start to this snapshot (cumulative; waited-for children included). */
export function readyCounters(s: InstanceSnapshot, startedAt: number): Record<string, number> {
  const t = totals(s, true)
  const c = instanceCpu(s, t)
  const out: Record<string, number> = {
    window_s: (s.at - startedAt) / 1000,
    cpu_user_s: c.user,
    cpu_system_s: c.system,
    cpu_s: c.total,
    ctx_voluntary: t.voluntary,
    ctx_involuntary: t.involuntary,
    faults_minor: t.minor,
    faults_major: t.major,
  }
  if (t.vmm) vmmShares(out, t)
  cgroupDeltas(out, null, s.cgroup)
  return out
}

function cgroupDeltas(out: Record<string, number>, a: CgroupCounters | null, b: CgroupCounters | null): void {
  if (!b) return
  const d = (x: number | undefined, y: number | undefined) => (y === undefined ? undefined : y - (a ? (x ?? 0) : 0))
  const set = (k: string, v: number | undefined) => v !== undefined && Number.isFinite(v) && (out[k] = v)
  set('throttled_periods', d(a?.throttledPeriods, b.throttledPeriods))
  set('throttled_s', d(a?.throttledS, b.throttledS))
  if (b.psi) {
    set('psi_cpu_some_ms', mul(d(a?.psi?.cpuSomeUs, b.psi.cpuSomeUs), 1e-3))
    set('psi_memory_some_ms', mul(d(a?.psi?.memorySomeUs, b.psi.memorySomeUs), 1e-3))
  }
}

const mul = (x: number | undefined, k: number) => (x === undefined ? undefined : x * k)

/** Host counters between two snapshots: steal, busy CPU, the other processes' CPU, run queue, PSI. */
export function hostDeltas(
  a: Pick<InstanceSnapshot, 'host' | 'selfCpuS'>,
  b: Pick<InstanceSnapshot, 'host' | 'selfCpuS'>,
  instanceCpuS: number,
): Record<string, number> {
  const busy = busySeconds(b.host) - busySeconds(a.host)
  const self = b.selfCpuS - a.selfCpuS
  const out: Record<string, number> = {
    host_steal_s: b.host.cpu.steal - a.host.cpu.steal,
    host_busy_s: busy,
    isobench_s: self,
    host_others_s: Math.max(0, busy - instanceCpuS - self),
    run_queue: (a.host.procsRunning + b.host.procsRunning) / 2,
  }
  const psi = (k: 'cpuSomeUs' | 'memorySomeUs') => {
    const x = a.host.psi?.[k]
    const y = b.host.psi?.[k]
    return x !== undefined && y !== undefined ? (y - x) / 1000 : undefined
  }
  const cpuP = psi('cpuSomeUs')
  const memP = psi('memorySomeUs')
  if (cpuP !== undefined) out.host_psi_cpu_some_ms = cpuP
  if (memP !== undefined) out.host_psi_memory_some_ms = memP
  return out
}

/** Counts cannot go down: a process that exited between snapshots takes its counts with it (clamped at 0, never negative). */
function clampCounts(out: Record<string, number>): Record<string, number> {
  for (const k of ['ctx_voluntary', 'ctx_involuntary', 'faults_minor', 'faults_major', 'cpu_user_s', 'cpu_system_s', 'cpu_s'])
    if (out[k] !== undefined && out[k]! < 0) out[k] = 0
  return out
}
