/**
 * Pruning the private directories that arms label with their run (host/run-label.ts): a chroot
 * tree, an LXC path, an engine's daemon root. For each one whose run is dead (or every one, with
 * `all`), the processes that still use it are killed (their command line names it, or their root or
 * working directory is inside it), the mounts below it are detached, deepest first, and it is
 * removed. Nothing is matched by process name: only by the directory the run labelled.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, readlinkSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {mountsBelow} from '../host/procfs.js'
import {labelAlive} from '../host/run-label.js'

/** Pids whose argv names `dir`, or whose root or cwd is at or below it (this process excluded). */
export function processesUsing(dir: string): number[] {
  const out: number[] = []
  const inside = (p: string) => p === dir || p.startsWith(`${dir}/`)
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8')
      if (cmd.includes(dir) || inside(readlinkSync(`/proc/${name}/root`)) || inside(readlinkSync(`/proc/${name}/cwd`))) out.push(Number(name))
    } catch {
      // exited, or a kernel thread
    }
  }
  return out
}

/** Mount points at or below dir in this mount namespace, deepest (last mounted) first. */
export function mountsAtOrBelow(dir: string): string[] {
  return mountsBelow(dir).reverse()
}

/** Detach every mount at or below dir (umount2 MNT_DETACH through umount(8)); returns what it unmounted. */
export function detachMounts(dir: string): string[] {
  const done: string[] = []
  for (const mp of mountsAtOrBelow(dir)) {
    try {
      execFileSync('umount', ['--lazy', mp], {stdio: 'ignore', timeout: 10_000})
      done.push(mp)
    } catch {
      // already gone with its parent
    }
  }
  return done
}

export interface LabelledPrune {
  /** Directories removed. */
  dirs: string[]
  /** Processes killed in them. */
  processes: number[]
  /** Mount points detached. */
  mounts: string[]
}

/**
 * Remove the labelled dirs directly under `parent` whose run is dead (all of them with `all`, but
 * never one this process labelled). `onDir` runs for each after its processes were killed (an arm's
 * own clean-up: its cgroups, and what the killed processes kept outside the dir, from their command lines).
 */
export async function pruneLabelledDirs(
  parent: string,
  opts: {all?: boolean; onDir?: (dir: string, killed: Array<{pid: number; cmd: string[]}>) => void | Promise<void>} = {},
): Promise<LabelledPrune> {
  const result: LabelledPrune = {dirs: [], processes: [], mounts: []}
  if (!existsSync(parent)) return result
  for (const name of readdirSync(parent)) {
    const dir = join(parent, name)
    if (ownedHere(dir) || (!opts.all && labelAlive(dir))) continue
    const pids = processesUsing(dir)
    const killed: Array<{pid: number; cmd: string[]}> = []
    for (const pid of pids) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
        process.kill(pid, 'SIGKILL')
        result.processes.push(pid)
        killed.push({pid, cmd})
      } catch {
        // gone
      }
    }
    if (pids.length > 0) await new Promise((r) => setTimeout(r, 100))
    await opts.onDir?.(dir, killed)
    result.mounts.push(...detachMounts(dir))
    rmSync(dir, {recursive: true, force: true})
    result.dirs.push(dir)
  }
  return result
}

function ownedHere(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as {pid?: number}).pid === process.pid
  } catch {
    return false
  }
}
