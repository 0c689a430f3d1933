/**
 * isobench's temp dirs in the system temp dir, labelled by their owner so that whatever a killed
 * process left can be found and removed by `isobench prune` (and by no one while the owner lives):
 * `<tmpdir>/isobench-<kind>-<pid>.<startTicks>-XXXXXX`, where startTicks is the owner's start time
 * in clock ticks after boot (owner.ts), so a recycled pid does not keep a dead owner's dir alive.
 * Older names without `.<startTicks>` are still recognised. Only the kinds listed here are swept.
 */
import {lstatSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {processStartTicks} from './owner.js'

/** What each kind is: a guest kernel download (vm/kernel.ts), an OCI runtime's probe bundle (oci/probe.ts: probe-<runtime>), a VM overlay staging dir. */
export type TempKind = 'kernel' | 'vm-overlay' | `probe-${string}`

const NAME = /^isobench-(kernel|vm-overlay|probe-[a-z0-9]+)-(\d+)(?:\.(\d+))?-[A-Za-z0-9]+$/

const live = new Set<string>()
let exitHook = false

/**
 * A new temp dir of this kind, owned by this process. It is also removed when the process exits
 * (a handled signal included: the cleanup registry exits through process.exit) if its user has not
 * removed it with removeTempDir; only a kill that gives node no chance leaves it, for prune.
 */
export function makeTempDir(kind: TempKind): string {
  const dir = mkdtempSync(join(tmpdir(), `isobench-${kind}-${process.pid}.${processStartTicks(process.pid) ?? 0}-`))
  live.add(dir)
  if (!exitHook) {
    exitHook = true
    process.on('exit', () => {
      for (const d of live) rmSync(d, {recursive: true, force: true})
    })
  }
  return dir
}

/** Remove a temp dir made by makeTempDir (idempotent). */
export function removeTempDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
  live.delete(dir)
}

/** Is the owner named by a temp dir's name gone? */
function ownerGone(pid: number, ticks: number | undefined): boolean {
  const now = processStartTicks(pid)
  return now === null || (ticks !== undefined && ticks > 0 && now !== ticks)
}

/** Remove this user's temp dirs (of the kinds above) whose owner is gone; the paths removed. */
export function pruneTempDirs(dir = tmpdir()): string[] {
  const removed: string[] = []
  const uid = process.getuid?.()
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return removed
  }
  for (const name of names) {
    const m = NAME.exec(name)
    if (!m) continue
    const path = join(dir, name)
    try {
      if (uid !== undefined && lstatSync(path).uid !== uid) continue // another user's
    } catch {
      continue
    }
    if (!ownerGone(Number(m[2]), m[3] === undefined ? undefined : Number(m[3]))) continue
    rmSync(path, {recursive: true, force: true})
    removed.push(path)
  }
  return removed
}
