/**
 * What the whole host was doing, from /proc/stat (proc(5): the `cpu` line's user, nice, system,
 * idle, iowait, irq, softirq and steal times in clock ticks; procs_running, the run queue at that
 * moment), /proc/loadavg and the host's pressure stall information (/proc/pressure/{cpu,memory,io},
 * Documentation/accounting/psi.rst; absent when the kernel has PSI off). Snapshots are compared in
 * pairs: the steal time, the host's busy CPU and the pressure stalls between two moments.
 */
import {existsSync, readFileSync} from 'node:fs'
import {CLK_TCK} from './proc.js'
import {parsePressure} from './cgroup.js'

export interface HostCounters {
  /** performance.now() when read. */
  at: number
  /** Sums over every CPU, in seconds. */
  cpu: {user: number; nice: number; system: number; idle: number; iowait: number; irq: number; softirq: number; steal: number}
  cpus: number
  /** Runnable tasks at that moment (procs_running, the run queue) and tasks blocked on I/O. */
  procsRunning: number
  procsBlocked: number
  load1: number
  /** PSI totals in µs; undefined when the kernel does not expose /proc/pressure. */
  psi?: {cpuSomeUs?: number; memorySomeUs?: number; memoryFullUs?: number; ioSomeUs?: number}
}

/** The `cpu` totals and counters of /proc/stat. */
export function parseProcStat(text: string): Omit<HostCounters, 'at' | 'load1' | 'psi'> {
  const line = /^cpu\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number) ?? []
  const t = (i: number) => (line[i] ?? 0) / CLK_TCK
  const cpus = text.split('\n').filter((l) => /^cpu\d+\s/.test(l)).length
  const n = (key: string) => Number(new RegExp(`^${key}\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0)
  return {
    cpu: {user: t(0), nice: t(1), system: t(2), idle: t(3), iowait: t(4), irq: t(5), softirq: t(6), steal: t(7)},
    cpus,
    procsRunning: n('procs_running'),
    procsBlocked: n('procs_blocked'),
  }
}

/** Whether this kernel exposes pressure stall information, and if not, why (one line). */
export function hostPsi(): {available: boolean; note?: string} {
  if (existsSync('/proc/pressure/cpu')) return {available: true}
  return {available: false, note: 'PSI off: no /proc/pressure (kernel built without CONFIG_PSI, or booted with psi=0)'}
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

export function readHostCounters(): HostCounters {
  const at = performance.now()
  const stat = parseProcStat(readFileSync('/proc/stat', 'utf8'))
  const load1 = Number(read('/proc/loadavg')?.split(' ')[0] ?? Number.NaN)
  const cpuP = read('/proc/pressure/cpu')
  const memP = read('/proc/pressure/memory')
  const ioP = read('/proc/pressure/io')
  const psi =
    cpuP === null && memP === null && ioP === null
      ? undefined
      : {
          cpuSomeUs: cpuP !== null ? parsePressure(cpuP).some : undefined,
          memorySomeUs: memP !== null ? parsePressure(memP).some : undefined,
          memoryFullUs: memP !== null ? parsePressure(memP).full : undefined,
          ioSomeUs: ioP !== null ? parsePressure(ioP).some : undefined,
        }
  return {at, ...stat, load1, psi}
}

/** Busy CPU seconds of this kernel's tasks (user, nice, system, irq, softirq: not idle, iowait, nor steal, which the hypervisor took). */
export function busySeconds(h: HostCounters): number {
  const c = h.cpu
  return c.user + c.nice + c.system + c.irq + c.softirq
}
