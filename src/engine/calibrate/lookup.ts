/**
 * Using a host's calibration: the entry that fits a cell, the samples a change needs (`run
 * --detect`), the samples that would decide an inconclusive comparison, and the threshold `compare`
 * takes when none is given (the noise floor at the compared n).
 */
import type {Calibration, CalibrationEntry, DetectPlan} from '../../core/calibration.js'
import {detectableAt, samplesToDecide, samplesToDetect} from '../../stats/index.js'

type Params = Record<string, string | number | boolean>

const key = (p: Params) =>
  Object.keys(p)
    .sort()
    .map((k) => `${k}=${p[k]}`)
    .join(',')

/**
 * The calibration entry for a cell: the same metric, figure, workload, params and arm; else the same
 * without params; else the same metric, figure and arm on any workload. Undefined if none.
 */
export function findEntry(
  cal: Calibration | null | undefined,
  c: {metric: string; figure: string; workload: string; params: Params; arm: string},
): CalibrationEntry | undefined {
  if (!cal) return undefined
  const same = cal.entries.filter(
    (e) => e.metric === c.metric && e.figure === c.figure && e.arm === c.arm && typeof e.sigma === 'number' && Number.isFinite(e.sigma),
  )
  return same.find((e) => e.workload === c.workload && key(e.params) === key(c.params)) ?? same.find((e) => e.workload === c.workload) ?? same[0]
}

/** `run --detect d`: for every calibrated figure of the run's metrics, workloads and arms, the samples per cell a change d needs. */
export function detectPlan(cal: Calibration | null, target: number, run: {metrics: string[]; workloads: string[]; arms: string[]}): DetectPlan {
  if (!cal) return {target, rows: [], note: 'no calibration for this host in the state dir: run `isobench calibrate` first'}
  const rows = cal.entries
    .filter(
      (e) =>
        run.metrics.includes(e.metric) &&
        run.arms.includes(e.arm) &&
        (run.workloads.includes(e.workload) || !cal.entries.some((x) => x.metric === e.metric && run.workloads.includes(x.workload))),
    )
    .filter((e) => e.scale === 'ratio' && Number.isFinite(e.sigma))
    .map((e) => ({
      metric: e.metric,
      figure: e.figure,
      workload: e.workload,
      arm: e.arm,
      samples: samplesToDetect(target, e.sigma, e.sigma, {scale: 'ratio', alpha: cal.alpha, power: cal.power}),
      floorAtCalibration: e.floor,
      n: e.n,
      scale: e.scale,
    }))
  return {
    target,
    calibration: {hostKey: cal.hostKey, createdAt: cal.createdAt, runId: cal.runId},
    rows,
    ...(rows.length
      ? {}
      : {note: "the host's calibration has none of this run's metrics and arms: calibrate them with `isobench calibrate SCENARIO --arms …`"}),
  }
}

/** Samples per side that would decide a comparison from the calibrated noise of both arms; undefined without both entries. */
export function calibratedSamplesToDecide(
  cal: Calibration | null | undefined,
  c: {metric: string; figure: string; workload: string; params: Params; arm: string; baseline: string; ratio: number; difference?: number},
  delta: number,
): number | undefined {
  const a = findEntry(cal, c)
  const b = findEntry(cal, {...c, arm: c.baseline})
  if (!a || !b || !cal) return undefined
  if (a.scale === 'ratio' && b.scale === 'ratio' && Number.isFinite(c.ratio) && c.ratio > 0)
    return samplesToDecide(c.ratio, a.sigma, b.sigma, {delta, alpha: cal.alpha, power: cal.power})
  if (a.scale === 'difference' && b.scale === 'difference' && c.difference !== undefined)
    return samplesToDetect(c.difference, a.sigma, b.sigma, {scale: 'difference', alpha: cal.alpha, power: cal.power})
  return undefined
}

/** compare's threshold for a cell without --threshold: the calibrated noise floor of its arm at n samples per side (relative). */
export function calibratedThreshold(
  cal: Calibration | null | undefined,
  c: {metric: string; figure: string; workload: string; params: Params; arm: string},
  n: number,
): number | undefined {
  const e = findEntry(cal, c)
  if (!e || e.scale !== 'ratio' || !cal) return undefined
  return detectableAt(Math.max(n, 2), e.sigma, {scale: 'ratio', alpha: cal.alpha, power: cal.power})
}
