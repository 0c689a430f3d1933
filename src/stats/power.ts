/**
 * Power and noise from an A/A calibration: how big a change our verdict rule (compareSamples: a
 * bootstrap CI of the ratio of medians that excludes 1 and a permutation p < α) detects with N
 * samples per side on this host, found by simulation from the host's own A/A noise, not from a
 * normal-theory rule of thumb:
 *   - the A/A values' log residuals (each value over its side's median) are pooled; a trial draws N
 *     per side with replacement and shifts one side by a factor (1 + s); the rule is applied;
 *   - the noise floor is the smallest s at which the rule says "different" in ≥ `power` of the
 *     trials (bisection, the same random draws at every s); at s = 0 the share of "different" is
 *     the rule's false-positive rate under this noise.
 * From the floor at N comes an effective noise σ (ln(1 + floor) = (z₁₋α/₂ + z_power)·σ·√(2/N)), which
 * gives the samples per side another change needs: n = 2·((z₁₋α/₂ + z_power)·σ / ln(1 + d))².
 * Figures with a median ≤ 0 use differences in their unit instead of ratios throughout.
 */
import {median} from 'simple-statistics'
import {compareSamples} from './compare.js'
import {mulberry32, resample} from './random.js'
import {runsForPermutationPower} from './verdict.js'

/** Φ⁻¹ (Acklam's rational approximation, |error| < 1.2e-9): the normal quantile. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const lo = 0.02425
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  }
  if (p > 1 - lo) return -normalQuantile(1 - p)
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  )
}

/** z₁₋α/₂ + z_power: the factor of a two-sided test's power calculation. */
export function zSum(alpha: number, power: number): number {
  return normalQuantile(1 - alpha / 2) + normalQuantile(power)
}

/** Wilson score interval of a proportion k/n at 95% (binomial: a false-positive rate with its CI). */
export function wilson(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1]
  const p = k / n
  const denom = 1 + (z * z) / n
  const centre = (p + (z * z) / (2 * n)) / denom
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

export type NoiseScale = 'ratio' | 'difference'

export interface NoiseFloor {
  scale: NoiseScale
  /** Samples per side the floor is for. */
  n: number
  /** Smallest change detected in ≥ power of the trials: relative (0.034 = 3.4%) on the ratio scale, in the figure's unit on the difference scale. */
  floor: number
  /** Effective noise per sample: on the log scale (ratio) or in the unit (difference). */
  sigma: number
  /** Share of trials the rule called "different" with no change at all (its false-positive rate under this noise). */
  simulatedFpr: number
  trials: number
}

export interface NoiseFloorOptions {
  n: number
  alpha?: number
  power?: number
  trials?: number
  seed?: number
  /** Resamples of the bootstrap and permutation inside each trial (fewer than a run's: it is repeated many times). */
  resamples?: number
}

/**
 * The noise floor of our verdict rule at n samples per side, from the A/A samples of one figure
 * and arm (both halves pooled). Needs at least 4 values in all.
 */
export function noiseFloor(values: readonly number[], o: NoiseFloorOptions): NoiseFloor {
  const alpha = o.alpha ?? 0.05
  const power = o.power ?? 0.8
  const trials = o.trials ?? 60
  const resamples = o.resamples ?? 300
  const n = Math.max(o.n, 2)
  const scale: NoiseScale = values.every((v) => v > 0) ? 'ratio' : 'difference'
  const centre = median([...values])
  const residuals = scale === 'ratio' ? values.map((v) => Math.log(v / centre)) : values.map((v) => v - centre)
  const draws: Array<[number[], number[]]> = []
  const random = mulberry32(o.seed ?? 1)
  for (let t = 0; t < trials; t++) draws.push([resample(residuals, random, n), resample(residuals, random, n)])
  const detected = (s: number) => {
    let hits = 0
    draws.forEach(([a, b], t) => {
      const xa = scale === 'ratio' ? a.map((r) => centre * Math.exp(r)) : a.map((r) => centre + r)
      const xb = scale === 'ratio' ? b.map((r) => centre * Math.exp(r) * (1 + s)) : b.map((r) => centre + r + s)
      // δ = 0: detection is the CI excluding no change with p < α; the rule's equivalence margin would
      // otherwise hide every change below δ behind "equivalent" however many samples there are.
      const v = compareSamples({arm: 'b', baseline: 'a', values: xb, baselineValues: xa, direction: 'lower', unit: '', delta: 0, seed: t + 1, resamples})
      if (v.verdict === 'better' || v.verdict === 'worse') hits++
    })
    return hits / trials
  }
  const fpr = detected(0)
  // The scale of the search: a small fraction of the spread (or of the median, when the spread is 0).
  const spread = median(residuals.map(Math.abs)) || (scale === 'ratio' ? 0.001 : Math.abs(centre) * 0.001 || 1e-6)
  let hi = spread
  let guard = 0
  while (detected(hi) < power && guard++ < 24) hi *= 2
  let lo = 0
  for (let i = 0; i < 10; i++) {
    const mid = (lo + hi) / 2
    if (detected(mid) >= power) hi = mid
    else lo = mid
  }
  const floor = hi
  const z = zSum(alpha, power) * Math.sqrt(2 / n)
  const sigma = (scale === 'ratio' ? Math.log(1 + floor) : floor) / z
  return {scale, n, floor, sigma, simulatedFpr: fpr, trials}
}

/**
 * Samples per side needed to detect a change `d` (relative on the ratio scale, in the unit on the
 * difference scale) between two sides with these effective noises, at this α and power; never
 * fewer than an exact permutation test needs to reach α at all.
 */
export function samplesToDetect(d: number, sigmaA: number, sigmaB: number, o: {scale: NoiseScale; alpha?: number; power?: number}): number {
  const alpha = o.alpha ?? 0.05
  const effect = o.scale === 'ratio' ? Math.abs(Math.log(1 + d)) : Math.abs(d)
  if (!(effect > 0)) return Number.POSITIVE_INFINITY
  const n = (zSum(alpha, o.power ?? 0.8) ** 2 * (sigmaA ** 2 + sigmaB ** 2)) / effect ** 2
  return Math.max(runsForPermutationPower(alpha), Math.ceil(n))
}

/**
 * Samples per side that would decide an inconclusive comparison whose estimate is `ratio`: either
 * prove the change (if it is outside ±δ) or prove equivalence within ±δ, whichever needs fewer.
 */
export function samplesToDecide(ratio: number, sigmaA: number, sigmaB: number, o: {delta: number; alpha?: number; power?: number}): number {
  const alpha = o.alpha ?? 0.05
  const k = zSum(alpha, o.power ?? 0.8) ** 2 * (sigmaA ** 2 + sigmaB ** 2)
  const d = Math.abs(Math.log(ratio))
  const margin = Math.log(1 + o.delta)
  const toDetect = d > 0 ? k / d ** 2 : Number.POSITIVE_INFINITY
  const toEquivalence = d < margin ? k / (margin - d) ** 2 : Number.POSITIVE_INFINITY
  const n = Math.min(toDetect, toEquivalence)
  return Number.isFinite(n) ? Math.max(runsForPermutationPower(alpha), Math.ceil(n)) : Number.POSITIVE_INFINITY
}

/** The smallest change detectable with n samples per side at this noise (relative on the ratio scale). */
export function detectableAt(n: number, sigma: number, o: {scale: NoiseScale; alpha?: number; power?: number}): number {
  const x = zSum(o.alpha ?? 0.05, o.power ?? 0.8) * sigma * Math.sqrt(2 / n)
  return o.scale === 'ratio' ? Math.exp(x) - 1 : x
}
