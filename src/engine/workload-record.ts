/** The results.json record of a workload a run measured: origin, image, command, readiness rule, figure sources. */
import {describeReadiness} from '../core/arm.js'
import type {WorkloadRecord} from '../core/results.js'
import type {PreparedWorkload} from '../arms/workload-images.js'
import type {WorkloadProfile} from '../workloads/profile.js'

export function workloadRecord(w: PreparedWorkload<WorkloadProfile>): WorkloadRecord {
  const {profile, spec} = w
  return {
    name: profile.name,
    version: profile.version,
    origin: {kind: profile.origin?.kind ?? 'built-in', label: profile.origin?.label ?? profile.name},
    image: {source: w.imageLabel, manifestDigest: w.image, rootfsDigest: w.rootfsDigest},
    argv: spec.argv,
    ready: describeReadiness(spec.ready),
    readyKind: spec.ready.kind,
    figures: profile.figures.map((f) => ({
      name: f.name,
      unit: f.unit,
      source: f.regex !== undefined ? `regex ${f.regex}` : f.key !== undefined ? `key ${f.key}` : f.from !== undefined ? f.from : 'parser',
    })),
    ...(profile.load ? {load: [profile.load.tool, ...profile.load.args('{host}', 0).map((a) => a.replace(':0', ':{port}'))].join(' ')} : {}),
  }
}
