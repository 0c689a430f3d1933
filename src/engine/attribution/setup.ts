/**
 * What the attribution counters can see on this host, decided once per run before any sample:
 * the perf events that count here, and a line for everything that cannot be counted (perf without
 * a PMU, PSI off, per-instance PSI without cgroup2, KVM exits of a TCG guest).
 */
import type {AttributionRecord, HostRecord} from '../../core/results.js'
import {HARDWARE_EVENTS, kvmExitAvailability, perfAvailability} from '../../host/counters/perf.js'
import {hostPsi} from '../../host/counters/system.js'

export function attributionSetup(host: Pick<HostRecord, 'cgroupMode'>, arms: ReadonlyArray<{name: string; kind: string; accel: string}>): AttributionRecord {
  const notes: string[] = []
  const perf = perfAvailability(HARDWARE_EVENTS)
  if (perf.note) notes.push(`perf: ${perf.note}`)
  const psi = hostPsi()
  if (!psi.available) notes.push(`host PSI: ${psi.note}`)
  if (host.cgroupMode !== 'v2')
    notes.push(
      `per-instance PSI: not available on a ${host.cgroupMode} cgroup host (cgroup2 pressure files need the instance in a cgroup2 group of its own); host PSI is recorded`,
    )
  for (const arm of arms) if (arm.kind === 'vm') notes.push(`KVM exit reasons (${arm.name}): ${kvmExitAvailability(arm.accel).reason ?? 'available'}`)
  return {notes, perfEvents: perf.events}
}
