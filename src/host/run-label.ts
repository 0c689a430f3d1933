/**
 * The run label of a private directory an arm makes outside its instances' own records (a chroot
 * tree, an LXC path, an engine's private daemon root): `<dir>/owner.json` names the process that
 * made it (pid and its start time in clock ticks, field 22 of /proc/PID/stat, so a recycled pid is
 * not mistaken for it), so that after a kill `isobench prune` can tell a dead run's leftovers from a
 * live run's. A short tag derived from the run id and pid names the objects inside (container name
 * prefixes, cgroup parents), so that everything one run made is found by that tag.
 */
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from './fs.js'
import {processStartTicks} from './owner.js'

export interface RunLabel {
  pid: number
  startTicks: number
  runId: string
  createdAt: string
}

/** A short tag for this run in this process: 8 hex digits of sha256(runId, pid); safe in names, paths and cgroups. */
export function runTag(runId: string, pid = process.pid): string {
  return createHash('sha256').update(`${runId}\0${pid}`).digest('hex').slice(0, 8)
}

/** Write `<dir>/owner.json` for this process (the directory is made). */
export function labelDir(dir: string, runId: string): void {
  const label: RunLabel = {pid: process.pid, startTicks: processStartTicks(process.pid) ?? 0, runId, createdAt: new Date().toISOString()}
  writeFileAtomic(join(dir, 'owner.json'), JSON.stringify(label) + '\n')
}

/** A directory without a readable owner.json this long after it was made is a leftover, not one being labelled. */
export const UNLABELLED_GRACE_MS = 60_000

/**
 * Whether the run that labelled `dir` is still running: its pid exists and started at the recorded
 * time. An unlabelled dir counts as alive for UNLABELLED_GRACE_MS after it was made (a run labels its
 * dir right after making it), then as dead.
 */
export function labelAlive(dir: string): boolean {
  const file = join(dir, 'owner.json')
  if (!existsSync(file)) {
    try {
      return Date.now() - statSync(dir).mtimeMs < UNLABELLED_GRACE_MS
    } catch {
      return false
    }
  }
  try {
    const label = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunLabel>
    if (typeof label.pid !== 'number') return false
    const ticks = processStartTicks(label.pid)
    return ticks !== null && (!label.startTicks || ticks === label.startTicks)
  } catch {
    return false
  }
}
