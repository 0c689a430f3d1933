import {describe, expect, it} from 'vitest'
import {analyze, worstRelHalfWidth} from '../../../src/engine/analyze.js'
import type {Results, Sample} from '../../../src/core/results.js'
import {mulberry32} from '../../../src/stats/index.js'
import {resultsOf, sampleOf} from '../../helpers/results.js'

let t = 0
function sample(arm: string, value: number | null, extra: Partial<Sample> = {}): Sample {
  return sampleOf({arm, value, params: {cache: 'warm'}, t: t++, ...extra})
}

const results = (samples: Sample[]): Results => resultsOf(samples)

function noisy(n: number, center: number, seed: number): number[] {
  const random = mulberry32(seed)
  return Array.from({length: n}, () => center * (1 + (random() - 0.5) * 0.1))
}

describe('analyze', () => {
  it('summarizes measured samples only, counts failures, flags outliers without dropping them', () => {
    const samples = [
      ...noisy(12, 10, 1).map((v) => sample('process', v)),
      sample('process', 1000), // an outlier: flagged, kept
      sample('process', null, {error: {code: 'not-ready', message: 'x'}}),
      sample('process', 99999, {warmup: true}), // warm-up: not counted
    ]
    const r = results(samples)
    analyze(r, {equivalenceDelta: 0.05, seed: 1})
    expect(r.summaries).toHaveLength(1)
    const s = r.summaries[0]!
    expect(s).toMatchObject({arm: 'process', figure: 'ready', n: 13, failures: 1, outliers: 1, max: 1000})
    expect(r.samples.filter((x) => x.outlier)).toHaveLength(1)
    expect(r.samples).toHaveLength(15)
    expect(r.warnings.map((w) => w.code).sort()).toEqual(['failed-samples', 'outliers'])
    analyze(r, {equivalenceDelta: 0.05, seed: 1}) // recomputing does not duplicate warnings
    expect(r.warnings).toHaveLength(2)
  })

  it('compares every arm with process, and with the reference arm (container) once per pair, with verdicts', () => {
    const samples = [
      ...noisy(15, 10, 1).map((v) => sample('process', v)),
      ...noisy(15, 20, 2).map((v) => sample('container', v)),
      ...noisy(15, 4000, 3).map((v) => sample('qemu', v)),
    ]
    const r = results(samples)
    analyze(r, {equivalenceDelta: 0.05, seed: 1})
    const byPair = new Map(r.comparisons.map((c) => [`${c.arm}/${c.baseline}`, c]))
    expect([...byPair.keys()].sort()).toEqual(['container/process', 'qemu/container', 'qemu/process'])
    expect(r.reference).toBe('container')
    const c = byPair.get('container/process')!
    expect(c.ratio).toBeGreaterThan(1.8)
    expect(c.ratio).toBeLessThan(2.2)
    expect(c.verdict).toBe('worse')
    // cache=warm is the metric's default and no cell changed it: the label leaves it out.
    expect(c.text).toMatch(/^startup\.ready idle: container slower than process by 2\.\d× \[/)
    expect(byPair.get('qemu/container')!.verdict).toBe('worse')
    expect(c.kind).toBe('arm')
    expect(c.n).toBe(15)
    // Another reference: qemu vs process already exists, so process is not compared with qemu again.
    analyze(r, {equivalenceDelta: 0.05, seed: 1, reference: 'qemu'})
    expect(r.comparisons.map((x) => `${x.arm}/${x.baseline}`).sort()).toEqual(['container/process', 'container/qemu', 'qemu/process'])
  })

  it('gives each summary a seeded bootstrap CI of its median, none below 3 values', () => {
    const r = results([...noisy(9, 10, 1).map((v) => sample('process', v)), sample('container', 20), sample('container', 21)])
    analyze(r, {equivalenceDelta: 0.05, seed: 1})
    const p = r.summaries.find((s) => s.arm === 'process')!
    expect(p.medianCi![0]).toBeLessThanOrEqual(p.median)
    expect(p.medianCi![1]).toBeGreaterThanOrEqual(p.median)
    expect(p.medianCi![1]).toBeGreaterThan(p.medianCi![0])
    expect(r.summaries.find((s) => s.arm === 'container')!.medianCi).toBeNull()
  })

  it('is reproducible from the seed', () => {
    const samples = [...noisy(8, 10, 1).map((v) => sample('process', v)), ...noisy(8, 11, 2).map((v) => sample('container', v))]
    const a = results(structuredClone(samples))
    const b = results(structuredClone(samples))
    analyze(a, {equivalenceDelta: 0.05, seed: 7})
    analyze(b, {equivalenceDelta: 0.05, seed: 7})
    expect(a.comparisons).toEqual(b.comparisons)
  })

  it('turns co-located vs solo into an interference degradation with a CI', () => {
    const victim = (placement: string, v: number) =>
      sample('process', v, {
        metric: 'interference',
        figure: 'ops_per_s',
        unit: 'ops/s',
        direction: 'higher',
        workload: 'cpu',
        params: {aggressor: 'stress-cpu', placement},
      })
    const r = results([...noisy(10, 1000, 1).map((v) => victim('solo', v)), ...noisy(10, 600, 2).map((v) => victim('colocated', v))])
    analyze(r, {equivalenceDelta: 0.05, seed: 1})
    expect(r.comparisons).toHaveLength(1)
    const c = r.comparisons[0]!
    expect(c).toMatchObject({kind: 'interference', arm: 'process', baseline: 'process', verdict: 'worse', baselineParams: {placement: 'solo'}})
    expect(c.degradationPct!).toBeGreaterThan(35)
    expect(c.degradationPct!).toBeLessThan(45)
    expect(c.degradationCi![0]).toBeLessThan(c.degradationPct!)
    expect(c.degradationCi![1]).toBeGreaterThan(c.degradationPct!)
  })

  it('regresses total memory over n: the marginal memory of one more instance', () => {
    const samples: Sample[] = []
    const random = mulberry32(3)
    for (const n of [1, 2, 4, 8])
      for (let i = 0; i < 4; i++) {
        samples.push(sample('qemu', 30 + 200 * n + random(), {metric: 'memory', figure: 'pss_total', unit: 'MiB', params: {n}}))
        samples.push(sample('process', 0.5 * n + random() * 0.01, {metric: 'memory', figure: 'pss_total', unit: 'MiB', params: {n}}))
      }
    const r = results(samples)
    analyze(r, {equivalenceDelta: 0.05, seed: 1})
    const q = r.regressions!.find((x) => x.arm === 'qemu')!
    expect(q.ci[0]).toBeLessThan(200)
    expect(q.ci[1]).toBeGreaterThan(200)
    expect(q.slope).toBeCloseTo(200, 0)
    expect(q.unit).toBe('MiB/n')
    expect(q.text).toMatch(/^qemu memory\.pss_total idle: 200 MiB per extra instance \[/)
    expect(r.regressions).toHaveLength(2)
  })

  it('measures precision as the widest CI half-width, shrinking with more samples', () => {
    const few = [...noisy(4, 10, 1).map((v) => sample('process', v)), ...noisy(4, 12, 2).map((v) => sample('container', v))]
    const many = [...noisy(60, 10, 1).map((v) => sample('process', v)), ...noisy(60, 12, 2).map((v) => sample('container', v))]
    const a = worstRelHalfWidth(few, {seed: 1})
    const b = worstRelHalfWidth(many, {seed: 1})
    expect(b).toBeLessThan(a)
    expect(b).toBeLessThan(0.03)
    expect(worstRelHalfWidth(few.slice(0, 2), {seed: 1})).toBe(Number.POSITIVE_INFINITY)
    expect(
      worstRelHalfWidth(
        noisy(40, 10, 5).map((v) => sample('process', v)),
        {seed: 1},
      ),
    ).toBeLessThan(0.03) // single arm: the median's CI
  })
})

describe('worstRelHalfWidth: what --precision can watch', () => {
  it('leaves out figures stuck at 0 and figures not named, but never reports precision without data', () => {
    const zeros = Array.from({length: 6}, () => sample('process', 0, {figure: 'failures'}))
    const noisy2 = noisy(6, 10, 3).map((v) => sample('process', v * (1 + Math.random())))
    expect(worstRelHalfWidth(zeros, {seed: 1})).toBe(0)
    expect(worstRelHalfWidth([...zeros, ...noisy2], {seed: 1, figures: ['failures']})).toBe(0)
    expect(worstRelHalfWidth([...zeros, ...noisy2], {seed: 1})).toBeGreaterThan(0)
    expect(worstRelHalfWidth([], {seed: 1})).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('analyze: which figures are compared', () => {
  it("compares a metric's comparedFigures only (memory: per-instance, not the n× totals or host_delta), but summarizes all", () => {
    const samples: Sample[] = []
    for (const arm of ['process', 'container'])
      for (const figure of ['pss', 'pss_total', 'host_delta'])
        for (const v of noisy(5, arm === 'process' ? 2 : 4, figure.length))
          samples.push(sample(arm, v, {metric: 'memory', figure, unit: 'MiB', params: {n: 1}}))
    const r = results(samples)
    analyze(r, {equivalenceDelta: 0.05, seed: 1})
    expect(r.summaries).toHaveLength(6)
    expect(r.comparisons.map((c) => c.figure)).toEqual(['pss'])
  })

  it('memory.host_delta is a diagnostic: summarized with its note, never compared (even when named) nor regressed into marginal memory', () => {
    const samples: Sample[] = []
    for (const arm of ['process', 'container'])
      for (const n of [1, 2, 4])
        for (const figure of ['pss_total', 'host_delta'])
          for (const v of noisy(4, (arm === 'process' ? 2 : 4) * n, figure.length + n))
            samples.push(sample(arm, v, {metric: 'memory', figure, unit: 'MiB', params: {n}}))
    const r = results(samples)
    analyze(r, {equivalenceDelta: 0.05, seed: 1, comparedFigures: () => ['host_delta', 'pss_total']})
    const deltas = r.summaries.filter((s) => s.figure === 'host_delta')
    expect(deltas).toHaveLength(6)
    expect(deltas.every((s) => /other process/.test(s.diagnostic ?? ''))).toBe(true)
    expect(r.summaries.filter((s) => s.figure === 'pss_total').every((s) => s.diagnostic === undefined)).toBe(true)
    expect(r.comparisons.some((c) => c.figure === 'host_delta')).toBe(false)
    expect(r.regressions!.map((x) => x.figure)).toEqual(['pss_total', 'pss_total'])
  })
})
