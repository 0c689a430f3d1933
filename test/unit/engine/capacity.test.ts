import {describe, expect, it} from 'vitest'
import type {CapacityStep, Sample} from '../../../src/core/results.js'
import {evaluateStep} from '../../../src/engine/capacity/run.js'
import {searchCapacity} from '../../../src/engine/capacity/search.js'
import {parseSlo, within} from '../../../src/engine/capacity/slo.js'
import {sampleOf} from '../../helpers/results.js'

describe('SLOs', () => {
  it('parses keys, operators and units (s → ms)', () => {
    expect(parseSlo('startup.p99<200ms')).toEqual({text: 'startup.p99<200ms', key: 'startup.p99', op: '<', bound: 200, unit: 'ms'})
    expect(parseSlo(' startup.all <= 1.5s ')).toMatchObject({key: 'startup.all', op: '<=', bound: 1500})
    expect(parseSlo('victim.degradation<10%')).toMatchObject({key: 'victim.degradation', bound: 10, unit: '%'})
    expect(within({op: '<', bound: 10}, 10)).toBe(false)
    expect(within({op: '<=', bound: 10}, 10)).toBe(true)
  })

  it('bad SLOs are bad input (exit 2) naming what was expected', () => {
    for (const [text, msg] of [
      ['startup.p99 200ms', /expected KEY<BOUND/],
      ['boot.p99<200ms', /unknown key boot.p99; expected one of startup.p50/],
      ['victim.degradation<10ms', /victim.degradation is in %/],
      ['startup.p99<0ms', /above 0/],
    ] as const) {
      let err: unknown
      try {
        parseSlo(text)
      } catch (e) {
        err = e
      }
      expect((err as {exitCode: number}).exitCode).toBe(2)
      expect((err as Error).message).toMatch(msg)
    }
  })
})

/** A host whose SLO statistic grows with N: N up to `limit` meet it, with a CI `spread` wide. */
function fakeProbe(limit: number, spread = 0, memoryAt = Infinity) {
  const tried: number[] = []
  return {
    tried,
    probe: async (n: number): Promise<CapacityStep | {stop: string}> => {
      tried.push(n)
      if (n >= memoryAt) return {stop: `host memory at ${n}`}
      const meets = n <= limit
      return {
        n,
        values: {},
        meets,
        surelyMeets: meets && n <= limit - spread,
        surelyFails: !meets && n > limit + spread,
        failed: meets ? undefined : `startup.p99<200ms at N=${n}`,
        failures: 0,
        elapsedMs: 1,
      }
    },
  }
}

describe('the capacity search', () => {
  it('doubles, then bisects to the exact largest N', async () => {
    const f = fakeProbe(11)
    const r = await searchCapacity(f.probe, {max: 64})
    expect(r.n).toBe(11)
    expect(f.tried).toEqual([1, 2, 4, 8, 16, 12, 10, 11])
    expect(r.boundBy).toBe('startup.p99<200ms at N=12')
    expect(r.ci).toEqual([11, 11])
  })

  it("N's CI widens where the steps' CIs straddle the bound", async () => {
    const r = await searchCapacity(fakeProbe(11, 3).probe, {max: 64})
    expect(r.n).toBe(11)
    expect(r.ci[0]).toBe(8)
    expect(r.ci[1]).toBe(15)
  })

  it('stops before host memory would run out, and bisects below it', async () => {
    const f = fakeProbe(100, 0, 6)
    const r = await searchCapacity(f.probe, {max: 64})
    expect(r.n).toBe(5)
    expect(r.boundBy).toBe('host memory at 6')
    expect(Math.max(...f.tried)).toBe(8) // refused before starting anything
  })

  it('stops at the instance cap', async () => {
    const r = await searchCapacity(fakeProbe(1000).probe, {max: 20})
    expect(r.n).toBe(20)
    expect(r.boundBy).toBe('the instance cap (20)')
  })

  it('0 when even one instance fails', async () => {
    expect((await searchCapacity(fakeProbe(0).probe, {max: 8})).n).toBe(0)
  })
})

describe('a step, evaluated from its samples', () => {
  const s = (
    figure: string,
    value: number | null,
    params: Record<string, string | number> = {n: 4},
    metric = 'scaleout',
    direction: 'lower' | 'higher' = 'lower',
  ): Sample => sampleOf({metric, figure, arm: 'container', params, value, direction})
  const slos = [parseSlo('startup.p99<200ms'), parseSlo('victim.degradation<10%')]

  it('meets when both statistics are within their bounds, and says which SLO failed otherwise', () => {
    const ok = evaluateStep(
      4,
      [
        s('ready_p99', 100),
        s('ready_p99', 120),
        s('failures', 0),
        ...[100, 101, 99].map((v) => s('ops_per_s', v, {placement: 'solo'}, 'interference', 'higher')),
        ...[97, 98, 96].map((v) => s('ops_per_s', v, {placement: 'colocated'}, 'interference', 'higher')),
      ],
      slos,
      1,
    )
    expect(ok.meets).toBe(true)
    expect(ok.values['victim.degradation']!.value).toBeCloseTo(3, 0)
    const slow = evaluateStep(4, [s('ready_p99', 300), s('ready_p99', 320), s('failures', 0)], [slos[0]!], 1)
    expect(slow).toMatchObject({meets: false, surelyFails: true})
    expect(slow.failed).toMatch(/^startup.p99<200ms \(310 ms/)
  })

  it('an instance that failed to start fails the step', () => {
    const r = evaluateStep(4, [s('ready_p99', 100), s('failures', 1)], [slos[0]!], 1)
    expect(r.meets).toBe(false)
    expect(r.failed).toMatch(/instances failed at N=4/)
  })
})
