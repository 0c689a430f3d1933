import {describe, expect, it} from 'vitest'
import {compareSamples, detectableAt, mulberry32, noiseFloor, normalQuantile, samplesToDecide, samplesToDetect, wilson} from '../../../src/stats/index.js'

function lognormal(n: number, median: number, sigma: number, seed: number): number[] {
  const random = mulberry32(seed)
  return Array.from({length: n}, () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())))
}

describe('power from an A/A calibration', () => {
  it('normal quantiles and Wilson intervals (textbook values)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5)
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5)
    const [lo, hi] = wilson(2, 40)
    expect(lo).toBeCloseTo(0.0138, 3)
    expect(hi).toBeCloseTo(0.1651, 3)
  })

  it('recovers the noise of lognormal data: σ_eff ≈ σ·√(π/2) (the median is less efficient than the mean)', () => {
    const f = noiseFloor(lognormal(24, 100, 0.05, 3), {n: 12, seed: 1, trials: 80})
    expect(f.scale).toBe('ratio')
    expect(f.sigma).toBeGreaterThan(0.05 * 0.8)
    expect(f.sigma).toBeLessThan(0.05 * 1.25 * 1.6)
    expect(f.simulatedFpr).toBeLessThan(0.15)
  })

  it('at its floor, fresh samples from the same noise are detected about 80% of the time by the real verdict rule', () => {
    const sigma = 0.04
    const f = noiseFloor(lognormal(40, 50, sigma, 11), {n: 10, seed: 2, trials: 100})
    let hits = 0
    const trials = 120
    for (let t = 0; t < trials; t++) {
      const a = lognormal(10, 50, sigma, 1000 + t)
      const b = lognormal(10, 50 * (1 + f.floor), sigma, 5000 + t)
      const v = compareSamples({arm: 'b', baseline: 'a', values: b, baselineValues: a, direction: 'lower', unit: 'ms', delta: 0, seed: t, resamples: 500})
      if (v.verdict === 'better' || v.verdict === 'worse') hits++
    }
    expect(hits / trials).toBeGreaterThan(0.6)
    expect(hits / trials).toBeLessThan(0.97)
  })

  it('a constant figure has no noise: the smallest change is detectable', () => {
    expect(noiseFloor(Array(12).fill(3), {n: 6}).floor).toBeLessThan(0.001)
  })

  it('figures with a zero median use differences in their unit', () => {
    const f = noiseFloor([0, 0.01, 0, 0.02, 0.01, 0, 0, 0.01], {n: 4, trials: 40})
    expect(f.scale).toBe('difference')
    expect(f.floor).toBeGreaterThan(0)
  })

  it('samples to detect fall with the square of the change and never below what a permutation test needs', () => {
    const n3 = samplesToDetect(0.03, 0.05, 0.05, {scale: 'ratio'})
    const n6 = samplesToDetect(0.06, 0.05, 0.05, {scale: 'ratio'})
    expect(n3 / n6).toBeGreaterThan(3.5)
    expect(n3 / n6).toBeLessThan(4.5)
    expect(samplesToDetect(0.5, 0.001, 0.001, {scale: 'ratio'})).toBe(4)
    expect(detectableAt(samplesToDetect(0.03, 0.05, 0.05, {scale: 'ratio'}), 0.05, {scale: 'ratio'})).toBeLessThanOrEqual(0.0301)
  })

  it('an inconclusive ratio is decided by whichever needs fewer samples: the change, or equivalence within ±δ', () => {
    const far = samplesToDecide(1.2, 0.1, 0.1, {delta: 0.05})
    const near = samplesToDecide(1.001, 0.1, 0.1, {delta: 0.05})
    expect(far).toBeLessThan(samplesToDetect(0.2, 0.1, 0.1, {scale: 'ratio'}) + 1)
    expect(Number.isFinite(near)).toBe(true) // a ratio of 1.001 is decided as "equivalent", not as a 0.1% change
    expect(near).toBeLessThan(samplesToDetect(0.001, 0.1, 0.1, {scale: 'ratio'}))
  })
})
