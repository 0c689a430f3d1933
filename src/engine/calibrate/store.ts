/**
 * Calibrations are stored per host in the state dir (`<stateDir>/calibration/<hostKey>.json`),
 * keyed by the facts that make noise comparable: hostname, kernel, CPU model and count, memory and
 * hypervisor. A different kernel or CPU is a different host: its calibration is looked up afresh.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Calibration} from '../../core/calibration.js'
import type {HostRecord} from '../../core/results.js'
import {writeFileAtomic} from '../../host/fs.js'

export function hostSummary(host: HostRecord): Calibration['host'] {
  return {
    hostname: host.hostname,
    kernel: host.kernel,
    cpu: host.cpu?.model ?? 'unknown',
    cores: host.cpu?.cores ?? 0,
    memoryGiB: Math.round((host.memoryBytes ?? 0) / 2 ** 30),
    ...(host.virtualization ? {virtualization: host.virtualization} : {}),
  }
}

export function hostKey(host: HostRecord): string {
  const s = hostSummary(host)
  return createHash('sha256')
    .update(JSON.stringify([s.hostname, s.kernel, s.cpu, s.cores, s.memoryGiB, s.virtualization ?? '']))
    .digest('hex')
    .slice(0, 16)
}

export function calibrationFile(stateDir: string, key: string): string {
  return join(stateDir, 'calibration', `${key}.json`)
}

export function saveCalibration(stateDir: string, cal: Calibration): string {
  mkdirSync(join(stateDir, 'calibration'), {recursive: true})
  const file = calibrationFile(stateDir, cal.hostKey)
  writeFileAtomic(
    file,
    JSON.stringify(cal, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2),
  )
  return file
}

/** This host's calibration from the state dir, or null (none, or unreadable: a calibration is never required). */
export function loadCalibration(stateDir: string, host: HostRecord): Calibration | null {
  const file = calibrationFile(stateDir, hostKey(host))
  if (!existsSync(file)) return null
  try {
    const cal = JSON.parse(readFileSync(file, 'utf8')) as Calibration
    return Array.isArray(cal.entries) ? cal : null
  } catch {
    return null
  }
}
