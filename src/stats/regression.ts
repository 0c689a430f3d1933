/**
 * Ordinary least squares y = a + b·x with the slope's t-based confidence interval: the marginal
 * cost of one more instance is the slope of total memory over the instance count.
 */
import {linearRegression} from 'simple-statistics'
import {studentTQuantile} from './distributions.js'

export interface SlopeEstimate {
  slope: number
  intercept: number
  /** Confidence interval of the slope; NaN bounds with fewer than 3 points or no spread in x. */
  ci: [number, number]
  /** Standard error of the slope. */
  se: number
  r2: number
  n: number
}

export function slopeWithCi(points: ReadonlyArray<readonly [number, number]>, level = 0.95): SlopeEstimate {
  const n = points.length
  if (n < 2) throw new RangeError('slopeWithCi() needs at least two points')
  const {m: slope, b: intercept} = linearRegression(points.map(([x, y]) => [x, y]))
  const meanX = points.reduce((s, [x]) => s + x, 0) / n
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n
  const sxx = points.reduce((s, [x]) => s + (x - meanX) ** 2, 0)
  const ssRes = points.reduce((s, [x, y]) => s + (y - (intercept + slope * x)) ** 2, 0)
  const ssTot = points.reduce((s, [, y]) => s + (y - meanY) ** 2, 0)
  const r2 = ssTot === 0 ? 1 : 1 - ssRes / ssTot
  if (n < 3 || sxx === 0) return {slope, intercept, ci: [Number.NaN, Number.NaN], se: Number.NaN, r2, n}
  const se = Math.sqrt(ssRes / (n - 2) / sxx)
  const t = studentTQuantile(1 - (1 - level) / 2, n - 2)
  return {slope, intercept, ci: [slope - t * se, slope + t * se], se, r2, n}
}
