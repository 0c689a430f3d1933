import {describe as suite, expect, it} from 'vitest'
import {describe, modifiedZScores, outlierFlags} from '../../../src/stats/index.js'

suite('describe', () => {
  it('matches the textbook values for 2,4,4,4,5,5,7,9', () => {
    const d = describe([9, 2, 4, 4, 7, 4, 5, 5])
    expect(d.n).toBe(8)
    expect(d.mean).toBe(5)
    expect(d.median).toBe(4.5)
    expect(d.sd).toBeCloseTo(Math.sqrt(32 / 7), 12) // sample SD (n − 1)
    expect(d.cov).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12)
    expect(d.mad).toBe(0.5)
    expect([d.min, d.max]).toEqual([2, 9])
  })

  it('takes percentiles of 1..100 by linear interpolation (type 7, as R and NumPy default)', () => {
    const d = describe(Array.from({length: 100}, (_, i) => 100 - i))
    expect(d.p50).toBe(50.5)
    expect(d.p90).toBeCloseTo(90.1, 10)
    expect(d.p99).toBeCloseTo(99.01, 10)
  })

  it('describes a single value without NaNs in the spread', () => {
    const d = describe([3])
    expect(d).toMatchObject({n: 1, median: 3, mean: 3, sd: 0, cov: 0, mad: 0, p99: 3})
  })

  it('an even n takes the mean of the two middle values as median; a signed figure has no CoV (undefined, not −5674% or a sign flip)', () => {
    expect(describe([-20, -5, 10, 5]).median).toBe(0)
    expect(describe([-12.5, -12.5, 5, -20]).median).toBe(-12.5)
    expect(describe([-3, 1, 2]).cov).toBeNaN()
    expect(describe([-3, -1]).cov).toBeNaN()
    expect(describe([0, 0, 0]).cov).toBeNaN()
    expect(describe([0, 2, 4]).cov).toBeCloseTo(1, 12)
  })

  it('refuses an empty sample', () => {
    expect(() => describe([])).toThrow(RangeError)
  })
})

suite('modified Z-score outliers (Iglewicz & Hoaglin, |M| > 3.5)', () => {
  it('flags the one far value and nothing else', () => {
    const values = [10, 11, 12, 10, 11, 12, 11, 50]
    const z = modifiedZScores(values)
    expect(z[7]).toBeCloseTo((0.6745 * 39) / 1, 10)
    expect(outlierFlags(values)).toEqual([false, false, false, false, false, false, false, true])
  })

  it('falls back to the mean absolute deviation when the MAD is 0', () => {
    const values = [5, 5, 5, 5, 5, 6, 100]
    const meanAD = (1 + 95) / 7
    expect(modifiedZScores(values)[6]).toBeCloseTo(95 / (1.253314 * meanAD), 10)
    expect(outlierFlags(values)).toEqual([false, false, false, false, false, false, true])
  })

  it('flags nothing in constant or normal-looking data', () => {
    expect(outlierFlags([4, 4, 4, 4])).toEqual([false, false, false, false])
    expect(outlierFlags([9.8, 10.1, 10, 9.9, 10.2, 10.05, 9.95]).some(Boolean)).toBe(false)
  })
})
