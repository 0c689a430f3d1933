/** The workload catalog: every profile by name. Scenarios and `--workload` name these. */
import {UsageError} from '../core/errors.js'
import type {WorkloadProfile} from './profile.js'
import {serviceProfiles} from './profiles/services.js'
import {stressProfiles} from './profiles/stress.js'
import {storageProfiles} from './profiles/storage.js'

const profiles: WorkloadProfile[] = [
  {
    name: 'idle',
    version: 1,
    description: 'busybox: ready, then sleep until stopped (startup and memory only)',
    argv: ['sleep', '3600'],
    ready: {kind: 'marker'},
    figures: [],
    image: 'idle',
  },
  {
    name: 'true',
    version: 1,
    description: 'busybox true: ready, then exit at once (start-to-exit cost)',
    argv: ['true'],
    ready: {kind: 'marker'},
    figures: [],
    image: 'idle',
  },
  ...stressProfiles,
  ...serviceProfiles,
  ...storageProfiles,
]

export const catalog: ReadonlyMap<string, WorkloadProfile> = new Map(profiles.map((p) => [p.name, p]))

export function workloadNames(): string[] {
  return [...catalog.keys()]
}

/** The profile for a user-given name, or a UsageError listing the valid names. */
export function resolveWorkloadName(name: string): string {
  if (!catalog.has(name)) throw new UsageError(`unknown workload "${name}"; expected one of ${workloadNames().join(', ')}`)
  return name
}
