import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cpu} from '../../../src/metrics/cpu/metric.js'
import {interference} from '../../../src/metrics/interference/metric.js'
import {memory} from '../../../src/metrics/memory/metric.js'
import {scaleout} from '../../../src/metrics/scaleout/metric.js'
import {startup} from '../../../src/metrics/startup/metric.js'
import {livePids, ProcessArmHarness} from './context.js'

const h = new ProcessArmHarness()
beforeAll(() => h.arm.prepare())
afterAll(async () => {
  await h.close()
  expect(await livePids('stress-ng')).toEqual([])
})

const byFigure = (drafts: Array<{figure?: string}>) => new Map(drafts.map((d) => [d.figure, d as {value: number | null; unit: string; error?: {code: string}}]))

describe('metrics on the real process arm', () => {
  it('startup: warm, and cold with the page cache dropped (root) — or a failed sample naming why', async () => {
    const [warm, floor] = await startup.measure(h.context(startup, 'idle'))
    expect(warm!.value!).toBeGreaterThan(0)
    expect(warm!.phases!.init).toBeLessThanOrEqual(warm!.phases!.ready!)
    // The harness floor (launcher → /bin/true → reaped) is taken beside each sample.
    expect(floor!.figure).toBe('harness_floor')
    expect(floor!.value!).toBeGreaterThan(0)
    const [cold] = await startup.measure(h.context(startup, 'idle', {cache: 'cold'}))
    if (process.getuid?.() === 0) expect(cold!.value!).toBeGreaterThan(0)
    else expect(cold!.error!.code).toBe('cold-cache-unavailable')
  })

  it('scaleout: n concurrent and sequential instances, all ready, no failures, rate consistent with time', async () => {
    for (const mode of ['concurrent', 'sequential']) {
      const f = byFigure(await scaleout.measure(h.context(scaleout, 'idle', {n: 4, mode})))
      expect(f.get('failures')!.value).toBe(0)
      const all = f.get('all_ready')!.value!
      expect(all).toBeGreaterThan(0)
      expect(f.get('rate')!.value!).toBeCloseTo(4 / (all / 1000), 6)
      expect(f.get('ready_p50')!.value!).toBeLessThanOrEqual(f.get('ready_p99')!.value!)
      expect(f.get('ready_p99')!.value!).toBeLessThanOrEqual(all + 1e-6)
    }
    expect(await livePids('/runs/test')).toEqual([]) // every instance stopped
  })

  it('scaleout: counts failures instead of inventing a time', async () => {
    const ctx = h.context(scaleout, 'idle', {n: 2, mode: 'concurrent'})
    const base = ctx.instanceSpec
    ctx.instanceSpec = (o) => ({...base(o), readyTimeoutMs: 300, workload: {...base(o).workload, argv: ['false'], ready: {kind: 'tcp', port: 9}}})
    const f = byFigure(await scaleout.measure(ctx))
    expect(f.get('failures')!.value).toBe(2)
    expect(f.get('all_ready')!.value).toBeNull()
    expect(f.get('all_ready')!.error!.code).toBeTruthy()
  })

  it('memory: per-instance PSS ≤ RSS, USS ≤ PSS, and totals scale with n', async () => {
    const one = byFigure(await memory.measure(h.context(memory, 'idle', {n: 1, settleMs: 100})))
    const three = byFigure(await memory.measure(h.context(memory, 'idle', {n: 3, settleMs: 100})))
    for (const f of [one, three]) {
      expect(f.get('pss')!.value!).toBeGreaterThan(0)
      expect(f.get('uss')!.value!).toBeLessThanOrEqual(f.get('pss')!.value! + 1e-9)
      expect(f.get('pss')!.value!).toBeLessThanOrEqual(f.get('rss')!.value! + 1e-9)
      expect(f.get('pss')!.unit).toBe('MiB')
      expect(f.has('cgroup')).toBe(false) // the process arm has no cgroup: not reported, not invented
    }
    expect(three.get('pss_total')!.value!).toBeCloseTo(3 * three.get('pss')!.value!, 6)
    expect(three.get('pss_total')!.value!).toBeGreaterThan(one.get('pss_total')!.value!) // shared pages: less than 3×
    expect(three.get('rss')!.value!).toBeCloseTo(one.get('rss')!.value!, 0) // RSS counts shared pages in full
    expect(three.has('host_delta')).toBe(true)
  })

  it('cpu: an idle instance burns almost nothing; a busy one about one core; throughput is parsed', async () => {
    const idle = byFigure(await cpu.measure(h.context(cpu, 'idle', {windowMs: 1000, settleMs: 100})))
    expect(idle.get('cpu_per_s')!.value!).toBeLessThan(0.05)
    const busy = byFigure(await cpu.measure(h.context(cpu, 'stress-cpu-2s', {windowMs: 1000, settleMs: 300})))
    expect(busy.get('cpu_per_s')!.value!).toBeGreaterThan(0.4) // one stress-ng worker on a shared 2-core host
    expect(busy.get('cpu_per_s')!.value!).toBeLessThan(1.3)
    expect(busy.get('bogo_ops_per_s')!.value!).toBeGreaterThan(0)
    expect(busy.get('bogo_ops_per_s')!.unit).toBe('ops/s')
  })

  it('cpu: a workload that ends inside the window is a failed CPU sample, not a made-up figure', async () => {
    const f = byFigure(await cpu.measure(h.context(cpu, 'stress-cpu-2s', {windowMs: 4000, settleMs: 0})))
    expect(f.get('cpu_per_s')!.value).toBeNull()
    expect(f.get('cpu_per_s')!.error!.code).toBe('window-too-long')
    expect(f.get('bogo_ops_per_s')!.value!).toBeGreaterThan(0)
  })

  it('interference: the victim loses throughput next to 3 CPU hogs on 2 shared cores', async () => {
    const drafts = await interference.measure(h.context(interference, 'stress-cpu-2s', {aggressor: 'stress-cpu-forever', intensity: 3, isolation: 'none'}))
    const solo = drafts.find((d) => d.params?.placement === 'solo')!
    const colocated = drafts.find((d) => d.params?.placement === 'colocated')!
    expect(solo.value!).toBeGreaterThan(0)
    expect(colocated.value!).toBeGreaterThan(0)
    expect(colocated.value!).toBeLessThan(solo.value! * 0.9) // 4 runnable hogs on 2 cores: well below solo
    expect(await livePids('stress-ng')).toEqual([]) // aggressors stopped
  })

  it('interference: refuses a victim without figures, with a reason', async () => {
    const [d] = await interference.measure(h.context(interference, 'idle', {aggressor: 'idle'}))
    expect(d!.value).toBeNull()
    expect(d!.error!.message).toMatch(/reports no figures/)
  })
})
