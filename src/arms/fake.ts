/**
 * The hidden `fake` arm: instances without any process, so the engine (runner, analysis, results
 * store) is tested end to end without a kernel, as hyperfine tests its pipeline with a mock executor.
 * Real arms are tested for real in test/integration. Scripted per instance (by start order): the
 * delay to ready or an error, a failed start, the resource sample, the phase marks. Without a script
 * every instance is ready after a deterministic 1–3 ms and never exits until stopped.
 *
 * `--arms fake` runs it; it is never a default arm and `providers` does not list it.
 */
import type {Arm, ArmKind, ArmProvider, Availability, Instance, InstanceSpec, ReadyResult, ResourceSample} from '../core/arm.js'
import {ArmError} from '../core/errors.js'

export interface FakeScript {
  kind?: ArmKind
  /** ms from start() to ready for the instance started `index`-th, or an Error waitReady rejects with. */
  ready?: (index: number) => number | Error
  /** start() of the `index`-th instance fails (ArmError 'failed'). */
  failStart?: (index: number) => boolean
  /** What sample() reports for the `index`-th instance. */
  sample?: (index: number) => ResourceSample
  /** Phase marks, in ms after start(); default: just `ready`. */
  phases?: Array<{phase: string; at: number}>
}

const MiB = 1024 * 1024

/** The default script: deterministic, cheap, plausible figures (a few ms to ready, a few MiB each). */
const DEFAULT_SCRIPT: Required<Omit<FakeScript, 'kind' | 'phases' | 'failStart'>> = {
  ready: (i) => 1 + ((i * 7) % 5) / 2,
  sample: (i) => ({rssBytes: (3 + (i % 3) / 10) * MiB, pssBytes: (2 + (i % 3) / 10) * MiB, ussBytes: MiB, cpuSeconds: 0.001 * i}),
}

export class FakeArm implements Arm {
  readonly kind: ArmKind
  /** Every instance start() was asked for, in order (undefined where start failed). */
  readonly started: Array<Instance | undefined> = []
  /** Ids of the instances stop() was called for. */
  readonly stopped = new Set<string>()

  constructor(
    private readonly script: FakeScript = {},
    readonly name = 'fake',
  ) {
    this.kind = script.kind ?? 'fake'
  }

  async available(): Promise<Availability> {
    return {ok: true, reason: 'no processes: a test double for the engine'}
  }

  async prepare(): Promise<void> {}

  info() {
    return {name: this.name, kind: this.kind, accel: 'none' as const, versions: {}}
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const index = this.started.length
    if (this.script.failStart?.(index)) {
      this.started.push(undefined)
      throw new ArmError(`start ${index} failed (scripted, ${spec.id})`, 'failed')
    }
    let exit: (r: {code: number | null; signal: string | null}) => void = () => {}
    const instance: Instance & {index?: number} = {
      id: spec.id,
      spec,
      startedAt: performance.now(),
      pids: () => [],
      marks: [],
      output: () => '',
      exited: new Promise((resolve) => (exit = resolve)),
    }
    exits.set(instance, exit)
    indexes.set(instance, index)
    this.started.push(instance)
    return instance
  }

  async waitReady(instance: Instance): Promise<ReadyResult> {
    const r = (this.script.ready ?? DEFAULT_SCRIPT.ready)(this.index(instance))
    if (r instanceof Error) throw r
    await new Promise((resolve) => setTimeout(resolve, r))
    const readyAt = performance.now()
    const phases = this.script.phases?.map((p) => ({phase: p.phase, at: instance.startedAt + p.at})) ?? [{phase: 'ready', at: readyAt}]
    instance.marks.push(...phases)
    return {readyAt, phases}
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    return (this.script.sample ?? DEFAULT_SCRIPT.sample)(this.index(instance))
  }

  async stop(instance: Instance): Promise<void> {
    this.stopped.add(instance.id)
    exits.get(instance)?.({code: null, signal: 'SIGKILL'})
  }

  async cleanup(): Promise<void> {}

  private index(instance: Instance): number {
    const i = indexes.get(instance)
    if (i === undefined) throw new ArmError(`${instance.id} was not started by the ${this.name} arm`, 'failed')
    return i
  }
}

const exits = new WeakMap<Instance, (r: {code: number | null; signal: string | null}) => void>()
const indexes = new WeakMap<Instance, number>()

export const fakeProvider: ArmProvider = {
  name: 'fake',
  kind: 'fake',
  description: 'instances without processes, for tests of the engine (hidden)',
  hidden: true,
  create: () => new FakeArm(),
}
