/**
 * Charts of the calibration section: each calibrated figure's noise floor per arm (the smallest
 * change the verdict rule detects at 80% power with the A/A run's n), and a --detect plan's samples
 * per cell.
 */
import type {TopLevelSpec} from 'vega-lite'
import type {Calibration, DetectPlan} from '../../core/calibration.js'
import {top, WIDTH} from './specs.js'

/** Ratio-scale floors as bars, one per figure and arm; undefined when there are none. */
export function noiseFloorSpec(cal: Calibration, label: (arm: string) => string): TopLevelSpec | undefined {
  const values = cal.entries
    .filter((e) => e.scale === 'ratio' && Number.isFinite(e.floor))
    .map((e) => ({figure: `${e.metric}.${e.figure} · ${e.workload}`, arm: label(e.arm), floor: e.floor * 100, n: e.n, decisive: `${e.decisive}/${e.tests}`}))
  if (values.length === 0) return undefined
  return top(
    'noise floor per figure and arm (A/A)',
    [`smallest change the verdict rule detects in ${(cal.power * 100).toFixed(0)}% of simulated runs at the A/A n; lower is better`],
    figureArmBars(values, {field: 'floor', type: 'quantitative', title: 'noise floor (%)'}),
  )
}

/** A --detect plan as bars: samples per cell for each figure and arm. */
export function detectSpec(plan: DetectPlan, label: (arm: string) => string): TopLevelSpec | undefined {
  const values = plan.rows
    .filter((r) => Number.isFinite(r.samples))
    .map((r) => ({figure: `${r.metric}.${r.figure} · ${r.workload}`, arm: label(r.arm), samples: r.samples}))
  if (values.length === 0) return undefined
  return top(
    `samples per cell to detect ${(plan.target * 100).toFixed(1)}%`,
    ["per arm, at 80% power, from this host's calibrated noise; log scale"],
    figureArmBars(values, {field: 'samples', type: 'quantitative', title: 'samples per cell (log)', scale: {type: 'log'}}),
  )
}

/** Horizontal bars, one row per figure and a bar per arm within it, `x` the value's encoding. */
function figureArmBars(values: Array<Record<string, string | number>>, x: Record<string, unknown>) {
  return {
    width: WIDTH,
    height: {step: 14},
    data: {values},
    mark: {type: 'bar' as const, tooltip: true},
    encoding: {
      y: {field: 'figure', type: 'nominal' as const, title: null, sort: null},
      yOffset: {field: 'arm', type: 'nominal' as const},
      x,
      color: {field: 'arm', type: 'nominal' as const, title: 'arm'},
    },
  }
}
