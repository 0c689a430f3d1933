/**
 * Hardware counters and KVM exits through Linux perf (Debian's linux-perf): whether perf events are
 * available here (`perf stat -e instructions true` tells: a virtual machine without a virtual PMU
 * answers `<not supported>`), a `perf stat -p PIDS` counter session that runs beside a measured
 * window (its own CPU time is read and reported as its cost), and KVM exit reasons from the
 * kvm:kvm_exit tracepoint (`perf record -e kvm:kvm_exit -p QEMU`, then `perf script`), available
 * only for a VM running under KVM.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseStat} from './proc.js'

/** The hardware events isobench asks perf for (perf list names). */
export const HARDWARE_EVENTS = ['instructions', 'cycles', 'cache-misses'] as const

export interface PerfAvailability {
  /** Events perf can count here (a subset of those asked). */
  events: string[]
  /** Why the others (or perf as a whole) cannot count here, one line. */
  note?: string
}

/** One CSV line of `perf stat -x,`: value, unit, event, run time, % running, … (perf-stat(1), "CSV FORMAT"). */
export function parsePerfStatCsv(text: string): {counts: Record<string, number>; unsupported: string[]} {
  const counts: Record<string, number> = {}
  const unsupported: string[] = []
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue
    const f = line.split(',')
    if (f.length < 3) continue
    const [value, , event] = f
    if (!event) continue
    if (value === '<not supported>' || value === '<not counted>') unsupported.push(event)
    else if (Number.isFinite(Number(value))) counts[event] = Number(value)
  }
  return {counts, unsupported}
}

let probed: Map<string, PerfAvailability> | undefined

/** Which of `events` perf counts on this host (probed once per process with `perf stat -x, -e … true`). */
export function perfAvailability(events: readonly string[] = HARDWARE_EVENTS): PerfAvailability {
  probed ??= new Map()
  const key = events.join(',')
  const known = probed.get(key)
  if (known) return known
  const result = probe(events)
  probed.set(key, result)
  return result
}

function probe(events: readonly string[]): PerfAvailability {
  const r = spawnSync('perf', ['stat', '-x,', '-e', events.join(','), 'true'], {encoding: 'utf8', timeout: 10_000})
  if (r.error)
    return {
      events: [],
      note: `perf not available (${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed: apt package linux-perf' : r.error.message})`,
    }
  const {counts, unsupported} = parsePerfStatCsv(r.stderr)
  const ok = events.filter((e) => e in counts)
  if (r.status !== 0 && ok.length === 0) {
    const paranoid = readParanoid()
    const first =
      r.stderr
        .split('\n')
        .find((l) => l.trim())
        ?.slice(0, 200) ?? `exit ${r.status}`
    return {events: [], note: `perf stat failed (${first}; perf_event_paranoid=${paranoid})`}
  }
  const missing = events.filter((e) => !ok.includes(e))
  return missing.length
    ? {
        events: ok,
        note: `perf stat -e ${missing.join(',')}: ${unsupported.length ? '<not supported>' : 'not counted'} — no hardware PMU exposed to this kernel${ok.length ? '' : ' (a virtual machine without a virtual PMU)'}`,
      }
    : {events: ok}
}

function readParanoid(): string {
  try {
    return readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim()
  } catch {
    return '?'
  }
}

/** A running `perf stat -p` session; stop() ends it and gives the counts and perf's own CPU time. */
export interface PerfSession {
  stop(): Promise<{counts: Record<string, number>; overheadS: number; error?: string}>
}

/** Count `events` on the given processes (and the threads they start) until stop(). */
export function startPerfStat(pids: readonly number[], events: readonly string[]): PerfSession {
  const child = spawn('perf', ['stat', '-x,', '--no-big-num', '-e', events.join(','), '-p', pids.join(',')], {stdio: ['ignore', 'ignore', 'pipe']})
  let err = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (d: string) => {
    if (err.length < 64 * 1024) err += d
  })
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  return {
    async stop() {
      const overheadS = cpuOf(child)
      child.kill('SIGINT')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await closed
      clearTimeout(timer)
      const {counts} = parsePerfStatCsv(err)
      return Object.keys(counts).length ? {counts, overheadS} : {counts, overheadS, error: err.trim().split('\n')[0]?.slice(0, 200) ?? 'no output'}
    },
  }
}

function cpuOf(child: ChildProcess): number {
  try {
    const s = parseStat(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))
    return s.userS + s.systemS
  } catch {
    return 0
  }
}

/** Where the kvm:kvm_exit tracepoint is described, when tracefs is mounted. */
const KVM_EXIT_TRACEPOINTS = ['/sys/kernel/tracing/events/kvm/kvm_exit', '/sys/kernel/debug/tracing/events/kvm/kvm_exit']

/**
 * Whether KVM exit reasons can be counted for a VM with this accelerator here; the reason in one
 * line when not (a TCG guest makes no KVM exits at all).
 */
export function kvmExitAvailability(accel: string): {available: boolean; reason?: string} {
  if (accel !== 'kvm') return {available: false, reason: `not available: the VM runs under ${accel.toUpperCase()}, which makes no KVM exits`}
  if (!KVM_EXIT_TRACEPOINTS.some((p) => existsSync(p)))
    return {available: false, reason: 'not available: no kvm:kvm_exit tracepoint (tracefs not mounted, or a kvm module without tracepoints)'}
  const perf = spawnSync('perf', ['--version'], {encoding: 'utf8', timeout: 5000})
  if (perf.error) return {available: false, reason: 'not available: perf not installed (apt package linux-perf)'}
  if (process.getuid?.() !== 0 && Number(readParanoid()) > -1)
    return {available: false, reason: `not available: tracepoints need root or perf_event_paranoid=-1 (it is ${readParanoid()})`}
  return {available: true}
}

/** Count exit reasons in `perf script` output of kvm:kvm_exit events (`… kvm_exit: vcpu 0 reason EPT_VIOLATION rip …`). */
export function parseKvmExits(script: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const m of script.matchAll(/kvm_exit:.*?\breason\s+([A-Za-z0-9_]+)/g)) out[m[1]!] = (out[m[1]!] ?? 0) + 1
  return out
}

/** A `perf record -e kvm:kvm_exit -p PID` session; stop() gives the exit reasons and their counts. */
export function startKvmExitTrace(pid: number): {stop(): Promise<{reasons: Record<string, number>; error?: string}>} {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-kvm-exits-'))
  const file = join(dir, 'perf.data')
  const child = spawn('perf', ['record', '-q', '-e', 'kvm:kvm_exit', '-p', String(pid), '-o', file], {stdio: 'ignore'})
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  return {
    async stop() {
      child.kill('SIGINT')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await closed
      clearTimeout(timer)
      try {
        const r = spawnSync('perf', ['script', '-i', file], {encoding: 'utf8', timeout: 30_000, maxBuffer: 256 * 1024 * 1024})
        return r.status === 0 ? {reasons: parseKvmExits(r.stdout)} : {reasons: {}, error: r.stderr.split('\n')[0]?.slice(0, 200)}
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    },
  }
}
