/**
 * Validity: two confidence intervals of isobench's analysis recomputed without scipy and without
 * its code, on figures measured here (the process arm's PSS totals at n = 1, 2, 3): the marginal
 * memory slope's 95% CI (OLS with a Student t quantile: recomputed in closed form with the quantile
 * from numerically integrating the t density, equal to 1e-6), and a ratio-of-medians bootstrap CI
 * (2000 seeded resamples vs 40 000 drawn with node's crypto RNG: equal within the resampling noise, 3%).
 */
import {afterAll, describe, expect, it} from 'vitest'
import {memory} from '../../../src/metrics/memory/metric.js'
import {ProcessArmHarness} from '../metrics/context.js'
import {checkLine, ratioCiRecomputed, slopeCiRecomputed, tQuantile} from './checks.js'

const h = new ProcessArmHarness()
afterAll(() => h.close())

describe('confidence intervals recomputed', () => {
  it('the t quantile integrated here matches the tables (df 1, 4, 10, 30)', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062, 3)
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764, 4)
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.2281, 4)
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.0423, 4)
  })

  it('marginal-memory slope CI and a ratio-of-medians CI on PSS totals measured here', async () => {
    await h.arm.prepare()
    const totals = new Map<number, number[]>()
    for (let rep = 0; rep < 4; rep++)
      for (const n of [1, 2, 3]) {
        const drafts = await memory.measure(h.context(memory, 'idle', {n, settleMs: 100}))
        const v = drafts.find((d) => d.figure === 'pss_total')!.value!
        totals.set(n, [...(totals.get(n) ?? []), v])
      }
    const points = [...totals].flatMap(([n, vs]) => vs.map((v) => [n, v] as [number, number]))
    for (const c of slopeCiRecomputed(points)) {
      console.log(checkLine(c))
      expect(Math.abs(c.ratio - 1), checkLine(c)).toBeLessThan(1e-6)
    }
    for (const c of ratioCiRecomputed(totals.get(3)!, totals.get(1)!)) {
      console.log(checkLine(c))
      expect(Math.abs(c.ratio - 1), checkLine(c)).toBeLessThan(0.03)
    }
  })
})
