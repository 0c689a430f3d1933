/**
 * What an engine run may leave on the host, found by what names it: processes whose command line
 * mentions the engine's private directory, mounts below it, cgroup trees under the engine's
 * cgroup parent in every hierarchy. Tests assert the list is empty after each client; engines
 * remove empty cgroup parents they made. Pure reads of /proc and /sys, no process signalled.
 */
import {existsSync, readdirSync, readFileSync, rmdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {mountsBelow} from '../../host/procfs.js'
import {detectCgroupLayout} from '../cgroups/cgroups.js'

/** Pids (with their command lines) whose argv mentions any of the markers. */
export function processesMentioning(markers: string[]): Array<{pid: number; cmd: string}> {
  const out: Array<{pid: number; cmd: string}> = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    let cmd: string
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()
    } catch {
      continue
    }
    if (cmd && markers.some((m) => cmd.includes(m))) out.push({pid: Number(name), cmd: cmd.slice(0, 200)})
  }
  return out
}

/** Every cgroup mount point of this host (v1 hierarchies, named ones, the cgroup2 mount). */
export function cgroupMounts(): string[] {
  return detectCgroupLayout().allMounts
}

/** Cgroup dirs at or below `parent` (a path like /isobench-engines/x) in any hierarchy. */
export function cgroupsBelow(parent: string): string[] {
  const out: string[] = []
  for (const mp of cgroupMounts()) {
    const dir = join(mp, parent)
    if (!existsSync(dir)) continue
    const walk = (d: string) => {
      out.push(d)
      for (const e of readdirSync(d, {withFileTypes: true})) if (e.isDirectory()) walk(join(d, e.name))
    }
    walk(dir)
  }
  return out
}

/** Remove the empty cgroup dirs at or below parent, deepest first; the ones that hold processes stay. */
export function removeCgroupTree(parent: string): string[] {
  const left: string[] = []
  for (const d of cgroupsBelow(parent).sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d)
    } catch {
      if (existsSync(d)) left.push(d)
    }
  }
  return left
}

/** Empty directories among paths that did not exist before (removed), deepest first. */
export function removeNewEmptyDirs(paths: string[], existedBefore: Set<string>): void {
  for (const p of [...paths].sort((a, b) => b.length - a.length)) {
    if (existedBefore.has(p) || !existsSync(p)) continue
    try {
      if (statSync(p).isDirectory() && readdirSync(p).length === 0) rmdirSync(p)
    } catch {
      // in use
    }
  }
}

export interface Traces {
  processes: Array<{pid: number; cmd: string}>
  mounts: string[]
  cgroups: string[]
}

/** Everything left that names dir or lives under cgroupParent. */
export function traces(dir: string, cgroupParent: string, extraMarkers: string[] = []): Traces {
  return {processes: processesMentioning([dir, ...extraMarkers]), mounts: mountsBelow(dir), cgroups: cgroupsBelow(cgroupParent)}
}
