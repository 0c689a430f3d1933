/**
 * Building blocks the metrics share: start and await one instance, run a finite workload to its
 * end and parse its figures, stop a set of instances whatever happened, sleep with abort.
 */
import {readFile} from 'node:fs/promises'
import type {Arm, Instance, InstanceSpec, ReadyResult} from '../core/arm.js'
import type {WorkloadProfile} from '../workloads/profile.js'
import type {SampleDraft} from './metric.js'

export interface Started {
  instance: Instance
  ready: ReadyResult
  /** performance.now() right before arm.start() was called. */
  t0: number
}

/** Start and wait ready; on a readiness failure the instance is stopped before rethrowing. */
export async function startReady(arm: Arm, spec: InstanceSpec): Promise<Started> {
  const t0 = performance.now()
  const instance = await arm.start(spec)
  try {
    return {instance, ready: await arm.waitReady(instance), t0}
  } catch (error) {
    await arm.stop(instance).catch(() => {})
    throw error
  }
}

export async function stopAll(arm: Arm, instances: readonly Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => arm.stop(i).catch(() => {})))
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })
}

/** true once the instance's workload finished: its `ISOBENCH exit` marker, or the instance exited. */
export function watchExit(instance: Instance): {readonly done: boolean; wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean>} {
  let exited = false
  void instance.exited.then(() => (exited = true))
  const done = () => exited || instance.marks.some((m) => m.phase === 'exit')
  return {
    get done() {
      return done()
    },
    async wait(timeoutMs, signal) {
      const deadline = performance.now() + timeoutMs
      while (!done() && performance.now() < deadline && !signal?.aborted) await sleep(25, signal)
      return done()
    },
  }
}

/** The workload's exit code from the init's `ISOBENCH exit <code>` mark, or undefined before it exits. */
export function workloadExitCode(instance: Pick<Instance, 'marks'>): number | undefined {
  return instance.marks.find((m) => m.phase === 'exit')?.code
}

/** When a finished workload became ready and when its init reported the exit, on the host clock (for `from: exit-time` figures). */
export interface RunTiming {
  readyAt?: number
  exitAt?: number
}

/** The host-clock times of a finished instance: its readiness and its `ISOBENCH exit` mark. */
export function runTiming(instance: Pick<Instance, 'marks'>, readyAt?: number): RunTiming {
  return {readyAt, exitAt: instance.marks.find((m) => m.phase === 'exit')?.at}
}

/**
 * Parse a finished workload's output into drafts, one per figure the profile declares. A workload
 * that exited non-zero, or whose output the parser rejects, gives failed drafts carrying the tail
 * of its output (stderr included) — never a number. `from: exit-time` figures are ready → exit on the
 * host clock (`timing`); a regex that does not match, or a parser key absent, fails that figure.
 */
export function parseFigures(profile: WorkloadProfile, output: string, params?: SampleDraft['params'], exitCode?: number, timing?: RunTiming): SampleDraft[] {
  if (profile.figures.length === 0) return []
  const failAll = (code: string, message: string) => failedFigures(profile, code, message, output, params)
  if (exitCode !== undefined && exitCode !== 0) return failAll('workload-failed', `workload ${profile.name} exited with code ${exitCode}`)
  let figures: Record<string, number> = {}
  try {
    if (profile.parse) figures = profile.parse(output)
  } catch (error) {
    return failAll('parse-error', `workload ${profile.name}: ${(error as Error).message}`)
  }
  return profile.figures.map((f) => {
    let value = figures[f.name]
    if (f.from === 'exit-time' && timing?.readyAt !== undefined && timing.exitAt !== undefined) value = timing.exitAt - timing.readyAt
    if (value !== undefined && Number.isFinite(value) && !(f.from === 'exit-time' && value < 0))
      return {figure: f.name, unit: f.unit, direction: f.direction, value, params}
    const why =
      f.regex !== undefined
        ? `regex ${JSON.stringify(f.regex)} did not match the output of workload ${profile.name}`
        : f.from === 'exit-time'
          ? `workload ${profile.name}: no ready and exit times for exit-time${value !== undefined ? ` (exit before ready: ${value.toFixed(3)} ms)` : ''}`
          : `workload ${profile.name} output has no figure ${f.name}${f.key !== undefined ? ` (parser key ${JSON.stringify(f.key)})` : ''}`
    return {
      figure: f.name,
      unit: f.unit,
      direction: f.direction,
      value: null,
      params,
      error: {code: 'parse-error', message: why, lastOutput: output.slice(-2000)},
    }
  })
}

/** One failed draft per figure the profile declares, carrying the tail of the output. */
export function failedFigures(profile: WorkloadProfile, code: string, message: string, output: string, params?: SampleDraft['params']): SampleDraft[] {
  return profile.figures.map((f) => ({
    figure: f.name,
    unit: f.unit,
    direction: f.direction,
    value: null,
    params,
    error: {code, message, lastOutput: output.slice(-2000)},
  }))
}

/** Run a finite workload to its end (or the deadline) and return its parsed figures; always stops it. */
export async function runToCompletion(
  arm: Arm,
  spec: InstanceSpec,
  profile: WorkloadProfile,
  timeoutMs: number,
  signal?: AbortSignal,
  params?: SampleDraft['params'],
): Promise<SampleDraft[]> {
  const {instance, ready} = await startReady(arm, spec)
  try {
    const finished = await watchExit(instance).wait(timeoutMs, signal)
    if (!finished) throw Object.assign(new Error(`workload ${profile.name} did not finish within ${(timeoutMs / 1000).toFixed(0)} s`), {code: 'timeout'})
    await sleep(20) // let the last output lines arrive
    const code = workloadExitCode(instance)
    const drafts = parseFigures(profile, instance.output(), params, code, runTiming(instance, ready.readyAt))
    if (code === undefined || code === 0) return drafts
    // A failed workload: say whether the OOM killer did it (the instance ends just after its exit mark).
    const status = await Promise.race([instance.exited, sleep(2000).then(() => null)])
    return status?.oomKilled
      ? drafts.map((d) => (d.error ? {...d, error: {...d.error, message: `${d.error.message} (OOM-killed: the memory limit)`}} : d))
      : drafts
  } finally {
    await arm.stop(instance).catch(() => {})
  }
}

/** MemAvailable from /proc/meminfo in MiB. */
export async function memAvailableMiB(): Promise<number> {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(await readFile('/proc/meminfo', 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}
