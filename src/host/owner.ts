/**
 * Who owns a record on disk (a run's results.json, a run's scratch dir): the writing process, named
 * so that a later reader can tell whether it is still alive. A pid alone cannot say it: pids are
 * recycled, and a reboot starts them over. So an owner is (pid, the process's start time in clock
 * ticks since boot — field 22 of /proc/PID/stat, fixed for a process's life — and the kernel's boot
 * id, /proc/sys/kernel/random/boot_id, new at every boot), plus the hostname, because a file copied
 * to another machine cannot be checked there at all.
 */
import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {statFields} from './procfs.js'

export interface ProcessOwner {
  pid: number
  /** Start time of the process in clock ticks after boot (proc(5), /proc/PID/stat field 22). */
  startTicks: number
  /** /proc/sys/kernel/random/boot_id when the record was written. */
  bootId: string
  hostname: string
}

/** 'alive': that very process still runs; 'dead': it does not (or the host rebooted); 'unknown': another host's record. */
export type OwnerState = 'alive' | 'dead' | 'unknown'

/**
 * Field 22 (starttime) of /proc/PID/stat, or null when there is no such process or it is a zombie
 * (dead, not yet reaped: on hosts whose PID 1 does not reap, a killed owner stays one for ever).
 */
export function processStartTicks(pid: number): number | null {
  const fields = statFields(pid)
  if (!fields || fields[0] === 'Z' || fields[0] === 'X') return null
  const ticks = Number(fields[22 - 3])
  return Number.isFinite(ticks) ? ticks : null
}

let bootIdCache: string | null = null

/** This boot's id (a UUID); '' where /proc does not say. */
export function bootId(): string {
  if (bootIdCache === null) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    } catch {
      bootIdCache = ''
    }
  }
  return bootIdCache
}

/** The owner record of `pid` (default: this process), read now. */
export function currentOwner(pid = process.pid): ProcessOwner {
  return {pid, startTicks: processStartTicks(pid) ?? 0, bootId: bootId(), hostname: hostname()}
}

/**
 * Is the owner still running? Dead when its pid is gone, when the pid now belongs to a process that
 * started at another time (recycled), or when this host has rebooted since (another boot id, same
 * hostname). A record from another host is 'unknown'. A malformed record is 'dead' only if it names
 * this host: nothing else can ever finish it.
 */
export function ownerState(owner: Partial<ProcessOwner> | null | undefined): OwnerState {
  if (!owner || typeof owner !== 'object') return 'unknown'
  if (owner.hostname !== undefined && owner.hostname !== hostname()) return 'unknown'
  if (typeof owner.pid !== 'number' || !Number.isInteger(owner.pid) || owner.pid <= 0) return 'dead'
  if (owner.bootId && bootId() && owner.bootId !== bootId()) return 'dead'
  const ticks = processStartTicks(owner.pid)
  if (ticks === null) return 'dead'
  if (typeof owner.startTicks === 'number' && owner.startTicks > 0 && ticks !== owner.startTicks) return 'dead'
  return 'alive'
}
