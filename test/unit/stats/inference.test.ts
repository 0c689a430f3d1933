import {describe, expect, it} from 'vitest'
import {
  bootstrapCi,
  mulberry32,
  normalCdf,
  permutationTest,
  medianDifference,
  midranks,
  ratioOfMedians,
  slopeWithCi,
  studentTCdf,
  studentTQuantile,
} from '../../../src/stats/index.js'

/** Lognormal draws with a known median (Box–Muller on the seeded PRNG). */
function lognormal(n: number, median: number, sigma: number, seed: number): number[] {
  const random = mulberry32(seed)
  return Array.from({length: n}, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    return median * Math.exp(sigma * z)
  })
}

describe('distributions', () => {
  it('Φ from erf matches tables', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7) // simple-statistics' erf is accurate to ~1e-8
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6)
    expect(normalCdf(-1)).toBeCloseTo(0.1586553, 6)
  })

  it("Student's t quantiles match the printed table", () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3)
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.182446, 5)
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5)
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.697261, 5)
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12)
    expect(studentTCdf(-2.228139, 10)).toBeCloseTo(0.025, 6)
  })
})

describe('bootstrap ratio of medians', () => {
  it('is exact for a scaled copy and its CI contains the true ratio', () => {
    const b = lognormal(40, 10, 0.2, 7)
    const a = b.map((x) => x * 2)
    const r = ratioOfMedians(a, b, {seed: 3})
    expect(r.ratio).toBeCloseTo(2, 12)
    expect(r.ci[0]).toBeLessThan(2)
    expect(r.ci[1]).toBeGreaterThan(2)
  })

  it('is reproducible from the seed', () => {
    const a = lognormal(20, 15, 0.3, 1)
    const b = lognormal(20, 10, 0.3, 2)
    expect(ratioOfMedians(a, b, {seed: 42})).toEqual(ratioOfMedians(a, b, {seed: 42}))
  })

  it('narrows as n grows, around the known ratio 1.5', () => {
    const small = ratioOfMedians(lognormal(20, 150, 0.2, 11), lognormal(20, 100, 0.2, 12), {seed: 1})
    const large = ratioOfMedians(lognormal(800, 150, 0.2, 13), lognormal(800, 100, 0.2, 14), {seed: 1})
    expect(large.ci[0]).toBeLessThan(1.5)
    expect(large.ci[1]).toBeGreaterThan(1.5)
    expect(large.relHalfWidth).toBeLessThan(small.relHalfWidth / 3)
    expect(large.relHalfWidth).toBeLessThan(0.05)
  })

  it('covers the true ratio in about 95% of repeated experiments', () => {
    let covered = 0
    const trials = 200
    for (let t = 0; t < trials; t++) {
      const r = ratioOfMedians(lognormal(30, 120, 0.25, 1000 + t), lognormal(30, 100, 0.25, 5000 + t), {seed: t, resamples: 600})
      if (r.ci[0] <= 1.2 && 1.2 <= r.ci[1]) covered++
    }
    expect(covered / trials).toBeGreaterThan(0.88)
    expect(covered / trials).toBeLessThanOrEqual(0.99)
  })

  it('has no interval when the baseline median is 0', () => {
    const r = ratioOfMedians([1, 2, 3], [0, 0, 0], {seed: 1})
    expect(Number.isNaN(r.ci[0])).toBe(true)
  })

  it('bootstraps a one-sample median CI around the known median', () => {
    const ci = bootstrapCi(lognormal(400, 50, 0.3, 9), (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!, {seed: 2})
    expect(ci[0]).toBeLessThan(50)
    expect(ci[1]).toBeGreaterThan(50)
  })
})

describe('permutation test (two-sided; exact or seeded Monte Carlo)', () => {
  it('gives the exact textbook p = 2/C(10,5) for fully separated groups of 5 (difference of means)', () => {
    const meanDiff = (a: number[], b: number[]) => a.reduce((s, x) => s + x, 0) / a.length - b.reduce((s, x) => s + x, 0) / b.length
    const r = permutationTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], {statistic: meanDiff})
    expect(r.exact).toBe(true)
    expect(r.permutations).toBe(252)
    expect(r.pValue).toBeCloseTo(2 / 252, 12)
  })

  it('gives the hand-counted exact p = 12/252 for the same groups with the median statistic', () => {
    // |med(A) − med(B)| ≥ 5 needs A ⊇ {1,2,3} plus two of 4..7 (6 ways), or the mirror image (6 ways).
    expect(permutationTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], {statistic: medianDifference}).pValue).toBeCloseTo(12 / 252, 12)
  })

  it('by default is the exact Mann–Whitney test: p = 2/252 for separated groups, whatever the spread', () => {
    expect(permutationTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 1e9]).pValue).toBeCloseTo(2 / 252, 12)
    // A = {1,2,4}, B = {3,5,6,7}: rank sum 7, U = 7 − 3·4/2 = 1; of the C(7,3) = 35 labellings U ≤ 1 in
    // two ({1,2,3}, {1,2,4}), so the exact two-sided p = 2·2/35.
    expect(permutationTest([1, 2, 4], [3, 5, 6, 7]).pValue).toBeCloseTo(4 / 35, 12)
  })

  it('ranks ties by their average rank', () => {
    expect(midranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1])
  })

  it('approximates the exact p by Monte Carlo, never reporting 0', () => {
    const r = permutationTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], {exactLimit: 0, resamples: 20000, seed: 5, statistic: medianDifference})
    expect(r.exact).toBe(false)
    expect(r.pValue).toBeGreaterThan(12 / 252 - 0.006)
    expect(r.pValue).toBeLessThan(12 / 252 + 0.006)
    const far = permutationTest(lognormal(40, 10, 0.1, 1), lognormal(40, 100, 0.1, 2), {seed: 1, resamples: 999})
    expect(far.pValue).toBe(1 / 1000)
  })

  it('gives p = 1 for identical samples and a large p for the same distribution', () => {
    expect(permutationTest([3, 1, 2], [2, 3, 1]).pValue).toBe(1)
    expect(permutationTest(lognormal(30, 10, 0.2, 3), lognormal(30, 10, 0.2, 4), {seed: 1}).pValue).toBeGreaterThan(0.05)
  })
})

describe('slope with CI (OLS)', () => {
  it('matches the textbook example x=1..5, y=2,4,5,4,5', () => {
    const s = slopeWithCi([
      [1, 2],
      [2, 4],
      [3, 5],
      [4, 4],
      [5, 5],
    ])
    expect(s.slope).toBeCloseTo(0.6, 12)
    expect(s.intercept).toBeCloseTo(2.2, 12)
    expect(s.r2).toBeCloseTo(0.6, 12)
    expect(s.se).toBeCloseTo(Math.sqrt(2.4 / 3 / 10), 12)
    expect(s.ci[0]).toBeCloseTo(0.6 - 3.182446 * Math.sqrt(0.08), 5)
    expect(s.ci[1]).toBeCloseTo(0.6 + 3.182446 * Math.sqrt(0.08), 5)
  })

  it('recovers a known marginal cost (10 MiB per instance over 50 MiB fixed) from noisy points', () => {
    const random = mulberry32(4)
    const points: Array<[number, number]> = []
    for (const n of [1, 2, 4, 8, 16]) for (let r = 0; r < 5; r++) points.push([n, 50 + 10 * n + (random() - 0.5) * 2])
    const s = slopeWithCi(points)
    expect(s.ci[0]).toBeLessThan(10)
    expect(s.ci[1]).toBeGreaterThan(10)
    expect(s.ci[1] - s.ci[0]).toBeLessThan(0.5)
  })

  it('gives no interval with two points or without spread in x', () => {
    expect(
      Number.isNaN(
        slopeWithCi([
          [1, 1],
          [2, 3],
        ]).ci[0],
      ),
    ).toBe(true)
    expect(
      Number.isNaN(
        slopeWithCi([
          [2, 1],
          [2, 3],
          [2, 5],
        ]).ci[0],
      ),
    ).toBe(true)
  })
})
