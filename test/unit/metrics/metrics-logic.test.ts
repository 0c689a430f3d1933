import {describe, expect, it} from 'vitest'
import {limitsFor} from '../../../src/metrics/interference/metric.js'
import {memory} from '../../../src/metrics/memory/metric.js'
import {scaleout} from '../../../src/metrics/scaleout/metric.js'
import {startup} from '../../../src/metrics/startup/metric.js'
import {fakeContext, FakeArm} from './fake-arm.js'

const MiB = 1024 * 1024
const byFigure = (drafts: Array<{figure?: string; value: number | null; error?: {code: string; message: string}}>) => new Map(drafts.map((d) => [d.figure!, d]))

describe('memory (scripted arm)', () => {
  it('sums what the arm reports per instance, reports cgroup usage where the arm has it, and stops every instance', async () => {
    const arm = new FakeArm({sample: (i) => ({pssBytes: (10 + i) * MiB, ussBytes: 8 * MiB, rssBytes: 20 * MiB, cgroupMemoryBytes: 30 * MiB})})
    const f = byFigure(await memory.measure(fakeContext(arm, memory, {n: 3, settleMs: 0})))
    expect(f.get('pss_total')!.value).toBeCloseTo(33, 9)
    expect(f.get('pss')!.value).toBeCloseTo(11, 9)
    expect(f.get('cgroup_total')!.value).toBeCloseTo(90, 9)
    expect(f.get('uss')!.value).toBeCloseTo(8, 9)
    expect(arm.stopped.size).toBe(3)
  })

  it('fails the figure (never invents it) when one instance reports nothing', async () => {
    const arm = new FakeArm({sample: (i) => ({pssBytes: i === 1 ? 0 : 10 * MiB, rssBytes: 20 * MiB})})
    const f = byFigure(await memory.measure(fakeContext(arm, memory, {n: 2, settleMs: 0})))
    expect(f.get('pss')!.value).toBeNull()
    expect(f.get('pss')!.error!.message).toContain('1 of 2 instances')
    expect(f.get('rss')!.value).toBeCloseTo(20, 9)
    expect(f.has('cgroup')).toBe(false)
  })

  it('stops the instances already started when a later one fails', async () => {
    const arm = new FakeArm({ready: (i) => (i === 2 ? Object.assign(new Error('not ready'), {code: 'not-ready'}) : 1)})
    const drafts = await memory.measure(fakeContext(arm, memory, {n: 3, settleMs: 0}))
    expect(drafts.every((d) => d.value === null && d.error?.code === 'not-ready')).toBe(true)
    expect(arm.stopped.size).toBe(3) // two that were ready, and the one that was not
  })
})

describe('scaleout (scripted arm)', () => {
  it('takes all-ready from the slowest instance and percentiles from each one', async () => {
    const arm = new FakeArm({ready: (i) => [5, 60, 10, 20][i]!})
    const f = byFigure(await scaleout.measure(fakeContext(arm, scaleout, {n: 4, mode: 'concurrent'})))
    expect(f.get('all_ready')!.value!).toBeGreaterThanOrEqual(55) // timers may fire a ms or two early
    expect(f.get('all_ready')!.value!).toBeLessThan(200)
    expect(f.get('ready_p99')!.value!).toBeGreaterThanOrEqual(55)
    expect(f.get('failures')!.value).toBe(0)
    expect(arm.stopped.size).toBe(4)
  })

  it('sequential starts add up', async () => {
    const arm = new FakeArm({ready: () => 30})
    const f = byFigure(await scaleout.measure(fakeContext(arm, scaleout, {n: 3, mode: 'sequential'})))
    expect(f.get('all_ready')!.value!).toBeGreaterThanOrEqual(85)
  })

  it('counts failed starts, fails the time figures, and stops the rest', async () => {
    const arm = new FakeArm({failStart: (i) => i === 1})
    const f = byFigure(await scaleout.measure(fakeContext(arm, scaleout, {n: 3, mode: 'concurrent'})))
    expect(f.get('failures')!.value).toBe(1)
    expect(f.get('all_ready')!.value).toBeNull()
    expect(f.get('all_ready')!.error!.message).toMatch(/^1 of 3 instances failed; first: start 1 failed/)
    expect(f.get('ready_p50')!.value).not.toBeNull() // the two that came up still have times
    expect(arm.stopped.size).toBe(2)
  })

  it('refuses VM counts whose guest RAM does not fit, and bad params, as failed samples', async () => {
    const vm = new FakeArm({kind: 'vm'})
    const f = byFigure(await scaleout.measure(fakeContext(vm, scaleout, {n: 100_000}, {memoryMiB: 1024})))
    expect(f.get('all_ready')!.error!.code).toBe('insufficient-memory')
    expect(vm.started).toHaveLength(0)
    const bad = byFigure(await scaleout.measure(fakeContext(new FakeArm(), scaleout, {n: 2, mode: 'sideways'})))
    expect(bad.get('all_ready')!.error!.code).toBe('invalid-params')
  })
})

describe('startup (scripted arm)', () => {
  it('reports phases relative to the start() call', async () => {
    const arm = new FakeArm({
      ready: () => 5,
      phases: [
        {phase: 'init', at: 1},
        {phase: 'ready', at: 2},
      ],
    })
    const [d] = await startup.measure(fakeContext(arm, startup))
    expect(d!.phases!.init).toBeGreaterThanOrEqual(1)
    expect(d!.phases!.init).toBeLessThanOrEqual(d!.phases!.ready!)
    expect(d!.value!).toBeGreaterThanOrEqual(5)
  })

  it('rejects out-of-order phases as an invalid sample', async () => {
    const arm = new FakeArm({
      phases: [
        {phase: 'init', at: 3},
        {phase: 'ready', at: 1},
      ],
    })
    const [d] = await startup.measure(fakeContext(arm, startup))
    expect(d!.value).toBeNull()
    expect(d!.error!.code).toBe('invalid-sample')
    expect(arm.stopped.size).toBe(1)
  })
})

describe('interference limits', () => {
  const base = {cpus: 1, memoryMiB: 256}
  it('none drops CPU limits, shares keeps the quota, cpuset pins the two sides apart', () => {
    expect(limitsFor({params: {isolation: 'none'}}, base, 'victim')).toEqual({cpus: undefined, cpuset: undefined, memoryMiB: 256})
    expect(limitsFor({params: {isolation: 'shares'}}, base, 'aggressor')).toEqual(base)
    expect(limitsFor({params: {isolation: 'cpuset', victimCpus: '0', aggressorCpus: '1'}}, base, 'victim').cpuset).toBe('0')
    expect(limitsFor({params: {isolation: 'cpuset', victimCpus: '0', aggressorCpus: '1'}}, base, 'aggressor').cpuset).toBe('1')
  })
})
