/**
 * One arm against another, read from a stored comparison (never recomputed), and what isolation
 * predicts about it (ISOLATION_LEVELS in core/arm.ts: the more isolated arm is expected to be slower,
 * larger or the same, never faster). The report colours an expected verdict neutral and lists the
 * others first; the terminal marks those with *. A comparison stored the other way round ("container
 * vs process" for "process vs container") is read inverted: 1/ratio, CI [1/hi, 1/lo] — the percentile
 * bootstrap CI of a ratio inverts exactly — and better/worse swapped.
 */
import {ISOLATION_LEVELS} from '../core/arm.js'
import type {Comparison, Results} from '../core/results.js'

type Verdict = Comparison['verdict']

/**
 * Whether a verdict is what isolation predicts (ISOLATION_LEVELS): 'expected' when the more isolated
 * arm is worse or equivalent (container slower than process), a 'finding' when it is better, or when
 * arms of one level differ (runc vs crun) or a level is unknown; 'inconclusive' when the data cannot
 * tell. Co-located vs solo: no change is expected, a significant change is a finding.
 */
export type Expectation = 'expected' | 'finding' | 'inconclusive'

export function expectation(verdict: Verdict, armLevel: number | undefined, baselineLevel: number | undefined, kind: Comparison['kind'] = 'arm'): Expectation {
  if (verdict === 'inconclusive') return 'inconclusive'
  if (kind === 'interference') return verdict === 'equivalent' ? 'expected' : 'finding'
  if (armLevel === undefined || baselineLevel === undefined) return verdict === 'equivalent' ? 'expected' : 'finding'
  if (armLevel === baselineLevel) return verdict === 'equivalent' ? 'expected' : 'finding'
  if (verdict === 'equivalent') return 'expected'
  return armLevel > baselineLevel === (verdict === 'worse') ? 'expected' : 'finding'
}

/** The expectation of a stored comparison, with the arms' kinds from the results. */
export function expectationOf(c: Comparison, results: Pick<Results, 'arms'>): Expectation {
  const level = (arm: string) => ISOLATION_LEVELS[results.arms.find((a) => a.name === arm)?.kind ?? '']
  return expectation(c.verdict, level(c.arm), level(c.baseline), c.kind)
}

/** One arm against the block's reference (or its own solo run), read from a stored comparison. */
export interface Versus {
  comparison: Comparison
  /** The stored comparison is the reference against this arm, read inverted. */
  inverted: boolean
  basis: 'ratio' | 'difference'
  ratio: number | null
  ci: [number, number] | null
  /** For basis 'difference' (a median of 0 on one side): arm − reference, in the block's unit. */
  difference?: number
  differenceCi?: [number, number]
  verdict: Verdict
  expectation: Expectation
}

const finite = (x: [number, number] | null | undefined): x is [number, number] => Array.isArray(x) && Number.isFinite(x[0]) && Number.isFinite(x[1])

/** A stored comparison as `arm` against the other side: as stored, or inverted when `arm` is its baseline. */
export function readVersus(c: Comparison, arm: string, results: Pick<Results, 'arms'>): Versus {
  const inverted = c.kind !== 'interference' && c.baseline === arm && c.arm !== arm
  const ratio = typeof c.ratio === 'number' && Number.isFinite(c.ratio) ? (inverted ? 1 / c.ratio : c.ratio) : null
  const ci = finite(c.ci) ? (inverted ? ([1 / c.ci[1], 1 / c.ci[0]] as [number, number]) : c.ci) : null
  const verdict: Verdict = inverted ? (c.verdict === 'better' ? 'worse' : c.verdict === 'worse' ? 'better' : c.verdict) : c.verdict
  const other = inverted ? c.arm : c.baseline
  const level = (a: string) => ISOLATION_LEVELS[results.arms.find((x) => x.name === a)?.kind ?? '']
  return {
    comparison: c,
    inverted,
    basis: c.basis ?? 'ratio',
    ratio,
    ci,
    difference: c.difference === undefined ? undefined : inverted ? -c.difference : c.difference,
    differenceCi: finite(c.differenceCi) ? (inverted ? [-c.differenceCi[1], -c.differenceCi[0]] : c.differenceCi) : undefined,
    verdict,
    expectation: expectation(verdict, level(arm), level(other), c.kind),
  }
}
