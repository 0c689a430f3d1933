/**
 * The capacity search, as pure logic over a probe (unit-tested with a fake one): N = 1, 2, 4, …
 * until a step fails an SLO, would exhaust host memory, or reaches the cap; then bisection between
 * the last N that met every SLO and the first that did not, down to adjacent counts. N's 95% CI
 * comes from the steps' own CIs: its low end is the largest N whose every SLO statistic had its CI
 * inside the bound, its high end the last N before one whose CI was wholly outside (a memory stop
 * counts as certain).
 */
import type {CapacityStep} from '../../core/results.js'

/** A probe either measures N instances, or refuses before starting them (host memory) with the reason. */
export type Probe = (n: number) => Promise<CapacityStep | {stop: string}>

export interface SearchResult {
  n: number
  ci: [number, number]
  boundBy: string
  steps: CapacityStep[]
}

export async function searchCapacity(probe: Probe, opts: {max: number; signal?: AbortSignal}): Promise<SearchResult> {
  const steps: CapacityStep[] = []
  const stopped = new Map<number, string>()
  let lo = 0
  let hi: number | undefined
  let boundBy = ''
  const test = async (n: number): Promise<boolean> => {
    const r = await probe(n)
    if ('stop' in r) {
      stopped.set(n, r.stop)
      hi = n
      boundBy = r.stop
      return false
    }
    steps.push(r)
    if (r.meets) {
      lo = Math.max(lo, n)
      return true
    }
    hi = n
    boundBy = r.failed ?? 'an SLO'
    return false
  }
  for (let n = 1; ;) {
    if (opts.signal?.aborted) break
    if (!(await test(n))) break
    if (n >= opts.max) {
      boundBy = `the instance cap (${opts.max})`
      break
    }
    n = Math.min(n * 2, opts.max)
  }
  while (hi !== undefined && hi - lo > 1 && !opts.signal?.aborted) await test(Math.floor((lo + hi) / 2))
  steps.sort((a, b) => a.n - b.n)
  // The CI of N: certain passes below, certain failures (or memory stops) above.
  const sure = steps.filter((s) => s.n <= lo && s.surelyMeets).map((s) => s.n)
  const ciLo = sure.length ? Math.max(...sure) : 0
  const certainFail = [...steps.filter((s) => s.n > lo && s.surelyFails).map((s) => s.n), ...stopped.keys()]
  const ciHi = certainFail.length ? Math.min(...certainFail) - 1 : hi !== undefined ? Math.max(lo, ...steps.filter((s) => s.n > lo).map((s) => s.n)) : lo
  return {n: lo, ci: [Math.min(ciLo, lo), Math.max(ciHi, lo)], boundBy, steps}
}
