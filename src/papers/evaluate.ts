/**
 * Claim evaluation, pure logic: the samples a claim reads → its estimate with a seeded bootstrap
 * 95% CI → a verdict against the paper's range.
 *
 *   CI inside the expected range        → reproduced
 *   CI entirely outside it              → not reproduced (significant at 95%)
 *   CI overlapping its edge, or too few → inconclusive (with the CI)
 *
 * Claims that cannot be checked here never get a number: "not applicable: <why>" or
 * "not comparable (emulated)" (decided by ./applicability.ts, before anything runs).
 *
 * A claim read from a VM under TCG is labelled with the way emulation pushes it (tcgBias): TCG
 * makes the VM's figure worse (slower, more memory, less throughput), which moves the estimate one
 * way; when that way is toward a one-sided claim the verdict reads "reproduced (TCG — favours the
 * claim)", and when it is away from it a failure reads "not reproduced (TCG — works against the claim)".
 */
import {median, quantileSorted} from 'simple-statistics'
import type {Accel} from '../core/arm.js'
import type {Sample} from '../core/results.js'
import {mulberry32, resample, seedFrom} from '../stats/random.js'
import type {Claim, ClaimExpectation, ClaimSide} from './schema.js'

export type ClaimOutcome = 'reproduced' | 'not reproduced' | 'inconclusive' | 'not applicable' | 'not comparable'

/** One evaluated claim as written into results.json `claims` (and rendered by the report). */
export interface ClaimResult {
  /** <paper>:<claim id> */
  id: string
  paper: string
  claim: string
  paperFigure: string
  /** Our estimate with the arms it compares, e.g. "qemu[tcg]/container = 41×"; "–" when none. */
  ourFigure: string
  estimate: number | null
  ci: [number, number] | null
  /** The range the estimate had to fall in, e.g. "≥ 9.5" or "0.95–1.05". */
  expected: string
  /** Display verdict: "reproduced", "not applicable: needs KVM", … */
  verdict: string
  outcome: ClaimOutcome
  /** Why a claim is not applicable / inconclusive, in one sentence. */
  reason?: string
  /** Gating claims decide the exit code. */
  gate: boolean
  /** Samples used per side (successful / attempted). */
  samples?: Record<string, {ok: number; total: number}>
  /** VM accelerators of the arms the claim read (figures under TCG say so). */
  accel?: Record<string, Accel>
  /**
   * Which way software emulation pushed the estimate relative to a one-sided claim: 'favours' (TCG
   * made the VM worse in the direction the claim predicts, so a reproduction proves less), 'against'
   * (the opposite); absent when no side ran under TCG or the way is not determined.
   */
  tcgBias?: 'favours' | 'against'
  note?: string
}

/** Where a side's samples live: the claim's cell with the side's arm and params. */
export interface ResolvedCell {
  metric: string
  workload: string
  figure: string
  params: Record<string, string | number | boolean>
}

export interface EvaluateInput {
  paper: string
  claim: Claim
  cell: ResolvedCell
  samples: readonly Sample[]
  accel: Record<string, Accel>
  seed?: number
  resamples?: number
}

/** Fewest successful samples per group for a CI worth the name. */
export const MIN_SAMPLES = 3

export function expectedRange(e: ClaimExpectation): [number, number] {
  return [
    e.atLeast === undefined ? Number.NEGATIVE_INFINITY : e.atLeast * (1 - e.tolerance),
    e.atMost === undefined ? Number.POSITIVE_INFINITY : e.atMost * (1 + e.tolerance),
  ]
}

export function expectedText(e: ClaimExpectation): string {
  const [lo, hi] = expectedRange(e)
  if (Number.isFinite(lo) && Number.isFinite(hi)) return `${fmt(lo)}–${fmt(hi)}`
  return Number.isFinite(lo) ? `≥ ${fmt(lo)}` : `≤ ${fmt(hi)}`
}

/** The verdict of a CI against the expected range. */
export function judge(ci: [number, number], range: [number, number]): 'reproduced' | 'not reproduced' | 'inconclusive' {
  const [lo, hi] = ci
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'inconclusive'
  if (lo >= range[0] && hi <= range[1]) return 'reproduced'
  if (hi < range[0] || lo > range[1]) return 'not reproduced'
  return 'inconclusive'
}

/**
 * A claim that was not measured: no number, only why. `short` goes into the verdict
 * ("not applicable: needs KVM", "not comparable (emulated)"), `reason` is the full sentence.
 */
export function notEvaluated(paper: string, claim: Claim, outcome: 'not applicable' | 'not comparable', short: string, reason = short): ClaimResult {
  return {
    id: `${paper}:${claim.id}`,
    paper,
    claim: claim.text,
    paperFigure: claim.paperFigure,
    ourFigure: '–',
    estimate: null,
    ci: null,
    expected: expectedText(claim.expect),
    verdict: outcome === 'not comparable' ? `not comparable (${short})` : `not applicable: ${short}`,
    outcome,
    reason,
    gate: claim.gate,
    ...(claim.note ? {note: claim.note} : {}),
  }
}

interface SideData {
  label: string
  /** Value groups the statistic reads: [values] for median, [colocated, solo] for degradation. */
  groups: number[][]
  ok: number
  total: number
  firstError?: string
  statistic: (groups: number[][]) => number
  /** The figure's direction (which way is better), from the samples. */
  direction: 'lower' | 'higher'
  arm: string
  median: boolean
}

export function evaluateClaim(input: EvaluateInput): ClaimResult {
  const {paper, claim, cell, accel} = input
  const sides = [claim.arm, ...(claim.measure === 'ratio' && claim.baseline ? [claim.baseline] : [])].map((s) => sideData(s, cell, input.samples, accel))
  const base: ClaimResult = {...notEvaluated(paper, claim, 'not applicable', ''), accel: Object.keys(accel).length ? accel : undefined}
  delete base.reason
  base.samples = Object.fromEntries(sides.map((s) => [s.label, {ok: s.ok, total: s.total}]))

  const short = sides.find((s) => s.groups.some((g) => g.length < MIN_SAMPLES))
  if (short) {
    const reason = `too few successful samples for ${short.label} (${short.ok} of ${short.total}${short.firstError ? `; first error: ${short.firstError}` : ''})`
    return {...base, verdict: 'inconclusive', outcome: 'inconclusive', reason}
  }
  const scale = claim.measure === 'value' ? (claim.scale ?? 1) : 1
  const estimateOf = (groups: number[][][]) => {
    const values = sides.map((s, i) => s.statistic(groups[i]!))
    return (claim.measure === 'ratio' ? values[0]! / values[1]! : values[0]!) * scale
  }
  const estimate = estimateOf(sides.map((s) => s.groups))
  const random = mulberry32(seedFrom(input.seed ?? 1, base.id))
  const resamples = input.resamples ?? 2000
  const draws: number[] = []
  for (let i = 0; i < resamples; i++) {
    const r = estimateOf(sides.map((s) => s.groups.map((g) => resample(g, random))))
    if (Number.isFinite(r)) draws.push(r)
  }
  const unit = claim.measure === 'ratio' ? '' : ` ${claim.unit ?? ''}`.trimEnd()
  const label = claim.measure === 'ratio' ? `${sides[0]!.label}/${sides[1]!.label}` : sides[0]!.label
  if (draws.length < resamples * 0.9 || !Number.isFinite(estimate)) {
    return {
      ...base,
      ourFigure: `${label} = ${fmt(estimate)}${unit}`,
      estimate: Number.isFinite(estimate) ? estimate : null,
      verdict: 'inconclusive',
      outcome: 'inconclusive',
      reason: 'no confidence interval (a median of 0 in the denominator)',
    }
  }
  draws.sort((a, b) => a - b)
  const ci: [number, number] = [quantileSorted(draws, 0.025), quantileSorted(draws, 0.975)]
  const outcome = judge(ci, expectedRange(claim.expect))
  const reason = outcome === 'inconclusive' ? `the 95% CI straddles the expected range ${base.expected}; more repetitions may decide` : undefined
  const bias = tcgBias(claim, sides, accel)
  const verdict =
    outcome === 'reproduced' && bias === 'favours'
      ? 'reproduced (TCG — favours the claim)'
      : outcome === 'not reproduced' && bias === 'against'
        ? 'not reproduced (TCG — works against the claim)'
        : outcome
  return {
    ...base,
    ourFigure: `${label} = ${fmt(estimate)}${claim.measure === 'ratio' ? '×' : unit}`,
    estimate,
    ci,
    verdict,
    outcome,
    ...(bias ? {tcgBias: bias} : {}),
    ...(reason ? {reason} : {}),
  }
}

/**
 * Which way TCG pushed the estimate relative to the claim. Emulation makes a VM's figure worse: up
 * for a lower-is-better figure (time, memory), down for a higher-is-better one (throughput). On the
 * numerator side that moves the estimate the same way, on the baseline side the other way. A claim
 * with a lower bound only is favoured by an upward push, one with an upper bound only by a downward
 * one; a two-sided range, a degradation statistic, or pushes both ways, have no determined bias.
 */
export function tcgBias(
  claim: Claim,
  sides: ReadonlyArray<Pick<SideData, 'arm' | 'direction' | 'median'>>,
  accel: Record<string, Accel>,
): 'favours' | 'against' | undefined {
  const pushes = sides.flatMap((s, i) => {
    if (accel[s.arm] !== 'tcg') return []
    if (!s.median) return [0]
    const worse = s.direction === 'lower' ? 1 : -1
    return [i === 0 ? worse : -worse]
  })
  if (pushes.length === 0 || pushes.includes(0) || new Set(pushes).size > 1) return undefined
  const up = pushes[0]! > 0
  const {atLeast, atMost} = claim.expect
  if (atLeast !== undefined && atMost !== undefined) return undefined
  if (atLeast !== undefined) return up ? 'favours' : 'against'
  return up ? 'against' : 'favours'
}

function sideData(side: ClaimSide, cell: ResolvedCell, samples: readonly Sample[], accel: Record<string, Accel>): SideData {
  const params = {...cell.params, ...side.params}
  const tag = accel[side.arm] && accel[side.arm] !== 'none' ? `[${accel[side.arm]}]` : ''
  const label = `${side.arm}${tag}${
    side.params
      ? ` ${Object.entries(side.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`
      : ''
  }`
  const pick = (extra: Record<string, string | number | boolean>) => {
    const want = {...params, ...extra}
    return samples.filter(
      (s) =>
        !s.warmup &&
        s.arm === side.arm &&
        s.metric === cell.metric &&
        s.workload === cell.workload &&
        (s.figure ?? s.metric) === cell.figure &&
        Object.entries(want).every(([k, v]) => s.params[k] === v),
    )
  }
  const ok = (xs: Sample[]) => xs.filter((s) => s.ok && s.value !== null && Number.isFinite(s.value)).map((s) => s.value!)
  const chosen = side.statistic === 'degradation' ? [pick({placement: 'colocated'}), pick({placement: 'solo'})] : [pick({})]
  const all = chosen.flat()
  const firstError = all.find((s) => !s.ok)?.error?.message
  const direction = all[0]?.direction ?? 'lower'
  const statistic =
    side.statistic === 'degradation'
      ? // > 1 means the victim got worse next to the aggressors, whichever way its figure is better.
        ([coloc, solo]: number[][]) => (direction === 'higher' ? median(solo!) / median(coloc!) : median(coloc!) / median(solo!))
      : ([values]: number[][]) => median(values!)
  const groups = chosen.map(ok)
  return {
    label,
    groups,
    ok: groups.reduce((n, g) => n + g.length, 0),
    total: all.length,
    ...(firstError ? {firstError} : {}),
    statistic,
    direction,
    arm: side.arm,
    median: side.statistic !== 'degradation',
  }
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  if (a >= 100) return x.toFixed(0)
  if (a >= 10) return x.toFixed(1)
  if (a >= 1) return x.toFixed(2)
  return x.toPrecision(2)
}
