/**
 * The counter recorder: wraps an arm for one repetition of a metric and reads the attribution
 * counters (src/host/counters/) of every instance the metric starts, never inside a timed region:
 *   - at each arm.sample() call, after the arm's own reading (the cpu metric's window is between its
 *     first and last call; a `perf stat -p` session, where perf counts here, runs between them);
 *   - right before arm.stop() (what the instance did from its start: startup, scale-out, memory);
 *   - the host at the start and the end of the repetition.
 * Readiness and start are passed through untouched, so startup and scale-out timings do not move.
 * The cost of each reading is measured and recorded (read_ms), as is perf's own CPU.
 */
import type {Arm, Instance, InstanceSpec, ResourceSample} from '../../core/arm.js'
import type {SampleCounters} from '../../core/results.js'
import {hostDeltas, readyCounters, takeSnapshot, windowCounters, type InstanceSnapshot} from '../../host/counters/instance.js'
import {kvmExitAvailability, startKvmExitTrace, startPerfStat, type PerfSession} from '../../host/counters/perf.js'

interface InstanceRecord {
  startedAt: number
  guestBytes?: number
  samples: InstanceSnapshot[]
  last?: InstanceSnapshot
  perf?: PerfSession
  perfResult?: Promise<Awaited<ReturnType<PerfSession['stop']>>>
  kvm?: ReturnType<typeof startKvmExitTrace>
  kvmResult?: Promise<{reasons: {[reason: string]: number}; error?: string}>
}

export interface RecorderOptions {
  /** perf events to count beside a window (empty: none). */
  perfEvents: readonly string[]
}

export class CounterRecorder {
  private readonly records = new Map<Instance, InstanceRecord>()
  private hostBefore?: InstanceSnapshot
  private readonly vmm: boolean
  private readonly kvm: boolean

  constructor(
    private readonly arm: Arm,
    private readonly opts: RecorderOptions,
  ) {
    this.vmm = arm.kind === 'vm'
    this.kvm = this.vmm && kvmExitAvailability(arm.info().accel).available
  }

  /** The arm the metric gets: every call passes through; start, sample and stop are observed. */
  wrap(): Arm {
    const overrides: Partial<Arm> = {
      start: (spec: InstanceSpec) => this.start(spec),
      sample: (instance: Instance) => this.sample(instance),
      stop: (instance: Instance) => this.stop(instance),
    }
    return new Proxy(this.arm, {
      get: (target, prop, receiver) => {
        if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof Arm]
        const value = Reflect.get(target, prop, receiver) as unknown
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
  }

  /** Before the metric runs: the host's counters. */
  begin(): void {
    this.hostBefore = takeSnapshot([])
  }

  private async start(spec: InstanceSpec): Promise<Instance> {
    const instance = await this.arm.start(spec)
    this.records.set(instance, {
      startedAt: instance.startedAt,
      guestBytes: spec.limits.memoryMiB ? spec.limits.memoryMiB * 1024 * 1024 : undefined,
      samples: [],
    })
    return instance
  }

  private snapshot(instance: Instance, record: InstanceRecord, memory: boolean): InstanceSnapshot {
    return takeSnapshot(instance.pids(), {kind: this.vmm ? 'vmm' : 'processes', memory, guestBytes: record.guestBytes})
  }

  private async sample(instance: Instance): Promise<ResourceSample> {
    const result = await this.arm.sample(instance)
    const record = this.records.get(instance)
    if (!record) return result
    // smaps (memory parts) only at the first call: a later call may close a timed window, and its reading should be short.
    const snap = this.snapshot(instance, record, record.samples.length === 0)
    record.samples.push(snap)
    if (record.samples.length === 1) {
      const pids = instance.pids()
      if (this.opts.perfEvents.length && pids.length) record.perf = startPerfStat(pids, this.opts.perfEvents)
      if (this.kvm && pids[0] !== undefined) record.kvm = startKvmExitTrace(pids[0])
    } else {
      // The window ends here: stop the counting sessions now (their results are collected in finish()).
      if (record.perf && !record.perfResult) record.perfResult = record.perf.stop()
      if (record.kvm && !record.kvmResult) record.kvmResult = record.kvm.stop()
    }
    return result
  }

  private async stop(instance: Instance): Promise<void> {
    const record = this.records.get(instance)
    if (record) {
      record.last = this.snapshot(instance, record, this.vmm || record.samples.length === 0)
      if (record.perf && !record.perfResult) record.perfResult = record.perf.stop()
      if (record.kvm && !record.kvmResult) record.kvmResult = record.kvm.stop()
    }
    return this.arm.stop(instance)
  }

  /** After the metric: the counters of this repetition, per instance (mean over its instances); undefined if none were read. */
  async finish(): Promise<SampleCounters | undefined> {
    const hostAfter = takeSnapshot([])
    const perInstance: Array<{[name: string]: number}> = []
    let mode: SampleCounters['mode'] = 'lifetime'
    for (const record of this.records.values()) {
      const windowed = record.samples.length >= 2
      const perf = record.perfResult ? await record.perfResult : undefined
      const kvm = record.kvmResult ? await record.kvmResult : undefined
      if (windowed) {
        mode = 'window'
        const first = record.samples[0]!
        const last = record.samples.at(-1)!
        if (first.processes.length === 0) continue
        const values = windowCounters(first, last)
        Object.assign(values, first.memory)
        values.read_ms = (first.readMs + last.readMs) / 2
        if (perf && windowed) {
          for (const [event, count] of Object.entries(perf.counts)) values[event] = count
          values.perf_overhead_s = perf.overheadS
        }
        if (kvm) for (const [reason, count] of Object.entries(kvm.reasons)) values[`kvm_exit.${reason}`] = count
        perInstance.push(values)
      } else if (record.last && record.last.processes.length > 0) {
        const values = readyCounters(record.last, record.startedAt)
        Object.assign(values, record.samples[0]?.memory ?? record.last.memory)
        if (this.hostBefore) Object.assign(values, hostDeltas(this.hostBefore, hostAfter, 0))
        values.read_ms = record.last.readMs
        perInstance.push(values)
      }
    }
    if (perInstance.length === 0) return undefined
    const names = new Set(perInstance.flatMap((v) => Object.keys(v)))
    const values: {[name: string]: number} = {}
    for (const name of names) {
      const xs = perInstance.map((v) => v[name]).filter((x): x is number => x !== undefined && Number.isFinite(x))
      if (xs.length) values[name] = xs.reduce((a, b) => a + b, 0) / xs.length
    }
    // The host's other processes: busy CPU minus every instance of this repetition and isobench itself.
    if (mode === 'lifetime' && values.host_busy_s !== undefined) {
      const instancesCpu = perInstance.reduce((a, v) => a + (v.cpu_s ?? 0), 0)
      values.host_others_s = Math.max(0, values.host_busy_s - instancesCpu - (values.isobench_s ?? 0))
    }
    return {mode, instances: perInstance.length, values}
  }
}
