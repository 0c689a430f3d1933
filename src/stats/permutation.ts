/**
 * Two-sided permutation test, exact when the number of relabellings is small, otherwise Monte Carlo
 * with a seeded PRNG and the (count + 1)/(B + 1) correction so p is never 0. The default statistic
 * is the difference in mean ranks (midranks for ties): the permutation form of the Mann–Whitney /
 * Wilcoxon rank-sum test — robust to the outliers we keep, and far more powerful than a difference
 * of medians on small, tied samples. simple-statistics' permutationTest compares means and uses
 * Math.random, so its results would not be reproducible.
 */
import {median} from 'simple-statistics'
import {mulberry32} from './random.js'

export interface PermutationOptions {
  /** Monte Carlo relabellings when the exact test is too big. */
  resamples?: number
  /** Enumerate every relabelling when there are at most this many. */
  exactLimit?: number
  seed?: number
  statistic?: (a: number[], b: number[]) => number
}

export interface PermutationResult {
  pValue: number
  exact: boolean
  permutations: number
}

export const medianDifference = (a: number[], b: number[]) => median(a) - median(b)
const meanDifference = (a: number[], b: number[]) => a.reduce((s, x) => s + x, 0) / a.length - b.reduce((s, x) => s + x, 0) / b.length

/** Midranks (1-based; ties share the average of their ranks). */
export function midranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0])
  const ranks = new Array<number>(values.length)
  for (let i = 0; i < order.length;) {
    let j = i
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1
    i = j + 1
  }
  return ranks
}

export function permutationTest(a: readonly number[], b: readonly number[], opts: PermutationOptions = {}): PermutationResult {
  if (a.length === 0 || b.length === 0) throw new RangeError('permutationTest() needs values in both samples')
  const stat = opts.statistic ?? meanDifference
  const pooled = opts.statistic ? [...a, ...b] : midranks([...a, ...b])
  const k = a.length
  const observed = Math.abs(stat(pooled.slice(0, k), pooled.slice(k)))
  const tolerance = 1e-9 * Math.max(1, Math.abs(observed))
  const extreme = (x: number) => Math.abs(x) >= observed - tolerance
  const total = binomial(pooled.length, k)
  if (total <= (opts.exactLimit ?? 20_000)) {
    let count = 0
    let seen = 0
    forEachCombination(pooled.length, k, (chosen) => {
      const inA: number[] = []
      const inB: number[] = []
      let j = 0
      for (let i = 0; i < pooled.length; i++) {
        if (j < k && chosen[j] === i) {
          inA.push(pooled[i]!)
          j++
        } else inB.push(pooled[i]!)
      }
      if (extreme(stat(inA, inB))) count++
      seen++
    })
    return {pValue: count / seen, exact: true, permutations: seen}
  }
  const resamples = opts.resamples ?? 5000
  const random = mulberry32(opts.seed ?? 1)
  const work = [...pooled]
  let count = 0
  for (let r = 0; r < resamples; r++) {
    for (let i = work.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[work[i], work[j]] = [work[j]!, work[i]!]
    }
    if (extreme(stat(work.slice(0, k), work.slice(k)))) count++
  }
  return {pValue: (count + 1) / (resamples + 1), exact: false, permutations: resamples}
}

export function binomial(n: number, k: number): number {
  let r = 1
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i
  return Math.round(r)
}

function forEachCombination(n: number, k: number, visit: (chosen: number[]) => void): void {
  const chosen = Array.from({length: k}, (_, i) => i)
  for (;;) {
    visit(chosen)
    let i = k - 1
    while (i >= 0 && chosen[i] === n - k + i) i--
    if (i < 0) return
    chosen[i]!++
    for (let j = i + 1; j < k; j++) chosen[j] = chosen[j - 1]! + 1
  }
}
