/** Host processes: spawning instance processes (own process group, piped output, killed as a whole tree), and signalling pids we recorded. */
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, openSync, readFileSync} from 'node:fs'
import {execa, type ResultPromise} from 'execa'

export type InstanceProcess = ResultPromise<{detached: true; buffer: false; reject: false}>

/**
 * Spawn argv in its own process group (detached) with stdout/stderr piped and stdin closed; `go`: a
 * pipe on fd 3 too (child.stdio[3]), for a launcher that holds the start until it is written to.
 * With `go` the child is isobench-launch, which makes its own process group in this session: not
 * detached (setsid), which would start it in a new sched autogroup (launch.c says what that cost).
 */
export function spawnInstanceProcess(argv: string[], opts: {env?: Record<string, string>; cwd?: string; go?: boolean} = {}): InstanceProcess {
  const [file, ...args] = argv
  return execa(file!, args, {
    detached: !opts.go,
    buffer: false,
    reject: false,
    stdio: ['ignore', 'pipe', 'pipe', ...(opts.go ? (['pipe'] as const) : [])],
    env: opts.env,
    cwd: opts.cwd,
    cleanup: true,
  }) as InstanceProcess
}

/**
 * SIGKILL to the process group a detached child leads (the leader and whatever it started that stayed
 * in the group), without waiting; nothing when it has no pid or the group is gone. `whileRunning`:
 * only while the leader has not exited (once it is reaped, its pid, the group's id, can be reused).
 */
export function killGroup(child: {pid?: number; exitCode: number | null; signalCode: string | null}, opts: {whileRunning?: boolean} = {}): void {
  if (!child.pid) return
  if (opts.whileRunning && (child.exitCode !== null || child.signalCode !== null)) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // gone
  }
}

/** SIGKILL the whole process group, then wait for the leader to be reaped. */
export async function stopProcessGroup(
  child: {pid?: number; exitCode: number | null; signalCode: string | null; then: PromiseLike<unknown>['then']},
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (child.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // already gone — or isobench-launch has not made its process group yet (it does first thing): the leader alone
      try {
        process.kill(child.pid, signal)
      } catch {
        // gone
      }
    }
  } else if (child.pid) {
    // The leader exited; its group may still have members.
    try {
      process.kill(-child.pid, signal)
    } catch {
      // group empty
    }
  }
  await Promise.resolve(child).catch(() => {})
}

/**
 * Stop an instance started under isobench-launch: SIGTERM to the launcher, which SIGKILLs the
 * workload's whole subtree (also what left its process group) and exits; if it has not exited
 * within `graceMs`, SIGKILL its process group. Resolves when the launcher has been reaped.
 */
export async function stopLaunchedProcess(
  child: {pid?: number; exitCode: number | null; signalCode: string | null; then: PromiseLike<unknown>['then']},
  graceMs = 2000,
): Promise<void> {
  if (!child.pid) return
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGTERM')
    } catch {
      // gone
    }
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))
    await Promise.race([Promise.resolve(child).catch(() => {}), late])
    clearTimeout(timer)
  }
  await stopProcessGroup(child)
}

/**
 * SIGKILL `pid`; with `mustRun`, only if its command line still contains that text (a pid read from
 * a state file may have been recycled by an unrelated process). True when the signal was sent.
 */
export function killIfRunning(pid: number | undefined | null, mustRun?: string): boolean {
  if (!pid) return false
  if (mustRun) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mustRun)) return false
    } catch {
      return false
    }
  }
  try {
    process.kill(pid, 'SIGKILL')
    return true
  } catch {
    return false
  }
}

/** Does a process with this pid exist (kill(pid, 0): EPERM means it exists but is not ours)? 0 is no pid. */
export function pidAlive(pid: number): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** How long an exited child's output pipes may stay open (a stray holder of the write end) before its end is reported anyway. */
export const OUTPUT_DRAIN_MS = 1000

/**
 * When a child process ends: its exit code and signal; a child that could not be spawned ends with
 * code null. It has ended once it has exited AND its piped output has been read to the end: Node
 * may emit 'exit' before the last bytes of a pipe are read ('close' comes after both), and a caller
 * that takes 'exit' for the end loses what the child wrote last — an instance that printed its ready
 * marker and exited at once looked as if it had exited before being ready. If something else keeps
 * the pipes open, the end is reported OUTPUT_DRAIN_MS after the exit.
 */
export function childExit(child: ChildProcess, drainMs = OUTPUT_DRAIN_MS): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const done = (r: {code: number | null; signal: NodeJS.Signals | null}) => {
      clearTimeout(timer)
      resolve(r)
    }
    child.once('close', (code, signal) => done({code, signal}))
    child.once('exit', (code, signal) => {
      timer = setTimeout(() => done({code, signal}), drainMs)
      timer.unref()
    })
    child.once('error', () => done({code: null, signal: null}))
  })
}

/** Error messages quote at most this many bytes of a subprocess's stderr (never its binary stdout). */
export const MAX_QUOTED_OUTPUT = 4096

/** The first `max` bytes of a text, with a note of how much was left out. */
export function capText(text: string, max = MAX_QUOTED_OUTPUT): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more bytes]` : text
}

/**
 * Run argv with its stdout written straight into `outFile` (an artefact: a cpio archive, a
 * compressed image), never through this process's memory, and stdin closed. Rejects when it fails,
 * quoting at most MAX_QUOTED_OUTPUT bytes of its stderr.
 */
export async function spawnToFile(argv: string[], outFile: string, opts: {cwd?: string} = {}): Promise<void> {
  const fd = openSync(outFile, 'w')
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {cwd: opts.cwd, stdio: ['ignore', fd, 'pipe']})
      let err = ''
      child.stderr!.setEncoding('utf8')
      child.stderr!.on('data', (c: string) => {
        if (err.length <= MAX_QUOTED_OUTPUT) err += c
      })
      child.once('error', reject)
      child.once('close', (code, signal) => {
        if (code === 0) resolve()
        else reject(new Error(`${argv.slice(0, 3).join(' ')} failed (${signal ?? `exit ${code}`})${err.trim() ? `: ${capText(err.trim())}` : ''}`))
      })
    })
  } finally {
    closeSync(fd)
  }
}
