/**
 * From an A/A run to a host calibration. In an A/A run every arm ran against itself: its twin
 * (`<arm>~aa`, the same arm object, interleaved in the same randomized blocks), so any difference
 * the verdict rule finds between the two is a false positive. Per figure and arm: the whole A/A
 * comparison, the same test on consecutive chunks of blocks (more tests, each at a smaller n), and
 * the noise floor at n by simulation from the pooled A/A values (src/stats/power.ts).
 */
import type {Calibration, CalibrationEntry} from '../../core/calibration.js'
import type {HostRecord, Results} from '../../core/results.js'
import {getMetric} from '../../metrics/index.js'
import {compareSamples, noiseFloor, runsForPermutationPower, seedFrom, wilson} from '../../stats/index.js'
import {groupSamples, type Group} from '../analyze.js'
import {hostKey, hostSummary} from './store.js'

export const TWIN_SUFFIX = '~aa'
export const twinName = (arm: string) => `${arm}${TWIN_SUFFIX}`
export const isTwin = (arm: string) => arm.endsWith(TWIN_SUFFIX)

export interface CalibrateOptions {
  alpha: number
  power: number
  delta: number
  seed: number
  /** Simulation trials per bisection step (fewer: faster, coarser). */
  trials?: number
}

const decisive = (verdict: string) => verdict === 'better' || verdict === 'worse'

/** The values of a group in the order of their repetitions. */
function byRep(g: Group): Array<{rep: number; value: number}> {
  return g.samples
    .filter((s) => s.ok && s.value !== null && Number.isFinite(s.value))
    .map((s) => ({rep: s.rep, value: s.value!}))
    .sort((a, b) => a.rep - b.rep)
}

/** A/A tests on consecutive chunks of at least `size` repetitions: [decisive, tests]. */
export function chunkTests(
  a: Array<{rep: number; value: number}>,
  b: Array<{rep: number; value: number}>,
  size: number,
  o: {delta: number; alpha: number; seed: number},
): [number, number] {
  const reps = [...new Set([...a, ...b].map((x) => x.rep))].sort((x, y) => x - y)
  const chunks = Math.floor(reps.length / size)
  if (chunks < 2) return [0, 0]
  let hits = 0
  for (let c = 0; c < chunks; c++) {
    const inChunk = new Set(reps.slice(c * size, c === chunks - 1 ? reps.length : (c + 1) * size))
    const va = a.filter((x) => inChunk.has(x.rep)).map((x) => x.value)
    const vb = b.filter((x) => inChunk.has(x.rep)).map((x) => x.value)
    if (va.length < 2 || vb.length < 2) continue
    const r = compareSamples({
      arm: 'A′',
      baseline: 'A',
      values: vb,
      baselineValues: va,
      direction: 'lower',
      unit: '',
      delta: o.delta,
      seed: o.seed + c,
      resamples: 1000,
    })
    if (decisive(r.verdict)) hits++
  }
  return [hits, chunks]
}

export function calibrationFromResults(results: Results, host: HostRecord, o: CalibrateOptions): Calibration {
  const groups = groupSamples(results.samples)
  const byKey = new Map(groups.map((g) => [g.key, g]))
  const entries: CalibrationEntry[] = []
  const figureKeys = new Map<CalibrationEntry, string>()
  let decisiveAll = 0
  let testsAll = 0
  for (const g of groups) {
    if (isTwin(g.arm)) continue
    const compared = getMetric(g.metric)?.comparedFigures
    if (compared && !compared.includes(g.figure)) continue
    const twin = byKey.get(`${g.figureKey}@${twinName(g.arm)}`)
    if (!twin || g.values.length < 2 || twin.values.length < 2) continue
    const seed = seedFrom(o.seed, g.key)
    const whole = compareSamples({
      arm: twin.arm,
      baseline: g.arm,
      values: twin.values,
      baselineValues: g.values,
      direction: g.direction,
      unit: g.unit,
      delta: o.delta,
      seed,
    })
    const [chunkHits, chunkCount] = chunkTests(byRep(g), byRep(twin), Math.max(runsForPermutationPower(o.alpha), 4), {delta: o.delta, alpha: o.alpha, seed})
    const n = Math.min(g.values.length, twin.values.length)
    const floor = noiseFloor([...g.values, ...twin.values], {n, alpha: o.alpha, power: o.power, seed, trials: o.trials})
    const tests = 1 + chunkCount
    const hits = (decisive(whole.verdict) ? 1 : 0) + chunkHits
    decisiveAll += hits
    testsAll += tests
    const ratio = whole.basis === 'ratio'
    const entry: CalibrationEntry = {
      metric: g.metric,
      figure: g.figure,
      workload: g.workload,
      params: g.params,
      arm: g.arm,
      unit: g.unit,
      scale: floor.scale,
      n,
      median: [...g.values, ...twin.values].sort((x, y) => x - y)[Math.floor((g.values.length + twin.values.length) / 2)]!,
      floor: floor.floor,
      sigma: floor.sigma,
      aa: {
        verdict: whole.verdict,
        estimate: ratio ? whole.ratio : (whole.difference ?? Number.NaN),
        ci: ratio ? whole.ci : (whole.differenceCi ?? [Number.NaN, Number.NaN]),
      },
      tests,
      decisive: hits,
      simulatedFpr: floor.simulatedFpr,
    }
    entries.push(entry)
    figureKeys.set(entry, g.figureKey)
  }
  // A stable table: figures in the order the run measured them, arms in the order they were asked for
  // (the samples' order follows the randomized blocks, so it differs between runs).
  const figureOrder = [...new Set(groups.map((g) => g.figureKey))]
  const armOrder = results.arms.map((a) => a.name)
  const at = (list: string[], x: string) => (list.includes(x) ? list.indexOf(x) : list.length)
  entries.sort((a, b) => at(figureOrder, figureKeys.get(a)!) - at(figureOrder, figureKeys.get(b)!) || at(armOrder, a.arm) - at(armOrder, b.arm))
  return {
    hostKey: hostKey(host),
    host: hostSummary(host),
    createdAt: new Date().toISOString(),
    runId: results.runId,
    alpha: o.alpha,
    power: o.power,
    delta: o.delta,
    falsePositives: {decisive: decisiveAll, tests: testsAll, rate: testsAll ? decisiveAll / testsAll : Number.NaN, ci: wilson(decisiveAll, testsAll)},
    entries,
  }
}
