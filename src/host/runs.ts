/**
 * A run's scratch space: `<stateDir>/runs/<runId>/`, holding `owner.json` (the run's process as
 * owner.ts names it, and the state dir) and one folder per user (`process/` for the process arm's
 * init, …). Everything a run keeps outside its instances lives there, labelled by the run, so that
 * when a run is killed (-9, OOM, power loss) the next run or `isobench prune` finds what it left —
 * scoped to its own state dir — and removes it. The run's cgroups are named after it as well
 * (runCgroupName), under the `isobench` parents.
 *
 * A state dir this user cannot write (a non-root run of the process arm with the default
 * /var/lib/isobench) falls back to `<tmpdir>/isobench-runs-<uid>/<runId>/`, whose owner.json names
 * the state dir it stands for, so the same scoping holds.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {writeFileAtomic} from './fs.js'
import {currentOwner, ownerState, type OwnerState, type ProcessOwner} from './owner.js'

export interface RunOwnerRecord {
  runId: string
  /** The state dir the run used (absolute). */
  stateDir: string
  owner: ProcessOwner
  createdAt: string
}

export interface RunDirEntry {
  /** The folder's name: the run id, or `<runId>.<pid>` (see openRunDir). */
  name: string
  dir: string
  record: RunOwnerRecord | null
  /** alive: its process runs; dead: gone (or rebooted since); unknown: no readable owner.json yet, or another host's. */
  state: OwnerState
}

const RUN_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,79}$/

/** A run dir being made: `.claim-<pid>-<runId>` until owner.json is in it and it is renamed. */
const CLAIM_PREFIX = '.claim-'

/** The pid in a claim dir's name, or null for any other name. */
export function claimPid(name: string): number | null {
  const m = /^\.claim-(\d+)-/.exec(name)
  return m ? Number(m[1]) : null
}

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs')
}

/** Where runs whose state dir is not writable keep their scratch space. */
export function fallbackRunsDir(): string {
  return join(tmpdir(), `isobench-runs-${process.getuid?.() ?? 'user'}`)
}

/**
 * The cgroup (under each hierarchy's `isobench` parent) that a run's bare processes join, named
 * after its run dir (basename(openRunDir(…))). The underscore keeps it apart from container ids.
 */
export function runCgroupName(runDirName: string): string {
  return `process_${runDirName}`
}

/**
 * The cgroup name of one process-arm instance placed under limits (`process_<run>.<id>`, a sibling
 * of the run's own in each hierarchy, so that cgroup v2's no-internal-processes rule never applies):
 * prune removes it with the run's cgroup.
 */
export function instanceCgroupName(runCgroup: string, id: string): string {
  return `${runCgroup}.${id}`
}

/** The run dir name a cgroup name of runCgroupName's form stands for, else null. */
export function runDirOfCgroup(name: string): string | null {
  return name.startsWith('process_') ? name.slice('process_'.length) : null
}

const opened = new Map<string, string>()

/**
 * The run's scratch dir, made (with owner.json) on first use in this process; idempotent. Its
 * folder name is the run id, or `<runId>.<pid>` when a live process of another run already holds
 * that name (library callers and tests that reuse a run id). Throws only when neither the state
 * dir nor the temp dir can hold it.
 */
export function openRunDir(stateDir: string, runId: string): string {
  if (!RUN_ID.test(runId)) throw new Error(`run id ${JSON.stringify(runId)} is not a safe folder name`)
  const key = `${resolve(stateDir)}\0${runId}`
  const known = opened.get(key)
  if (known && existsSync(known)) return known
  const record: RunOwnerRecord = {runId, stateDir: resolve(stateDir), owner: currentOwner(), createdAt: new Date().toISOString()}
  const text = JSON.stringify(record, null, 2) + '\n'
  // The dir appears under its final name only with owner.json in it (made under a claim name, then
  // renamed): a run killed at any point leaves either nothing, or a dir whose owner prune can judge.
  const claim = (base: string): string => {
    mkdirSync(base, {recursive: true, mode: 0o755})
    const staging = join(base, `${CLAIM_PREFIX}${process.pid}-${runId}`)
    rmSync(staging, {recursive: true, force: true})
    mkdirSync(staging)
    writeFileAtomic(join(staging, 'owner.json'), text)
    for (const dir of [join(base, runId), join(base, `${runId}.${process.pid}`)]) {
      try {
        renameSync(staging, dir)
        return dir
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error
        const other = readRecord(dir)
        if (other && ownerState(other.owner) === 'alive' && other.owner.pid !== process.pid) continue
        // ours, or a dead run's that reused the id: take it over
        writeFileAtomic(join(dir, 'owner.json'), text)
        rmSync(staging, {recursive: true, force: true})
        return dir
      }
    }
    rmSync(staging, {recursive: true, force: true})
    throw new Error(`run dir ${join(base, runId)} is held by another live run`)
  }
  let dir: string
  try {
    dir = claim(runsDir(stateDir))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error
    dir = claim(fallbackRunsDir())
  }
  opened.set(key, dir)
  return dir
}

/** `<run dir>/<name>/`, made if missing. */
export function runScratchDir(stateDir: string, runId: string, name: string): string {
  const dir = join(openRunDir(stateDir, runId), name)
  mkdirSync(dir, {recursive: true})
  return dir
}

function readRecord(dir: string): RunOwnerRecord | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as RunOwnerRecord
    return r && typeof r === 'object' && typeof r.runId === 'string' ? r : null
  } catch {
    return null
  }
}

/**
 * Every run dir of this state dir: under it, and in the fallback location when the owner record
 * names it. A dir without a readable owner.json is 'unknown' (being written, or not ours).
 */
export function listRunDirs(stateDir: string): RunDirEntry[] {
  const want = resolve(stateDir)
  const out: RunDirEntry[] = []
  for (const [base, mustName] of [
    [runsDir(stateDir), false],
    [fallbackRunsDir(), true],
  ] as const) {
    let names: string[]
    try {
      names = readdirSync(base)
    } catch {
      continue
    }
    for (const name of names) {
      const dir = join(base, name)
      const record = readRecord(dir)
      if (mustName && record?.stateDir !== want) continue
      out.push({name, dir, record, state: record ? ownerState(record.owner) : 'unknown'})
    }
  }
  return out
}

/**
 * Remove this process's run dir for `runId` once nothing but owner.json is left in it (each user
 * removes its own folder first; the last one out closes the dir). Prune removes dead runs' dirs whole.
 */
export function closeRunDir(stateDir: string, runId: string): void {
  const key = `${resolve(stateDir)}\0${runId}`
  const dir = opened.get(key)
  if (!dir) return
  try {
    if (readdirSync(dir).some((f) => f !== 'owner.json')) return
  } catch {
    // gone already
  }
  rmSync(dir, {recursive: true, force: true})
  opened.delete(key)
}
