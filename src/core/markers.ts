/**
 * The one readiness protocol: the instance's init writes `ISOBENCH <phase> <name>` lines on one
 * channel (an inherited pipe, or the VM's serial port). Each line is timestamped on arrival with the
 * host's monotonic clock; everything else is kept as bounded workload output.
 *
 * Where the instance runs under isobench-launch, its relay (src/runtime/native/relay.h) has already
 * stamped each marker with the kernel's CLOCK_MONOTONIC on arrival (`ISOBENCH@<ns> <phase> …`) and
 * added `ISOBENCH@<ns> spawn <pid>` (right before the instance's clone/execve) and `reaped
 * <status>`; such a stream is attached with `stamped: true` and those times are used, converted to
 * performance.now() (the same clock). Stamps on a stream not attached as stamped are output.
 *
 * One phase is no point on the timeline: `ISOBENCH fact <key> <value…>` reports a fact about the
 * instance as seen from inside (kernel, cmdline, clocksource, cgroup limits in force; the facts probe
 * in src/engine/provenance/ prints them). Facts are kept apart (MarkerStream.facts), never as marks.
 */
import {EventEmitter} from 'node:events'
import type {Readable} from 'node:stream'
import type {PhaseMark} from './arm.js'

export const MARKER_PREFIX = 'ISOBENCH '
/** A marker stamped by the launcher's relay: `ISOBENCH@<CLOCK_MONOTONIC ns> <phase> …`. */
const STAMPED = /ISOBENCH@(\d{1,20}) /

let monotonicOffsetMs: number | null = null

/**
 * performance.now() (ms) of a CLOCK_MONOTONIC reading in ns: node's performance.now() and
 * process.hrtime are libuv's uv_hrtime, CLOCK_MONOTONIC, so the two differ by a constant (read once,
 * the smallest of a few back-to-back readings: its error is below a microsecond).
 */
export function monotonicNsToMs(ns: bigint): number {
  if (monotonicOffsetMs === null) {
    let best = Number.POSITIVE_INFINITY
    for (let i = 0; i < 5; i++) {
      const before = performance.now()
      const mono = Number(process.hrtime.bigint()) / 1e6
      const after = performance.now()
      if (after - before < best) {
        best = after - before
        monotonicOffsetMs = mono - (before + after) / 2
      }
    }
  }
  return Number(ns) / 1e6 - monotonicOffsetMs!
}

/**
 * The phases of a container's start its runtime reports as markers, in order (namespaces created,
 * rootfs mounted, pivot_root done, exec of the workload). The C side names them in
 * src/runtime/native/phases.h (a unit test keeps the two equal): every runtime isobench drives
 * reports these, before the init's own `init` and `ready`.
 */
export const RUNTIME_PHASES = ['namespaces', 'rootfs', 'pivot_root', 'exec'] as const

/**
 * The phases an OCI runtime (runc, crun) gives of a start, from the state files it writes: `created`
 * (namespaces, cgroups, rootfs and pivot_root done; the init waits to be started) and `started` (the
 * init released to exec the workload). They are what these runtimes report during `run`; the launcher
 * stamps them from inotify (src/runtime/oci/runtimes.ts says which file is which).
 */
export const OCI_PHASES = ['created', 'started'] as const

/** Marks the launcher adds around an instance: `spawn` (CLOCK_MONOTONIC right before the clone/execve that starts it) and `reaped`. */
export const LAUNCH_PHASES = {spawn: 'spawn', reaped: 'reaped'} as const
const MAX_OUTPUT = 256 * 1024
/** Output lines kept with their arrival time, for readiness by log line (the first lines matter most: startup). */
const MAX_TIMED_LINES = 4096
/** The phase name of a fact line, and the bounds a hostile instance cannot exceed. */
export const FACT_PHASE = 'fact'
const MAX_FACTS = 256
const MAX_FACT_VALUE = 2048

export class MarkerStream extends EventEmitter {
  readonly marks: PhaseMark[] = []
  /** `ISOBENCH fact <key> <value>` lines: key → value (at most MAX_FACTS keys, values capped). */
  readonly facts: Record<string, string> = Object.create(null) as Record<string, string>
  /** performance.now() of the first byte of any output (for the VM: first kernel output). */
  firstOutputAt: number | null = null
  private out = ''
  private truncated = false
  private lastExitCode: number | null = null
  /** The first MAX_TIMED_LINES output lines (markers removed) with their arrival times. */
  private readonly timedLines: Array<{text: string; at: number}> = []

  /**
   * Attach a stream; several streams (stdout, stderr) may feed one MarkerStream. `stamped`: the
   * stream comes through isobench-launch's relay, whose marker times are the ones to use.
   */
  attach(stream: Readable, opts: {markers?: boolean; stamped?: boolean} = {}): this {
    const markers = opts.markers ?? true
    const stamped = opts.stamped ?? false
    let pending = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const at = performance.now()
      if (this.firstOutputAt === null) this.firstOutputAt = at
      pending += chunk
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '')
        pending = pending.slice(nl + 1)
        this.line(line, at, markers, stamped)
      }
    })
    stream.on('end', () => {
      if (pending) this.line(pending, performance.now(), markers, stamped)
      pending = ''
    })
    return this
  }

  /** Feed one complete line observed at `at` (exposed for arms that read a socket themselves); `stamped`: see attach(). */
  line(line: string, at: number, markers = true, stamped = false): void {
    // Markers may follow other text on a serial console line (kernel printk interleaving).
    let idx = markers ? line.indexOf(MARKER_PREFIX) : -1
    let skip = MARKER_PREFIX.length
    const stamp = markers && stamped ? STAMPED.exec(line) : null
    if (stamp && (idx < 0 || stamp.index < idx)) {
      idx = stamp.index
      skip = stamp[0].length
      at = monotonicNsToMs(BigInt(stamp[1]!))
    }
    if (idx >= 0) {
      const [phase, ...rest] = line
        .slice(idx + skip)
        .trim()
        .split(/\s+/)
      if (phase === FACT_PHASE) {
        const key = rest[0]
        if (key && /^[A-Za-z0-9_.:-]{1,64}$/.test(key) && (key in this.facts || Object.keys(this.facts).length < MAX_FACTS))
          this.facts[key] = rest.slice(1).join(' ').slice(0, MAX_FACT_VALUE)
        if (idx === 0) return
        line = line.slice(0, idx)
      } else if (phase) {
        const mark: PhaseMark = {phase, at}
        if (phase === 'exit') {
          this.lastExitCode = Number(rest[0])
          if (Number.isInteger(this.lastExitCode)) mark.code = this.lastExitCode
        }
        this.marks.push(mark)
        this.emit('mark', mark, rest.join(' '))
        if (idx === 0) return
        line = line.slice(0, idx)
      }
    }
    this.append(line + '\n')
    if (this.timedLines.length < MAX_TIMED_LINES) this.timedLines.push({text: line, at})
    this.emit('output', line, at)
  }

  private append(text: string): void {
    this.out += text
    if (this.out.length > MAX_OUTPUT) {
      this.out = this.out.slice(this.out.length - MAX_OUTPUT)
      this.truncated = true
    }
  }

  output(): string {
    return (this.truncated ? '[…output truncated…]\n' : '') + this.out
  }

  /** The last `n` lines of output, for failure reports. */
  tail(n = 20): string {
    return this.out
      .split('\n')
      .slice(-n - 1)
      .join('\n')
  }

  /** The workload's exit code from the init's `ISOBENCH exit <code>` marker, if it came. */
  exitCode(): number | null {
    return this.lastExitCode
  }

  /**
   * Wait until an output line (stdout or stderr, markers removed) contains `text`; resolves with the
   * line's arrival time on the host clock, or rejects at the deadline or when `abort` settles.
   */
  waitForText(text: string, timeoutMs: number, abort?: Promise<unknown>): Promise<number> {
    const seen = this.timedLines.find((l) => l.text.includes(text))
    if (seen) return Promise.resolve(seen.at)
    return this.awaitEvent('output', (line: string, at: number) => (line.includes(text) ? at : undefined), timeoutMs, abort, {
      timeout: `no output line containing ${JSON.stringify(text)} within ${timeoutMs} ms`,
      exited: `instance exited before an output line contained ${JSON.stringify(text)}`,
    })
  }

  /** Wait until a marker with this phase arrives (resolves with it), or reject at the deadline. */
  waitFor(phase: string, timeoutMs: number, abort?: Promise<unknown>): Promise<PhaseMark> {
    const seen = this.marks.find((m) => m.phase === phase)
    if (seen) return Promise.resolve(seen)
    return this.awaitEvent('mark', (mark: PhaseMark) => (mark.phase === phase ? mark : undefined), timeoutMs, abort, {
      timeout: `no "${phase}" marker within ${timeoutMs} ms`,
      exited: `instance exited before the "${phase}" marker`,
    })
  }

  /**
   * The first `event` whose arguments `pick` turns into a value (resolves with it); rejects with
   * `errors.timeout` after timeoutMs, or with `errors.exited` when abort settles first (the instance
   * exited). The listener and the timer are gone once it settles.
   */
  private awaitEvent<A extends unknown[], R>(
    event: 'output' | 'mark',
    pick: (...args: A) => R | undefined,
    timeoutMs: number,
    abort: Promise<unknown> | undefined,
    errors: {timeout: string; exited: string},
  ): Promise<R> {
    return new Promise((resolve, reject) => {
      const listener = (...args: A) => {
        const value = pick(...args)
        if (value === undefined) return
        done()
        resolve(value)
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(errors.timeout))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        this.off(event, listener)
      }
      this.on(event, listener)
      abort?.then(
        () => {
          done()
          reject(new Error(errors.exited))
        },
        () => {},
      )
    })
  }
}
