/**
 * Command lines for isobench-launch (launch.c), the program every arm starts its instances under,
 * and the harness floor it sets. Two modes:
 *   fork  the launcher stays the instance's parent (the process arm: pdeathsig, subreaper, the run's
 *         cgroup, placement) and stamps its reaping too
 *   exec  it execs the instance's program in its own place, same pid (a container runtime, an OCI
 *         runtime's wrapper, qemu), with a relay process of its own for the output
 * With `timed`, CLOCK_MONOTONIC is read right before the clone/execve that starts the instance and
 * each readiness marker is stamped on arrival (relay.h): attach the output as a stamped MarkerStream.
 */
import {spawn} from 'node:child_process'
import {ensureLauncher} from './build.js'

export interface LaunchOptions {
  mode: 'fork' | 'exec'
  timed: boolean
  /** Cgroups to join before forking (fork mode). */
  cgroups?: string[]
  /** CPUs to pin to (sched_setaffinity), "0" or "0-1,3". */
  cpus?: string
  /** PHASE → text: a phase stamped at the first output line containing the text (a VM's kernel banner). */
  marks?: Record<string, string>
  /** PHASE → absolute path: a phase stamped when the file appears (an OCI runtime's state file). */
  onCreate?: Record<string, string>
  /** PHASE → absolute path: a phase stamped when the file goes. */
  onDelete?: Record<string, string>
  /** Keep the output back until this marker (ready) has passed, so isobench is not woken in the measured span. */
  holdUntil?: string
  /** The fd the launcher waits on before the start (GO_FD: spawn with a 4th stdio pipe and call releaseStart). */
  goFd?: number
}

/** The fd of the launcher's go pipe: stdio index 3 of the spawn. */
export const GO_FD = 3

/**
 * Release a start held by --go-fd once this process is idle: on the next turn of the event loop,
 * after the spawn's own bookkeeping and the caller's continuation, so that node's work on the spawn
 * does not compete with the instance for the CPUs inside the timed region.
 */
export function releaseStart(go: NodeJS.WritableStream | null | undefined): void {
  if (!go) return
  setImmediate(() => {
    try {
      go.end('1')
    } catch {
      // the launcher is gone; it needs no release
    }
  })
}

/** The argv that runs `argv` under isobench-launch (built on first use), tied to this process. */
export async function launchArgv(argv: string[], o: LaunchOptions): Promise<string[]> {
  const a = [await ensureLauncher(), '--parent', String(process.pid)]
  if (o.mode === 'exec') a.push('--exec')
  if (o.timed) a.push('--timed')
  for (const dir of o.cgroups ?? []) a.push('--cgroup', dir)
  if (o.cpus) a.push('--cpus', o.cpus)
  if (o.goFd !== undefined) a.push('--go-fd', String(o.goFd))
  if (o.holdUntil) a.push('--hold-until', o.holdUntil)
  for (const [phase, text] of Object.entries(o.marks ?? {})) a.push('--mark', `${phase}=${text}`)
  for (const [phase, path] of Object.entries(o.onCreate ?? {})) a.push('--on-create', `${phase}=${path}`)
  for (const [phase, path] of Object.entries(o.onDelete ?? {})) a.push('--on-delete', `${phase}=${path}`)
  return [...a, '--', ...argv]
}

/**
 * The harness floor: isobench-launch starting /bin/true and reaping it (fork mode, timed), in ms on
 * the kernel's clock — the least any instance start can measure here. The start is held on the go
 * fd until this process is idle, as an instance's is (without it node's spawn work competes with
 * the launcher: a median of 5.3 ms against 1.9 ms here under load 12). Throws when the launcher
 * reports no spawn or reaping.
 */
export async function harnessFloorMs(): Promise<number> {
  const argv = await launchArgv(['/bin/true'], {mode: 'fork', timed: true, goFd: GO_FD})
  const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)))
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  const closed = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code))
    child.on('error', () => resolve(null))
  })
  releaseStart(child.stdio[GO_FD] as NodeJS.WritableStream)
  const code = await closed
  clearTimeout(timer)
  const at = (phase: string) => {
    const m = new RegExp(`^ISOBENCH@(\\d+) ${phase}\\b`, 'm').exec(out)
    return m ? BigInt(m[1]!) : null
  }
  const spawned = at('spawn')
  const reaped = at('reaped')
  if (code !== 0 || spawned === null || reaped === null)
    throw new Error(`isobench-launch → /bin/true gave no spawn/reaped marks (exit ${code}): ${(err || out).slice(0, 500)}`)
  return Number(reaped - spawned) / 1e6
}
