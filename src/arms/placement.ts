/**
 * The process arm under the same placement as the other arms: a bare process gets the instance's
 * limits the way a container gets them, so that a comparison never sets a pinned container against
 * an unpinned process.
 *   cpuset             sched_setaffinity in the launcher (--cpus), inherited by all it starts
 *   cpus, memoryMiB, pids   a cgroup of the instance's own (`isobench/<id>` in each hierarchy, as a
 *                      container's), made and limited here, joined by the launcher before it forks
 * A limit that needs a cgroup where none can be made (not root, no cgroup mount) is an
 * ArmError('not-applicable'): the sample fails saying so; it never runs unplaced.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import type {Limits} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import {cgroupPlan, hostCgroups, removeCgroupDirs, type CgroupPlan} from '../runtime/cgroups/cgroups.js'

export interface Placement {
  /** CPUs to pin to (the launcher's --cpus), when the limits name a cpuset. */
  cpus?: string
  /** The instance's own cgroups, when its limits need one; their dirs are for the launcher's --cgroup. */
  plan: CgroupPlan | null
}

/** A CPU list as the kernel writes them: "0", "0-1", "0,2-3". */
const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/

/**
 * Make the placement of one process-arm instance: its cgroups created with the limits written (as
 * root), its CPU list checked. `id` names the cgroup dirs. Throws ArmError('not-applicable') when a
 * limit cannot be applied here, ArmError('failed') for a malformed cpuset.
 */
export function placeProcess(id: string, limits: Limits, root = process.getuid?.() === 0): Placement {
  if (limits.cpuset !== undefined && !CPU_LIST.test(limits.cpuset))
    throw new ArmError(`cpuset ${JSON.stringify(limits.cpuset)}: expected a CPU list such as 0 or 0-1,3`, 'failed')
  const needs = {cpus: limits.cpus, memoryMiB: limits.memoryMiB, pids: limits.pids}
  const named = Object.entries(needs).filter(([, v]) => v !== undefined)
  if (named.length === 0) return {cpus: limits.cpuset, plan: null}
  const what = named.map(([k, v]) => `${k} ${v}`).join(', ')
  if (!root)
    throw new ArmError(`process arm: the limits (${what}) need a cgroup of the instance's own, which needs root: not applicable here`, 'not-applicable')
  const plan = cgroupPlan(hostCgroups(), id, needs, null)
  if (plan.dirs.length === 0)
    throw new ArmError(`process arm: the limits (${what}) need a cgroup, and this host mounts none with those controllers: not applicable`, 'not-applicable')
  try {
    for (const dir of plan.dirs) mkdirSync(dir, {recursive: true})
    for (const [file, value] of plan.settings) writeFileSync(file, value)
  } catch (error) {
    removeCgroupDirs(plan.dirs)
    throw new ArmError(`process arm: placing ${id} (${what}): ${(error as Error).message}`, 'not-applicable')
  }
  return {cpus: limits.cpuset, plan}
}

/** Remove an instance's cgroups (killing what is left in them). */
export function releasePlacement(p: Placement): void {
  if (p.plan) removeCgroupDirs(p.plan.dirs)
}
