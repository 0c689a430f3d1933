/**
 * A daemon this process starts and owns (containerd, dockerd): spawned detached with its output in
 * a log file, ready when a probe says so, stopped by its pid (SIGTERM, then SIGKILL after a grace
 * period). Nothing here matches processes by name: only the pid we started is ever signalled.
 */
import {spawn} from 'node:child_process'
import {closeSync, existsSync, openSync, readFileSync} from 'node:fs'
import {ArmError} from '../../core/errors.js'

export interface DaemonSpec {
  name: string
  argv: string[]
  /** stdout and stderr go here (appended). */
  logFile: string
  /** Resolves true once the daemon serves (e.g. its socket answers). */
  ready: () => Promise<boolean>
  /** Give up after this long (ms). */
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

export interface Daemon {
  name: string
  pid: number
  logFile: string
  /** SIGTERM, wait up to graceMs, then SIGKILL; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Is pid alive (not a zombie)? */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** The last few KB of a log, for an error message. */
export function tail(file: string, bytes = 2000): string {
  if (!existsSync(file)) return ''
  const t = readFileSync(file, 'utf8')
  return t.slice(-bytes).trim()
}

/**
 * Start a daemon and wait until it is ready. Errors (exit before ready, timeout) are ArmErrors
 * quoting the end of its log; a daemon that timed out is stopped first.
 */
export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  const fd = openSync(spec.logFile, 'a')
  const child = spawn(spec.argv[0]!, spec.argv.slice(1), {detached: true, stdio: ['ignore', fd, fd], env: spec.env ?? process.env})
  closeSync(fd)
  let exited: number | null = null
  child.once('exit', (code, signal) => (exited = code ?? (signal ? 128 : 1)))
  child.once('error', () => (exited = 127))
  child.unref()
  const pid = child.pid ?? -1
  const daemon: Daemon = {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    async stop(graceMs = 10_000) {
      if (pid <= 0) return
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        return
      }
      const until = Date.now() + graceMs
      while (alive(pid) && Date.now() < until) await sleep(50)
      if (alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone
        }
        while (alive(pid)) await sleep(20)
      }
    },
  }
  const deadline = Date.now() + (spec.timeoutMs ?? 30_000)
  for (;;) {
    if (exited !== null) throw new ArmError(`${spec.name} exited (${exited}) before it was ready: ${tail(spec.logFile)}`, 'crashed')
    if (await spec.ready().catch(() => false)) return daemon
    if (Date.now() > deadline) {
      await daemon.stop(2000)
      throw new ArmError(`${spec.name} was not ready after ${spec.timeoutMs ?? 30_000} ms: ${tail(spec.logFile)}`, 'not-ready')
    }
    await sleep(100)
  }
}
