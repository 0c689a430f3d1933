/**
 * The parity manifest: for each workload a run measured, the rootfs digest every arm ran and the
 * resources it got (a VM's vCPUs and guest RAM next to a container's CPU quota and memory limit),
 * with every mismatch spelled out, and where the rootfs lived (disk or memory, the same for every arm),
 * and the seccomp filter of each container arm (the same profile, or a mismatch), and the limits an
 * arm's tool could not be given (its unmatchedLimits). Built after prepare(), when the arms know their images.
 */
import {imageOf, rootfsMedium, type Arm, type Limits} from '../core/arm.js'
import {vmResources} from '../arms/qemu.js'
import {injectedFiles} from '../arms/images.js'
import {catalog} from '../workloads/catalog.js'
import type {ParityRecord} from '../core/results.js'
import type {WorkloadSpec} from '../core/arm.js'

export interface ParityCell {
  workload: string
  limits: Limits
  arms: string[]
}

/** `workloads`: the specs the arms ran (by workload name); without them a built-in's own image name is used. */
export function parityRecords(
  cells: ParityCell[],
  arms: ReadonlyMap<string, Arm>,
  workloads?: ReadonlyMap<string, {spec: Pick<WorkloadSpec, 'image' | 'rootfs'>}>,
): ParityRecord[] {
  const seen = new Map<string, ParityRecord>()
  const injected = injectedFiles()
  for (const cell of cells) {
    const key = `${cell.workload}\0${JSON.stringify(cell.limits)}`
    if (seen.has(key)) continue
    const spec = workloads?.get(cell.workload)?.spec ?? catalog().get(cell.workload) ?? {}
    const image = imageOf(spec)
    const record: ParityRecord = {workload: cell.workload, rootfsDigest: {}, rootfsMedium: rootfsMedium(spec), limits: {}, injected, mismatches: []}
    for (const name of cell.arms) {
      const arm = arms.get(name)
      // The process arm is the reference: host binaries, no rootfs and no limits to match.
      if (!arm || arm.kind === 'process') continue
      const digest = arm.rootfsDigest?.(image)
      if (digest) record.rootfsDigest![name] = digest
      record.limits[name] = arm.kind === 'vm' ? {...cell.limits, ...vmResources(cell.limits)} : {...cell.limits}
      const seccomp = arm.info?.().versions.seccomp
      if (seccomp) (record.seccomp ??= {})[name] = seccomp
    }
    record.mismatches = mismatches(record, arms)
    // Limits an arm's tool has no flag or key for (ctr's pids, …): said by the arm itself.
    for (const name of cell.arms) {
      const arm = arms.get(name)
      if (arm && arm.kind !== 'process') record.mismatches.push(...(arm.unmatchedLimits?.(cell.limits) ?? []))
    }
    seen.set(key, record)
  }
  return [...seen.values()]
}

function mismatches(record: ParityRecord, arms: ReadonlyMap<string, Arm>): string[] {
  const out: string[] = []
  const digests = new Set(Object.values(record.rootfsDigest ?? {}))
  if (digests.size > 1)
    out.push(
      `rootfs digests differ: ${Object.entries(record.rootfsDigest!)
        .map(([a, d]) => `${a} ${d.slice(0, 19)}`)
        .join(', ')}`,
    )
  for (const [name, l] of Object.entries(record.limits)) {
    if (arms.get(name)?.kind !== 'vm') continue
    if (l.cpus !== undefined && l.vcpus !== l.cpus) out.push(`${name}: ${l.vcpus} vCPU for a CPU quota of ${l.cpus} (a VM gets whole vCPUs)`)
    if (l.memoryMiB === undefined) out.push(`${name}: ${l.guestMemoryMiB} MiB guest RAM while the containers have no memory limit`)
  }
  const filters = new Set(Object.values(record.seccomp ?? {}))
  if (filters.size > 1)
    out.push(
      `seccomp filters differ: ${Object.entries(record.seccomp!)
        .map(([a, f]) => `${a} ${f}`)
        .join(', ')}`,
    )
  return out
}
