/** The workload catalog: every profile of every workload source, by name. Scenarios and `--workload` name these. */
import {UsageError} from '../core/errors.js'
import type {Recipe, WorkloadProfile, WorkloadSource} from './profile.js'
import {basicSource} from './profiles/basic.js'
import {servicesSource} from './profiles/services.js'
import {storageSource} from './profiles/storage.js'
import {stressSource} from './profiles/stress.js'

/** Every workload source, in listing order. Adding a set of workloads is one source module and one entry here. */
export const WORKLOAD_SOURCES: readonly WorkloadSource[] = [basicSource, stressSource, servicesSource, storageSource]

const profiles = WORKLOAD_SOURCES.flatMap((s) => s.profiles)

/** The image recipes the workload sources declare (src/images/recipe.ts builds them by name). */
export const workloadRecipes: readonly Recipe[] = WORKLOAD_SOURCES.flatMap((s) => s.recipes)

export const catalog: ReadonlyMap<string, WorkloadProfile> = new Map(profiles.map((p) => [p.name, p]))

/** The workload a metric runs when neither the scenario nor the metric names one: busybox doing nothing. */
export const DEFAULT_WORKLOAD = 'idle'

export function workloadNames(): string[] {
  return [...catalog.keys()]
}

/** The profile for a user-given name, or a UsageError listing the valid names. */
export function resolveWorkloadName(name: string): string {
  if (!catalog.has(name)) throw new UsageError(`unknown workload "${name}"; expected one of ${workloadNames().join(', ')}`)
  return name
}
