/**
 * From a ratio with its CI to a verdict and one sentence: "container slower than process by 35%
 * [30–40%]", "equivalent within ±5%", or "inconclusive — about n more runs needed".
 *
 * Rules, in order: no finite CI → inconclusive; CI inside [1−δ, 1+δ] → equivalent; CI excluding 1
 * and p < α → better/worse (by the figure's direction); anything else → inconclusive, with the
 * number of runs that would shrink the CI enough (half-width ∝ 1/√n).
 */
export type Direction = 'lower' | 'higher'
export type VerdictKind = 'better' | 'worse' | 'equivalent' | 'inconclusive'

export interface VerdictInput {
  arm: string
  baseline: string
  ratio: number
  ci: [number, number]
  pValue: number
  direction: Direction
  unit: string
  /** Samples per side (the smaller of the two). */
  n: number
  /** Equivalence margin as a fraction, e.g. 0.05 for ±5%. */
  delta: number
  alpha?: number
}

export interface Verdict {
  verdict: VerdictKind
  text: string
  moreRunsNeeded?: number
}

const TIME_UNITS = new Set(['ns', 'us', 'µs', 'ms', 's'])
const SIZE_UNITS = new Set(['B', 'KiB', 'MiB', 'GiB', 'bytes'])

/** The words for "more" and "less" of this unit: slower/faster, larger/smaller, higher/lower. */
export function comparativeWords(unit: string): {more: string; less: string} {
  if (TIME_UNITS.has(unit)) return {more: 'slower', less: 'faster'}
  if (SIZE_UNITS.has(unit)) return {more: 'larger', less: 'smaller'}
  return {more: 'higher', less: 'lower'}
}

export function verdict(input: VerdictInput): Verdict {
  const {arm, baseline, ratio, ci, pValue, direction, unit, n, delta} = input
  const alpha = input.alpha ?? 0.05
  const [lo, hi] = ci
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(ratio)) {
    return {verdict: 'inconclusive', text: `${arm} vs ${baseline}: inconclusive — no confidence interval (${n < 2 ? 'too few samples' : 'a baseline median of 0'})`}
  }
  if (lo >= 1 - delta && hi <= 1 + delta) {
    return {verdict: 'equivalent', text: `${arm} equivalent to ${baseline} within ±${pct(delta)} (ratio ${fmtRatio(ratio)} [${fmtRatio(lo)}–${fmtRatio(hi)}])`}
  }
  if ((lo > 1 || hi < 1) && pValue < alpha) {
    const up = lo > 1
    const better = up === (direction === 'higher')
    const words = comparativeWords(unit)
    return {verdict: better ? 'better' : 'worse', text: `${arm} ${up ? words.more : words.less} than ${baseline} by ${magnitude(ratio, lo, hi)}`}
  }
  const halfWidth = (hi - lo) / 2
  const distance = Math.abs(ratio - 1)
  const target = Math.max(distance >= delta ? distance : delta - distance, delta / 4)
  const more = Math.max(1, Math.ceil(n * (halfWidth / target) ** 2 - n))
  return {
    verdict: 'inconclusive',
    text: `${arm} vs ${baseline}: inconclusive (ratio ${fmtRatio(ratio)} [${fmtRatio(lo)}–${fmtRatio(hi)}], p=${fmtP(pValue)}) — about ${more} more runs needed`,
    moreRunsNeeded: more,
  }
}

/** "35% [30–40%]" near 1, "85× [80–90×]" for factors of 2 or more (either way). */
export function magnitude(ratio: number, lo: number, hi: number): string {
  if (ratio >= 2) return `${fmtFactor(ratio)}× [${fmtFactor(lo)}–${fmtFactor(hi)}×]`
  if (ratio <= 0.5) return `${fmtFactor(1 / ratio)}× [${fmtFactor(1 / hi)}–${fmtFactor(1 / lo)}×]`
  const p = (x: number) => Math.abs((x - 1) * 100)
  const [a, b] = [p(lo), p(hi)].sort((x, y) => x - y)
  return `${fmtPct(p(ratio))}% [${fmtPct(a!)}–${fmtPct(b!)}%]`
}

function fmtFactor(x: number): string {
  return x >= 10 ? x.toFixed(0) : x.toFixed(1)
}

function fmtPct(x: number): string {
  return x >= 9.95 ? x.toFixed(0) : x.toFixed(1)
}

function fmtRatio(x: number): string {
  return x.toFixed(x >= 10 ? 1 : 3)
}

function fmtP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3)
}
