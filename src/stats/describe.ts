/**
 * Descriptive statistics of one set of samples: median, p50/p90/p99, mean, SD, CoV, MAD, and
 * outlier flags by the modified Z-score (Iglewicz & Hoaglin): M = 0.6745·(x − median)/MAD,
 * |M| > 3.5 is an outlier. Outliers are flagged, never dropped.
 */
import {mean, median, medianAbsoluteDeviation, quantileSorted, sampleStandardDeviation} from 'simple-statistics'
import type {Description} from '../core/results.js'

export const OUTLIER_THRESHOLD = 3.5

export function describe(values: readonly number[]): Description {
  if (values.length === 0) throw new RangeError('describe() needs at least one value')
  const sorted = [...values].sort((a, b) => a - b)
  const m = mean(sorted)
  const sd = sorted.length > 1 ? sampleStandardDeviation(sorted) : 0
  return {
    n: sorted.length,
    median: median(sorted),
    mean: m,
    sd,
    // CoV is defined for figures on a ratio scale (no value below 0, a positive mean): a signed
    // figure's CoV over its mean (−5674%, a sign flip) means nothing, so it is undefined (NaN, null in JSON, printed –).
    cov: sorted[0]! < 0 || !(m > 0) ? Number.NaN : sd / m,
    mad: medianAbsoluteDeviation(sorted),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
  }
}

/**
 * Modified Z-scores. When the MAD is 0 (more than half the values equal), the mean absolute
 * deviation is used instead (M = (x − median)/(1.253314·MeanAD)), as IBM SPSS and Iglewicz &
 * Hoaglin suggest; when that is 0 too, every value equals the median and no score is defined (0).
 */
export function modifiedZScores(values: readonly number[]): number[] {
  if (values.length === 0) return []
  const med = median([...values])
  const mad = medianAbsoluteDeviation([...values])
  if (mad > 0) return values.map((x) => (0.6745 * (x - med)) / mad)
  const meanAD = values.reduce((s, x) => s + Math.abs(x - med), 0) / values.length
  if (meanAD === 0) return values.map(() => 0)
  return values.map((x) => (x - med) / (1.253314 * meanAD))
}

/** true for each value whose |modified Z-score| exceeds the threshold (default 3.5). */
export function outlierFlags(values: readonly number[], threshold = OUTLIER_THRESHOLD): boolean[] {
  return modifiedZScores(values).map((z) => Math.abs(z) > threshold)
}
