/** A MeasureContext around the fake arm (src/arms/fake.ts), for the metrics' pure logic (real arms are tested in test/integration). */
import type {Arm, InstanceSpec} from '../../../src/core/arm.js'
export {FakeArm} from '../../../src/arms/fake.js'
import {silentLogger} from '../../../src/core/log.js'
import type {MeasureContext, Metric} from '../../../src/metrics/metric.js'
import type {WorkloadProfile} from '../../../src/workloads/profile.js'

const idle: WorkloadProfile = {name: 'idle', version: 1, description: '', argv: ['sleep', '1'], ready: {kind: 'marker'}, figures: []}

export function fakeContext(
  arm: Arm,
  metric: Metric,
  params: Record<string, string | number | boolean> = {},
  limits: InstanceSpec['limits'] = {},
): MeasureContext {
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
