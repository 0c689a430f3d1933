import {describe, expect, it} from 'vitest'
import type {Sample} from '../../../src/core/results.js'
import {evaluateClaim, expectedRange, expectedText, judge, MIN_SAMPLES} from '../../../src/papers/evaluate.js'
import {claimSchema, type Claim} from '../../../src/papers/schema.js'
import {sampleOf} from '../../helpers/results.js'

const claim = (over: Record<string, unknown>): Claim =>
  claimSchema.parse({
    id: 'c',
    text: 'claim',
    paperFigure: 'paper says',
    cell: {metric: 'scaleout', workload: 'idle', figure: 'all_ready', params: {n: 1}},
    arm: {arm: 'qemu'},
    baseline: {arm: 'container'},
    expect: {atLeast: 10},
    ...over,
  })

let t = 0
function samples(arm: string, values: Array<number | null>, extra: Partial<Sample> = {}): Sample[] {
  return values.map((value, rep) =>
    sampleOf({
      metric: 'scaleout',
      figure: 'all_ready',
      arm,
      params: {n: 1, mode: 'concurrent'},
      rep,
      block: rep,
      value,
      t: t++,
      ...(value === null ? {error: {code: 'not-ready', message: 'guest hung'}} : {}),
      ...extra,
    }),
  )
}
const cell = {metric: 'scaleout', workload: 'idle', figure: 'all_ready', params: {n: 1}}

describe('expected range and judging a CI against it', () => {
  it('widens each bound by the tolerance', () => {
    expect(expectedRange({atLeast: 1, atMost: 1, tolerance: 0.05})).toEqual([0.95, 1.05])
    expect(expectedRange({atLeast: 10, tolerance: 0})).toEqual([10, Number.POSITIVE_INFINITY])
    expect(expectedText({atMost: 125, tolerance: 0.2})).toBe('≤ 150')
    expect(expectedText({atLeast: 1, atMost: 1, tolerance: 0.05})).toBe('0.95–1.05')
  })
  it('reproduced inside, not reproduced when the CI misses the range entirely, else inconclusive', () => {
    expect(judge([11, 20], [10, Infinity])).toBe('reproduced')
    expect(judge([2, 9.9], [10, Infinity])).toBe('not reproduced')
    expect(judge([8, 12], [10, Infinity])).toBe('inconclusive')
    expect(judge([0.97, 1.03], [0.95, 1.05])).toBe('reproduced')
    expect(judge([1.06, 1.2], [0.95, 1.05])).toBe('not reproduced')
    expect(judge([Number.NaN, 2], [0, 1])).toBe('inconclusive')
  })
})

describe('evaluateClaim', () => {
  it('reproduces a large, tight ratio and labels the TCG arm in our figure', () => {
    const s = [...samples('qemu', [4000, 4100, 3900, 4050, 3950]), ...samples('container', [40, 42, 39, 41, 40])]
    const r = evaluateClaim({paper: 'joy2015', claim: claim({}), cell, samples: s, accel: {qemu: 'tcg', container: 'none'}})
    expect(r.outcome).toBe('reproduced')
    expect(r.estimate).toBeCloseTo(4000 / 40, 5)
    expect(r.ci![0]).toBeGreaterThanOrEqual(10)
    expect(r.ourFigure).toMatch(/^qemu\[tcg\]\/container = 100×$/)
    expect(r.id).toBe('joy2015:scaleout'.replace('scaleout', 'c'))
    expect(r.samples).toEqual({'qemu[tcg]': {ok: 5, total: 5}, container: {ok: 5, total: 5}})
  })

  it('a claim reproduced under TCG whose direction TCG favours says so (Joy 2015 scale-out, LightVM creation: a slower VM makes qemu/container larger)', () => {
    const s = [...samples('qemu', [4000, 4100, 3900, 4050, 3950]), ...samples('container', [40, 42, 39, 41, 40])]
    const r = evaluateClaim({paper: 'joy2015', claim: claim({}), cell, samples: s, accel: {qemu: 'tcg', container: 'none'}})
    expect(r.outcome).toBe('reproduced')
    expect(r.verdict).toBe('reproduced (TCG — favours the claim)')
    expect(r.tcgBias).toBe('favours')
    // The same figures under KVM: a plain reproduction.
    const kvm = evaluateClaim({paper: 'joy2015', claim: claim({}), cell, samples: s, accel: {qemu: 'kvm', container: 'none'}})
    expect(kvm.verdict).toBe('reproduced')
    expect(kvm.tcgBias).toBeUndefined()
  })

  it('TCG works against a claim that the VM is as fast (an upper bound on VM/container), and pushes a VM-in-the-denominator ratio down', () => {
    const s = [...samples('qemu', [50, 52, 49, 51, 50]), ...samples('container', [40, 42, 39, 41, 40])]
    const upper = evaluateClaim({paper: 'p', claim: claim({expect: {atMost: 1.1}}), cell, samples: s, accel: {qemu: 'tcg'}})
    expect(upper.outcome).toBe('not reproduced')
    expect(upper.verdict).toBe('not reproduced (TCG — works against the claim)')
    // container/qemu ≥ 0.5 with qemu under TCG: a slower VM lowers the ratio, against a lower bound.
    const inverted = evaluateClaim({
      paper: 'p',
      claim: claim({arm: {arm: 'container'}, baseline: {arm: 'qemu'}, expect: {atLeast: 0.5}}),
      cell,
      samples: s,
      accel: {qemu: 'tcg'},
    })
    expect(inverted.outcome).toBe('reproduced')
    expect(inverted.tcgBias).toBe('against')
    expect(inverted.verdict).toBe('reproduced')
    // Throughput (higher is better) under TCG falls: a claim that containers serve at least as much as VMs is favoured.
    const ops = [...samples('container', [100, 101, 99, 100, 100], {direction: 'higher'}), ...samples('qemu', [20, 21, 19, 20, 20], {direction: 'higher'})]
    const requests = evaluateClaim({
      paper: 'p',
      claim: claim({arm: {arm: 'container'}, baseline: {arm: 'qemu'}, expect: {atLeast: 1}}),
      cell,
      samples: ops,
      accel: {qemu: 'tcg'},
    })
    expect(requests.verdict).toBe('reproduced (TCG — favours the claim)')
    // A two-sided range has no determined bias.
    const two = evaluateClaim({paper: 'p', claim: claim({expect: {atLeast: 1, atMost: 2}}), cell, samples: s, accel: {qemu: 'tcg'}})
    expect(two.tcgBias).toBeUndefined()
  })

  it('is not reproduced when the whole CI is below the range (significant)', () => {
    const s = [...samples('qemu', [50, 52, 49, 51, 50]), ...samples('container', [40, 42, 39, 41, 40])]
    const r = evaluateClaim({paper: 'p', claim: claim({}), cell, samples: s, accel: {}})
    expect(r.outcome).toBe('not reproduced')
    expect(r.verdict).toBe('not reproduced')
    expect(r.ci![1]).toBeLessThan(10)
  })

  it('is inconclusive when the CI straddles the bound', () => {
    const s = [...samples('qemu', [300, 600, 350, 700, 420, 380]), ...samples('container', [30, 60, 35, 41, 40, 50])]
    const r = evaluateClaim({paper: 'p', claim: claim({}), cell, samples: s, accel: {}})
    expect(r.ci![0]).toBeLessThan(10)
    expect(r.ci![1]).toBeGreaterThan(10)
    expect(r.outcome).toBe('inconclusive')
    expect(r.reason).toMatch(/straddles/)
  })

  it('never makes a number up from failed samples: too few successes is inconclusive, with the first error', () => {
    const s = [...samples('qemu', [4000, null, null, null]), ...samples('container', [40, 41, 42, 40])]
    const r = evaluateClaim({paper: 'p', claim: claim({}), cell, samples: s, accel: {qemu: 'tcg'}})
    expect(r.outcome).toBe('inconclusive')
    expect(r.estimate).toBeNull()
    expect(r.ci).toBeNull()
    expect(r.reason).toContain(`qemu[tcg] (1 of 4; first error: guest hung)`)
    expect(MIN_SAMPLES).toBe(3)
  })

  it('ignores warm-ups, other cells and other figures', () => {
    const s = [
      ...samples('qemu', [4000, 4000, 4000]),
      ...samples('qemu', [1, 1, 1], {warmup: true}),
      ...samples('qemu', [1, 1, 1], {params: {n: 2, mode: 'concurrent'}}),
      ...samples('qemu', [1, 1, 1], {figure: 'rate'}),
      ...samples('container', [40, 40, 40]),
    ]
    const r = evaluateClaim({paper: 'p', claim: claim({}), cell, samples: s, accel: {}})
    expect(r.estimate).toBe(100)
    expect(r.samples!.qemu).toEqual({ok: 3, total: 3})
  })

  it('value claims read one arm, scaled into the claim unit', () => {
    const c = claim({measure: 'value', baseline: undefined, unit: 's', scale: 0.001, expect: {atMost: 5}})
    const r = evaluateClaim({paper: 'p', claim: c, cell, samples: samples('qemu', [4000, 4100, 3900, 4000]), accel: {}})
    expect(r.estimate).toBeCloseTo(4, 6)
    expect(r.ourFigure).toBe('qemu = 4.00 s')
    expect(r.outcome).toBe('reproduced')
  })

  it('degradation compares co-located against solo per side, oriented so that > 1 is worse', () => {
    const inter = (arm: string, isolation: string, solo: number, coloc: number) => [
      ...samples(arm, [solo, solo * 1.01, solo * 0.99, solo]).map((s) => ({
        ...s,
        metric: 'interference',
        workload: 'cpu',
        figure: 'ops_per_s',
        direction: 'higher' as const,
        params: {aggressor: 'a', isolation, placement: 'solo'},
      })),
      ...samples(arm, [coloc, coloc * 1.01, coloc * 0.99, coloc]).map((s) => ({
        ...s,
        metric: 'interference',
        workload: 'cpu',
        figure: 'ops_per_s',
        direction: 'higher' as const,
        params: {aggressor: 'a', isolation, placement: 'colocated'},
      })),
    ]
    const c = claim({
      cell: {metric: 'interference', workload: 'cpu', params: {aggressor: 'a'}},
      arm: {arm: 'container', statistic: 'degradation', params: {isolation: 'cpuset'}},
      baseline: {arm: 'container', statistic: 'degradation', params: {isolation: 'shares'}},
      expect: {atMost: 1},
    })
    const s = [...inter('container', 'cpuset', 1000, 950), ...inter('container', 'shares', 1000, 500)]
    const r = evaluateClaim({
      paper: 'sharma2016',
      claim: c,
      cell: {metric: 'interference', workload: 'cpu', figure: 'ops_per_s', params: {aggressor: 'a'}},
      samples: s,
      accel: {},
    })
    // cpuset: 1000/950 ≈ 1.053 worse; shares: 1000/500 = 2 worse → ratio ≈ 0.53
    expect(r.estimate).toBeCloseTo(1000 / 950 / 2, 3)
    expect(r.outcome).toBe('reproduced')
    expect(r.ourFigure).toMatch(/^container isolation=cpuset\/container isolation=shares = /)
  })

  it('is deterministic for a given seed', () => {
    const s = [...samples('qemu', [300, 600, 350, 700, 420]), ...samples('container', [30, 60, 35, 41, 40])]
    const a = evaluateClaim({paper: 'p', claim: claim({}), cell, samples: s, accel: {}, seed: 7})
    const b = evaluateClaim({paper: 'p', claim: claim({}), cell, samples: s, accel: {}, seed: 7})
    expect(a.ci).toEqual(b.ci)
  })
})
