/**
 * Bootstrap confidence intervals (percentile method, seeded): the ratio of medians of two
 * independent samples, each resampled with replacement on its own.
 */
import {median, quantileSorted} from 'simple-statistics'
import {mulberry32, resample} from './random.js'

export interface RatioEstimate {
  /** median(a) / median(b) */
  ratio: number
  ci: [number, number]
  /** (ci[1] − ci[0]) / 2 / ratio: the relative half-width the adaptive sampler watches. */
  relHalfWidth: number
  resamples: number
}

export interface BootstrapOptions {
  resamples?: number
  /** Confidence level, default 0.95. */
  level?: number
  seed?: number
}

export function ratioOfMedians(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): RatioEstimate {
  if (a.length === 0 || b.length === 0) throw new RangeError('ratioOfMedians() needs values in both samples')
  const resamples = opts.resamples ?? 2000
  const level = opts.level ?? 0.95
  const random = mulberry32(opts.seed ?? 1)
  const ratio = median([...a]) / median([...b])
  const ratios: number[] = []
  for (let i = 0; i < resamples; i++) {
    const r = median(resample(a, random)) / median(resample(b, random))
    if (Number.isFinite(r)) ratios.push(r)
  }
  // A baseline median of 0 in (almost) every resample leaves no finite ratio: no interval.
  if (ratios.length < resamples * 0.9) return {ratio, ci: [Number.NaN, Number.NaN], relHalfWidth: Number.POSITIVE_INFINITY, resamples}
  ratios.sort((x, y) => x - y)
  const ci: [number, number] = [quantileSorted(ratios, (1 - level) / 2), quantileSorted(ratios, 1 - (1 - level) / 2)]
  return {ratio, ci, relHalfWidth: (ci[1] - ci[0]) / 2 / Math.abs(ratio), resamples}
}

/** Percentile bootstrap CI of any statistic of one sample (e.g. a median). */
export function bootstrapCi(values: readonly number[], statistic: (xs: number[]) => number, opts: BootstrapOptions = {}): [number, number] {
  const resamples = opts.resamples ?? 2000
  const level = opts.level ?? 0.95
  const random = mulberry32(opts.seed ?? 1)
  const stats: number[] = []
  for (let i = 0; i < resamples; i++) stats.push(statistic(resample(values, random)))
  stats.sort((x, y) => x - y)
  return [quantileSorted(stats, (1 - level) / 2), quantileSorted(stats, 1 - (1 - level) / 2)]
}

/** median(a) − median(b) with a percentile bootstrap CI (for baselines whose median is 0). */
export function bootstrapDifferenceOfMedians(
  a: readonly number[],
  b: readonly number[],
  opts: BootstrapOptions = {},
): {difference: number; ci: [number, number]} {
  const resamples = opts.resamples ?? 2000
  const level = opts.level ?? 0.95
  const random = mulberry32(opts.seed ?? 1)
  const diffs: number[] = []
  for (let i = 0; i < resamples; i++) diffs.push(median(resample(a, random)) - median(resample(b, random)))
  diffs.sort((x, y) => x - y)
  return {difference: median([...a]) - median([...b]), ci: [quantileSorted(diffs, (1 - level) / 2), quantileSorted(diffs, 1 - (1 - level) / 2)]}
}
