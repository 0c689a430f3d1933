/**
 * From a ratio with its CI to a verdict and one sentence: "container slower than process by 35%
 * [30–40%]", "equivalent within ±5%", or "inconclusive — about n more runs needed".
 *
 * Rules, in order: no finite CI or fewer than 3 samples per side → inconclusive; CI inside [1−δ, 1+δ] → equivalent; CI excluding 1
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

/** Below this many samples per side a bootstrap "CI" is a point (n=1) or nearly so: no verdict. */
export const MIN_N_FOR_CI = 3

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
    return {
      verdict: 'inconclusive',
      text: `${arm} vs ${baseline}: inconclusive — no confidence interval (${n < 2 ? 'too few samples' : 'a baseline median of 0'})`,
    }
  }
  if (n < MIN_N_FOR_CI) {
    const more = Math.max(MIN_N_FOR_CI, runsForPermutationPower(alpha)) - n
    return {
      verdict: 'inconclusive',
      text: `${arm} vs ${baseline}: inconclusive (ratio ${fmtRatio(ratio)}, n=${n}: too few samples for a confidence interval) — about ${more} more runs needed`,
      moreRunsNeeded: more,
    }
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
  // Enough runs for the CI to decide, and for the permutation test to be able to reach α at all.
  const more = Math.max(1, Math.ceil(n * (halfWidth / target) ** 2 - n), runsForPermutationPower(alpha) - n)
  return {
    verdict: 'inconclusive',
    text: `${arm} vs ${baseline}: inconclusive (ratio ${fmtRatio(ratio)} [${fmtRatio(lo)}–${fmtRatio(hi)}], p=${fmtP(pValue)}) — about ${more} more runs needed`,
    moreRunsNeeded: more,
  }
}

/**
 * The smallest n per side for which an exact two-sample permutation test can give p < α at all:
 * its smallest two-sided p is 2/C(2n, n) (n = 3 → 0.1, n = 4 → 0.029 for α = 0.05).
 */
export function runsForPermutationPower(alpha: number): number {
  let n = 1
  let c = 2 // C(2, 1)
  while (2 / c >= alpha) {
    c = (c * (2 * n + 1) * (2 * n + 2)) / ((n + 1) * (n + 1))
    n++
  }
  return n
}

/**
 * A verdict on the difference of medians, for figures whose baseline median is 0 (idle CPU, a
 * count of failures) where no ratio exists: "qemu higher than process by 0.040 cores [0.030–0.050]".
 */
export function differenceVerdict(
  input: Omit<VerdictInput, 'ratio' | 'ci'> & {difference: number; ci: [number, number]; allZero: boolean; zeroSide?: 'arm' | 'baseline'; reason?: string},
): Verdict {
  const {arm, baseline, difference, ci, pValue, direction, unit, n} = input
  const reason = input.reason ?? `${input.zeroSide === 'arm' ? arm : baseline} median is 0`
  const alpha = input.alpha ?? 0.05
  const [lo, hi] = ci
  const f = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2))
  if (input.allZero) return {verdict: 'equivalent', text: `${arm} equivalent to ${baseline}: both 0 ${unit}`}
  if (n < MIN_N_FOR_CI) {
    const more = Math.max(MIN_N_FOR_CI, runsForPermutationPower(alpha)) - n
    return {
      verdict: 'inconclusive',
      text: `${arm} vs ${baseline}: inconclusive (difference ${f(difference)} ${unit}, n=${n}: too few samples for a confidence interval) — about ${more} more runs needed`,
      moreRunsNeeded: more,
    }
  }
  if ((lo > 0 || hi < 0) && pValue < alpha) {
    const up = lo > 0
    const words = comparativeWords(unit)
    const better = up === (direction === 'higher')
    return {
      verdict: better ? 'better' : 'worse',
      text: `${arm} ${up ? words.more : words.less} than ${baseline} by ${f(Math.abs(difference))} ${unit} [${f(Math.min(Math.abs(lo), Math.abs(hi)))}–${f(Math.max(Math.abs(lo), Math.abs(hi)))}] (${reason}: difference, not ratio)`,
    }
  }
  const more = Math.max(1, runsForPermutationPower(alpha) - n)
  return {
    verdict: 'inconclusive',
    text: `${arm} vs ${baseline}: inconclusive (difference ${f(difference)} ${unit} [${f(lo)}–${f(hi)}], p=${fmtP(pValue)}) — about ${more} more runs needed`,
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
  if (!Number.isFinite(x)) return '∞' // a CI bound of 0 inverted: the interval is unbounded on that side
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
