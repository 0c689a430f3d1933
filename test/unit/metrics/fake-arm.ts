/** A scripted in-memory arm for the metrics' pure logic (real arms are tested in test/integration). */
import type {Arm, Instance, InstanceSpec, ResourceSample} from '../../../src/core/arm.js'
import {silentLogger} from '../../../src/core/log.js'
import type {MeasureContext, Metric} from '../../../src/metrics/metric.js'
import type {WorkloadProfile} from '../../../src/workloads/profile.js'

export interface Script {
  kind?: string
  /** Ready delay per started instance (ms), or an Error to reject waitReady / start with. */
  ready?: (index: number) => number | Error
  failStart?: (index: number) => boolean
  sample?: (index: number) => ResourceSample
  phases?: Array<{phase: string; at: number}>
}

export class FakeArm implements Arm {
  readonly name = 'fake'
  readonly kind: string
  started: Instance[] = []
  stopped = new Set<string>()
  constructor(private readonly script: Script = {}) {
    this.kind = script.kind ?? 'container'
  }
  async available() {
    return {ok: true}
  }
  async prepare() {}
  info() {
    return {name: this.name, kind: this.kind, accel: 'none' as const, versions: {}}
  }
  async start(spec: InstanceSpec): Promise<Instance> {
    const index = this.started.length
    if (this.script.failStart?.(index)) {
      this.started.push(undefined as unknown as Instance)
      throw Object.assign(new Error(`start ${index} failed`), {code: 'failed'})
    }
    const instance: Instance = {id: spec.id, spec, startedAt: performance.now(), pids: () => [], marks: [], output: () => '', exited: new Promise(() => {})}
    ;(instance as Instance & {index: number}).index = index
    this.started.push(instance)
    return instance
  }
  async waitReady(instance: Instance) {
    const index = (instance as Instance & {index: number}).index
    const r = this.script.ready?.(index) ?? 1
    if (r instanceof Error) throw r
    await new Promise((res) => setTimeout(res, r))
    const now = performance.now()
    return {readyAt: now, phases: this.script.phases?.map((p) => ({phase: p.phase, at: instance.startedAt + p.at})) ?? [{phase: 'ready', at: now}]}
  }
  async sample(instance: Instance) {
    return this.script.sample?.((instance as Instance & {index: number}).index) ?? {}
  }
  async stop(instance: Instance) {
    this.stopped.add(instance.id)
  }
  async cleanup() {}
}

const idle: WorkloadProfile = {name: 'idle', version: 1, description: '', argv: ['sleep', '1'], ready: {kind: 'marker'}, figures: []}

export function fakeContext(arm: Arm, metric: Metric, params: Record<string, string | number | boolean> = {}, limits: InstanceSpec['limits'] = {}): MeasureContext {
  let n = 0
  const workload = {name: 'idle', argv: idle.argv, ready: idle.ready}
  return {
    arm,
    workload,
    profile: idle,
    params: {...metric.defaults, ...params},
    log: silentLogger,
    warmup: false,
    signal: new AbortController().signal,
    instanceSpec: (o) => ({id: `fake-${++n}`, workload, limits, network: 'none', readyTimeoutMs: 1000, ...o}),
  }
}
