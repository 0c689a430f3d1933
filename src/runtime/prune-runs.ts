/**
 * What killed runs leave outside their instances' own records: the run's scratch dir
 * (`<stateDir>/runs/<run>/`: the process arm's init, owner.json) and its cgroup
 * (`isobench/process_<run>` in one hierarchy), which holds every bare process the run started —
 * also those a SIGKILLed launcher could no longer take along — and the cgroups of its instances
 * placed under limits (`isobench/process_<run>.<id>`). A run is dead when its owner process
 * is (src/host/owner.ts: pid + start time + boot id). Only this state dir's runs are touched.
 */
import {readFileSync, rmSync, statSync} from 'node:fs'
import {hostCgroups, listContainerCgroups, removeCgroupDirs} from './cgroups/cgroups.js'
import {processStartTicks} from '../host/owner.js'
import {claimPid, listRunDirs, runCgroupName} from '../host/runs.js'

export interface RunsPruneResult {
  /** Run dir names removed. */
  runs: string[]
  /** Cgroup dirs removed (their processes killed first). */
  cgroups: string[]
  /** Processes killed in them. */
  processes: number[]
}

/** A run dir with no readable owner.json this long after it was made is a leftover, not one being written. */
const UNCLAIMED_GRACE_MS = 60_000

/**
 * Remove the runs of this state dir whose owner is dead (with `all`: every run but a live one of
 * this very process), killing what is left in their cgroups first.
 */
export function pruneRuns(stateDir: string, opts: {all?: boolean} = {}): RunsPruneResult {
  const result: RunsPruneResult = {runs: [], cgroups: [], processes: []}
  const runs = listRunDirs(stateDir)
  if (runs.length === 0) return result
  let cgroups: Map<string, string[]> = new Map()
  try {
    cgroups = listContainerCgroups(hostCgroups())
  } catch {
    // no cgroups we can read (not root): the scratch dirs are still ours to remove
  }
  for (const run of runs) {
    const mine = run.record?.owner.pid === process.pid
    let dead = run.state === 'dead'
    if (!run.record) {
      const claimer = claimPid(run.name)
      try {
        dead = claimer !== null ? processStartTicks(claimer) === null : Date.now() - statSync(run.dir).mtimeMs > UNCLAIMED_GRACE_MS
      } catch {
        continue
      }
    }
    if (!(dead || (opts.all && !mine))) continue
    // The run's cgroup, and its instances' own (instanceCgroupName: `process_<run>.<id>`).
    const name = runCgroupName(run.name)
    const dirs = [...cgroups].flatMap(([n, d]) => (n === name || n.startsWith(`${name}.`) ? d : []))
    for (const dir of dirs) result.processes.push(...membersOf(dir))
    result.cgroups.push(...removeCgroupDirs(dirs))
    rmSync(run.dir, {recursive: true, force: true})
    result.runs.push(run.name)
  }
  return result
}

function membersOf(dir: string): number[] {
  try {
    return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}
