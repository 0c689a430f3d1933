import {describe, expect, it} from 'vitest'
import {compareSamples, magnitude, mulberry32, verdict} from '../../../src/stats/index.js'

const base = {arm: 'container', baseline: 'process', unit: 'ms', n: 20, delta: 0.05, direction: 'lower'} as const

function normal(n: number, mean: number, sd: number, seed: number): number[] {
  const random = mulberry32(seed)
  return Array.from({length: n}, () => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()))
}

describe('verdict', () => {
  it('calls a slower arm worse when lower is better, with the percentage and its CI', () => {
    const v = verdict({...base, ratio: 1.35, ci: [1.3, 1.4], pValue: 0.001})
    expect(v.verdict).toBe('worse')
    expect(v.text).toBe('container slower than process by 35% [30–40%]')
  })

  it('calls a faster arm better, and uses factors beyond 2×', () => {
    expect(verdict({...base, ratio: 0.8, ci: [0.75, 0.85], pValue: 0.001}).text).toBe('container faster than process by 20% [15–25%]')
    const v = verdict({...base, arm: 'qemu', ratio: 85, ci: [80, 90], pValue: 0.0001})
    expect(v).toMatchObject({verdict: 'worse', text: 'qemu slower than process by 85× [80–90×]'})
  })

  it('uses the direction: higher throughput is better, with throughput words', () => {
    const v = verdict({...base, unit: 'ops/s', direction: 'higher', ratio: 0.9, ci: [0.85, 0.95], pValue: 0.01})
    expect(v.verdict).toBe('worse')
    expect(v.text).toBe('container lower than process by 10% [5.0–15%]')
  })

  it('says equivalent when the whole CI is within ±δ, even if it excludes 1', () => {
    const v = verdict({...base, ratio: 1.02, ci: [1.01, 1.03], pValue: 0.001})
    expect(v.verdict).toBe('equivalent')
    expect(v.text).toContain('within ±5%')
  })

  it('is inconclusive when the CI straddles 1 and estimates the runs needed (∝ 1/√n)', () => {
    // half-width 0.2, distance from 1 is 0.1 → needs (0.2/0.1)² = 4× the samples: 60 more.
    const v = verdict({...base, ratio: 1.1, ci: [0.9, 1.3], pValue: 0.3})
    expect(v.verdict).toBe('inconclusive')
    expect(v.moreRunsNeeded).toBe(60)
    expect(v.text).toMatch(/inconclusive .* about 60 more runs needed$/)
  })

  it('is inconclusive when CI and permutation test disagree', () => {
    expect(verdict({...base, ratio: 1.2, ci: [1.01, 1.4], pValue: 0.2}).verdict).toBe('inconclusive')
  })

  it('formats magnitudes both ways', () => {
    expect(magnitude(0.25, 0.2, 0.3)).toBe('4.0× [3.3–5.0×]')
    expect(magnitude(1.05, 1.02, 1.08)).toBe('5.0% [2.0–8.0%]')
  })
})

describe('compareSamples on synthetic distributions with known answers', () => {
  it('finds a 50% slowdown', () => {
    const r = compareSamples({...base, values: normal(30, 15, 1, 1), baselineValues: normal(30, 10, 1, 2), seed: 1})
    expect(r.verdict).toBe('worse')
    expect(r.ci[0]).toBeLessThan(1.5 + 0.1)
    expect(r.ci[1]).toBeGreaterThan(1.5 - 0.1)
    expect(r.pValue).toBeLessThan(0.001)
  })

  it('calls two draws of one tight distribution equivalent', () => {
    const r = compareSamples({...base, values: normal(60, 100, 1, 3), baselineValues: normal(60, 100, 1, 4), seed: 1})
    expect(r.verdict).toBe('equivalent')
  })

  it('is inconclusive on few noisy samples and asks for more runs', () => {
    const r = compareSamples({...base, values: normal(4, 105, 30, 5), baselineValues: normal(4, 100, 30, 6), seed: 1})
    expect(r.verdict).toBe('inconclusive')
    expect(r.moreRunsNeeded).toBeGreaterThan(0)
  })
})

describe('small samples and zero baselines', () => {
  it('knows an exact permutation test needs 4 runs per side to reach p < 0.05 (2/C(8,4) = 0.029)', async () => {
    const {runsForPermutationPower, permutationTest} = await import('../../../src/stats/index.js')
    expect(runsForPermutationPower(0.05)).toBe(4)
    expect(runsForPermutationPower(0.01)).toBe(5) // 2/C(10,5) = 0.0079
    expect(permutationTest([1, 2, 3], [4, 5, 6]).pValue).toBeCloseTo(0.1, 12)
  })

  it('asks for enough runs for the test, not only for the CI, when n is tiny', () => {
    const v = verdict({...base, n: 2, ratio: 121, ci: [120, 122], pValue: 1 / 3})
    expect(v.verdict).toBe('inconclusive')
    expect(v.moreRunsNeeded).toBe(2)
  })

  it('compares by difference when the baseline median is 0 (idle CPU)', () => {
    const r = compareSamples({...base, unit: 'cores', values: [0.04, 0.041, 0.039, 0.042, 0.04], baselineValues: [0, 0, 0.01, 0, 0], seed: 1})
    expect(r.basis).toBe('difference')
    expect(Number.isNaN(r.ratio)).toBe(true)
    expect(r.difference).toBeCloseTo(0.04, 12)
    expect(r.verdict).toBe('worse')
    expect(r.text).toMatch(/^container higher than process by 0\.040 cores \[/)
    expect(r.text).toContain('(process median is 0: difference, not ratio)')
    expect(compareSamples({...base, values: [0, 0, 0], baselineValues: [0, 0, 0], seed: 1}).verdict).toBe('equivalent')
  })
  it('compares by difference when the compared arm median is 0 (idle container vs a busy VM baseline), never "by Infinity×"', () => {
    const r = compareSamples({
      ...base,
      arm: 'container',
      baseline: 'qemu',
      unit: 'cores',
      values: [0, 0, 0, 0, 0],
      baselineValues: [0.053, 0.047, 0.066, 0.05, 0.055],
      seed: 1,
    })
    expect(r.basis).toBe('difference')
    expect(r.difference).toBeCloseTo(-0.053, 12)
    expect(r.verdict).toBe('better')
    expect(r.text).not.toMatch(/Infinity|NaN/)
    expect(r.text).toMatch(/^container lower than qemu by 0\.053 cores \[/)
    expect(r.text).toContain('(container median is 0: difference, not ratio)') // the side that is 0, not the baseline
  })
  it('never calls one sample per side equivalent: a bootstrap CI of n=1 is a point', () => {
    const r = compareSamples({...base, values: [0.989], baselineValues: [1], seed: 1})
    expect(r.verdict).toBe('inconclusive')
    expect(r.text).toMatch(/too few samples/)
    expect(r.moreRunsNeeded).toBeGreaterThanOrEqual(2)
  })
})

describe('signed figures', () => {
  it('compares by difference when a median is below 0, so the direction of the change is never flipped', () => {
    // A host memory delta: the base run freed memory (−2 MiB), the new one used 0.1 MiB: that is more memory, worse.
    const r = compareSamples({...base, unit: 'MiB', direction: 'lower', values: [0.1, 0.12, 0.09, 0.11], baselineValues: [-2, -1.9, -2.1, -2.05], seed: 1})
    expect(r.basis).toBe('difference')
    expect(r.difference!).toBeGreaterThan(0)
    expect(r.verdict).toBe('worse')
    expect(r.text).toContain('(a median below 0: difference, not ratio)')
  })
})
