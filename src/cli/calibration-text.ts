/** The calibration table and the --detect plan as terminal text. */
import type {Calibration, CalibrationEntry, DetectPlan} from '../core/calibration.js'
import {num, paramsText} from '../report/charts/format.js'
import {table} from './flags.js'

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`

/** "3.4%" (ratio scale) or "0.012 cores" (difference scale). */
export function floorText(e: Pick<CalibrationEntry, 'scale' | 'floor' | 'unit'>): string {
  return e.scale === 'ratio' ? pct(e.floor) : `${num(e.floor)} ${e.unit}`
}

export function calibrationTable(cal: Calibration): string {
  const rows = cal.entries.map((e) => [
    `${e.metric}.${e.figure}`,
    `${e.workload}${Object.keys(e.params).length ? ` [${paramsText(e.params)}]` : ''}`,
    e.arm,
    String(e.n),
    `${num(e.median)} ${e.unit}`,
    floorText(e),
    e.scale === 'ratio' ? `${(e.sigma * 100).toFixed(1)}%` : `${num(e.sigma)} ${e.unit}`,
    `${e.aa.verdict} ${e.scale === 'ratio' ? num(e.aa.estimate) : `Δ${num(e.aa.estimate)}`}`,
    `${e.decisive}/${e.tests}`,
  ])
  const fp = cal.falsePositives
  return [
    `A/A calibration of host ${cal.host.hostname} (${cal.host.cpu}, ${cal.host.cores} CPUs, kernel ${cal.host.kernel}; key ${cal.hostKey}), run ${cal.runId}`,
    table(
      ['figure', 'workload', 'arm', 'n', 'median', `noise floor (${(cal.power * 100).toFixed(0)}% power, n)`, 'σ/sample', 'A/A verdict', 'A/A "different"'],
      rows,
    ),
    `false-positive rate of the verdict rule here: ${fp.decisive} of ${fp.tests} A/A tests called different = ${Number.isFinite(fp.rate) ? pct(fp.rate) : '–'} [95% CI ${pct(fp.ci[0])}–${pct(fp.ci[1])}] (α = ${cal.alpha})`,
  ].join('\n')
}

export function detectText(plan: DetectPlan): string {
  const head = `--detect ${pct(plan.target)}: samples per cell (per arm) a ${pct(plan.target)} difference needs at 80% power`
  if (plan.rows.length === 0) return `${head}: ${plan.note ?? 'nothing calibrated'}`
  return [
    `${head}, from this host's calibration (${plan.calibration?.createdAt ?? '?'}, run ${plan.calibration?.runId ?? '?'}):`,
    table(
      ['figure', 'workload', 'arm', 'samples per cell', 'calibrated floor (n)'],
      plan.rows.map((r) => [
        `${r.metric}.${r.figure}`,
        r.workload,
        r.arm,
        Number.isFinite(r.samples) ? String(r.samples) : '∞',
        `${pct(r.floorAtCalibration)} (${r.n})`,
      ]),
    ),
  ].join('\n')
}
