/**
 * The chroot arm's cgroups: one per instance under the `isobench` parents, named with the run's tag
 * (host/run-label.ts) as the LXC arm's are, so that `isobench prune` removes a killed run's cgroups
 * by the tag of its labelled tree dir (`<stateDir>/chroot/<tag>`), never another run's.
 */
import {basename} from 'node:path'
import {hostCgroups, listContainerCgroups, removeCgroupDirs} from '../cgroups/cgroups.js'

/** The cgroup name (below each `isobench` parent) of instance `id` of the run tagged `tag`: `chroot-<tag>-<id>`. */
export function chrootCgroupName(tag: string, id: string): string {
  return `chroot-${tag}-${id}`
}

/**
 * Remove every cgroup of the run whose chroot dir is `dir` (its basename is the run's tag), killing
 * what is still in them first (removeCgroupDirs). Returns the cgroup dirs removed.
 */
export function removeChrootRunCgroups(dir: string): string[] {
  const prefix = chrootCgroupName(basename(dir), '')
  const removed: string[] = []
  for (const [name, dirs] of listContainerCgroups(hostCgroups())) if (name.startsWith(prefix)) removed.push(...removeCgroupDirs(dirs))
  return removed
}
