/**
 * One comparison of two samples: ratio of medians with a bootstrap CI, a permutation p-value and a
 * verdict. The single entry point analysis and the adaptive sampler share.
 */
import {ratioOfMedians, type RatioEstimate} from './bootstrap.js'
import {permutationTest} from './permutation.js'
import {verdict, type Direction, type Verdict} from './verdict.js'

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
}

export function compareSamples(input: CompareInput): CompareResult {
  const estimate = ratioOfMedians(input.values, input.baselineValues, {seed: input.seed, resamples: input.resamples})
  const {pValue} = permutationTest(input.values, input.baselineValues, {seed: input.seed ^ 0x5bd1e995, resamples: input.resamples})
  const n = Math.min(input.values.length, input.baselineValues.length)
  const v = verdict({...input, ratio: estimate.ratio, ci: estimate.ci, pValue, n})
  return {...estimate, ...v, pValue}
}
