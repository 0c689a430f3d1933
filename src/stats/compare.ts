/**
 * One comparison of two samples: ratio of medians with a bootstrap CI, a permutation p-value and a
 * verdict. The single entry point analysis and the adaptive sampler share.
 */
import {median} from 'simple-statistics'
import {bootstrapDifferenceOfMedians, ratioOfMedians, type RatioEstimate} from './bootstrap.js'
import {permutationTest} from './permutation.js'
import {differenceVerdict, verdict, type Direction, type Verdict} from './verdict.js'

export interface CompareInput {
  arm: string
  baseline: string
  values: readonly number[]
  baselineValues: readonly number[]
  direction: Direction
  unit: string
  delta: number
  seed: number
  resamples?: number
}

export interface CompareResult extends RatioEstimate, Verdict {
  pValue: number
  /**
   * 'difference' when either median is 0: no ratio exists (baseline 0) or it would be 0 and its
   * inverse, shown for "lower by N×", infinite (compared arm 0). ratio and ci are then NaN.
   */
  basis: 'ratio' | 'difference'
  difference?: number
  differenceCi?: [number, number]
}

export function compareSamples(input: CompareInput): CompareResult {
  // A ratio of medians only means something when both are positive: a 0 has no ratio, and a signed
  // figure (a host memory delta can be negative) would flip the direction of the change.
  if (median([...input.baselineValues]) <= 0 || median([...input.values]) <= 0) return compareDifference(input)
  const estimate = ratioOfMedians(input.values, input.baselineValues, {seed: input.seed, resamples: input.resamples})
  const {pValue} = permutationTest(input.values, input.baselineValues, {seed: input.seed ^ 0x5bd1e995, resamples: input.resamples})
  const n = Math.min(input.values.length, input.baselineValues.length)
  const v = verdict({...input, ratio: estimate.ratio, ci: estimate.ci, pValue, n})
  return {...estimate, ...v, pValue, basis: 'ratio'}
}

function compareDifference(input: CompareInput): CompareResult {
  const {difference, ci} = bootstrapDifferenceOfMedians(input.values, input.baselineValues, {seed: input.seed, resamples: input.resamples})
  const {pValue} = permutationTest(input.values, input.baselineValues, {seed: input.seed ^ 0x5bd1e995, resamples: input.resamples})
  const n = Math.min(input.values.length, input.baselineValues.length)
  const allZero = [...input.values, ...input.baselineValues].every((v) => v === 0)
  const [mb, ma] = [median([...input.baselineValues]), median([...input.values])]
  const reason = mb === 0 ? `${input.baseline} median is 0` : ma === 0 ? `${input.arm} median is 0` : 'a median below 0'
  const v = differenceVerdict({...input, difference, ci, pValue, n, allZero, reason})
  return {
    ratio: Number.NaN,
    ci: [Number.NaN, Number.NaN],
    relHalfWidth: Number.POSITIVE_INFINITY,
    resamples: input.resamples ?? 2000,
    ...v,
    pValue,
    basis: 'difference',
    difference,
    differenceCi: ci,
  }
}
