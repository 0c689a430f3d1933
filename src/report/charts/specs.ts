/**
 * vega-lite specs, one builder per chart kind. Data is always inlined (`data.values`, never a URL);
 * every chart's subtitle names the unit and which direction is better. Field names are fixed
 * identifiers chosen here; user text (arm names, workloads, params) only ever appears as data.
 */
import type {TopLevelSpec} from 'vega-lite'
import type {Direction} from '../../core/results.js'
import {betterText} from './format.js'

export const WIDTH = 560

/** The charts' font stack (vega-lite config.font); report/svg.ts estimates text widths for it. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif'

const CONFIG = {
  font: FONT,
  view: {stroke: null},
  axis: {labelFontSize: 11, titleFontSize: 11, labelLimit: 260},
  legend: {labelFontSize: 11, titleFontSize: 11, labelLimit: 260},
  title: {fontSize: 13, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' as const},
}

/** A top-level spec with the shared title, config and background. */
export function top(title: string, subtitle: string | string[], body: Record<string, unknown>): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {text: title, subtitle},
    config: CONFIG,
    background: 'white',
    ...body,
  } as TopLevelSpec
}

/** A log scale when positive values span more than 20× (a TCG VM next to a bare process). */
export function wideRange(values: readonly number[]): boolean {
  const pos = values.filter((v) => v > 0)
  return pos.length === values.length && pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 20
}

export interface Point {
  arm: string
  value: number
  outlier: boolean
  rep: number
  /** Deterministic jitter in [−1, 1] so dots do not overlap. */
  jitter: number
}

/** Box plot (quartiles, 1.5 IQR whiskers) with every sample as a dot; outliers in red. */
export function distributionSpec(o: {title: string; unit: string; direction: Direction; points: Point[]; arms: string[]}): TopLevelSpec {
  const log = wideRange(o.points.map((p) => p.value))
  const x = {field: 'value', type: 'quantitative', title: `${o.unit}${log ? ' (log scale)' : ''}`, scale: log ? {type: 'log'} : {type: 'linear', zero: false}}
  const y = {field: 'arm', type: 'nominal', title: null, sort: o.arms}
  return top(o.title, `${o.unit} · ${betterText(o.direction)} · box = quartiles, whiskers = 1.5 IQR, dots = samples (red = outlier, kept)`, {
    width: WIDTH,
    height: {step: 34},
    data: {values: o.points},
    layer: [
      {mark: {type: 'boxplot', extent: 1.5, outliers: false, opacity: 0.35, size: 22}, encoding: {x, y, color: {value: '#4c78a8'}}},
      {
        mark: {type: 'point', filled: true, size: 22, opacity: 0.8},
        encoding: {
          x,
          y,
          yOffset: {field: 'jitter', type: 'quantitative', scale: {domain: [-3, 3]}},
          color: {condition: {test: 'datum.outlier', value: '#d62728'}, value: '#222'},
          tooltip: [{field: 'arm'}, {field: 'rep', title: 'rep'}, {field: 'value', title: o.unit, format: '.3~f'}],
        },
      },
    ],
  })
}

export interface PhaseBar {
  arm: string
  phase: string
  start: number
  end: number
  order: number
}

export interface CurvePoint {
  arm: string
  series: string
  x: number
  value: number
}

/** A figure over a numeric parameter (instances N): dots per sample, a line through the medians. */
export function curveSpec(o: {title: string; unit: string; direction: Direction; xTitle: string; points: CurvePoint[]; arms: string[]}): TopLevelSpec {
  const xs = [...new Set(o.points.map((p) => p.x))]
  const logX = xs.length > 2 && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 8
  const x = {field: 'x', type: 'quantitative', title: o.xTitle, scale: logX ? {type: 'log', base: 2} : {type: 'linear'}, axis: {values: xs}}
  const color = {field: 'arm', type: 'nominal', title: 'arm', sort: o.arms}
  const logY = wideRange(o.points.map((p) => p.value))
  const yScale = logY ? {type: 'log'} : {type: 'linear', zero: true}
  const yTitle = `${o.unit}${logY ? ' (log scale)' : ''}`
  return top(o.title, `${o.unit} · ${betterText(o.direction)} · line = median, dots = samples`, {
    width: WIDTH,
    height: 240,
    data: {values: o.points},
    layer: [
      {
        mark: {type: 'point', opacity: 0.5, size: 18},
        encoding: {
          x,
          y: {field: 'value', type: 'quantitative', title: yTitle, scale: yScale},
          color,
          shape: {field: 'series', type: 'nominal', title: 'series'},
        },
      },
      {
        mark: {type: 'line', point: true},
        encoding: {
          x,
          y: {aggregate: 'median', field: 'value', type: 'quantitative', title: yTitle, scale: yScale},
          color,
          strokeDash: {field: 'series', type: 'nominal', title: 'series'},
          tooltip: [
            {field: 'arm'},
            {field: 'series'},
            {field: 'x', title: o.xTitle},
            {aggregate: 'median', field: 'value', title: `median ${o.unit}`, format: '.3~f'},
          ],
        },
      },
    ],
  })
}

export interface HeatCell {
  arm: string
  victim: string
  aggressor: string
  degradation: number
  label: string
  verdict: string
}

/** Victim × aggressor → degradation % vs solo (one panel per arm), each cell labelled with its CI. */
export function heatmapSpec(o: {title: string; cells: HeatCell[]; arms: string[]}): TopLevelSpec {
  const max = Math.max(10, ...o.cells.map((c) => Math.abs(c.degradation)))
  return top(o.title, 'victim degradation vs its solo run, % [95% CI] · lower is better ↓ (0 = no interference)', {
    data: {values: o.cells},
    facet: {
      row: {field: 'arm', type: 'nominal', title: null, sort: o.arms, header: {labelAngle: 0, labelAlign: 'left', labelFontSize: 12, labelFontWeight: 'bold'}},
    },
    spec: {
      width: {step: 118},
      height: {step: 34},
      encoding: {
        x: {field: 'aggressor', type: 'nominal', title: 'aggressor', axis: {labelAngle: -20}},
        y: {field: 'victim', type: 'nominal', title: 'victim'},
      },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: {field: 'degradation', type: 'quantitative', title: 'degradation %', scale: {scheme: 'redblue', reverse: true, domain: [-max, max]}},
            tooltip: [{field: 'arm'}, {field: 'victim'}, {field: 'aggressor'}, {field: 'label', title: 'degradation [CI]'}, {field: 'verdict'}],
          },
        },
        {mark: {type: 'text', fontSize: 10}, encoding: {text: {field: 'label'}, color: {value: '#111'}}},
      ],
    },
    resolve: {scale: {color: 'shared'}},
  })
}

export interface DriftPoint {
  arm: string
  series: string
  order: number
  t: number
  value: number
}

/** Samples in the order they were taken: drift (warming caches, thermal, noisy neighbours) shows as a slope. */
export function driftSpec(o: {title: string; unit: string; direction: Direction; points: DriftPoint[]; arms: string[]}): TopLevelSpec {
  return top(o.title, `${o.unit} · ${betterText(o.direction)} · x = seconds since the run started; a trend means drift`, {
    width: WIDTH,
    height: 200,
    data: {values: o.points},
    mark: {type: 'line', point: {size: 16}, strokeWidth: 1, opacity: 0.8},
    encoding: {
      x: {field: 't', type: 'quantitative', title: 's since run start'},
      y: wideRange(o.points.map((p) => p.value))
        ? {field: 'value', type: 'quantitative', title: `${o.unit} (log scale)`, scale: {type: 'log'}}
        : {field: 'value', type: 'quantitative', title: o.unit, scale: {zero: false}},
      color: {field: 'arm', type: 'nominal', title: 'arm', sort: o.arms},
      detail: {field: 'series', type: 'nominal'},
      tooltip: [{field: 'arm'}, {field: 'series'}, {field: 'order', title: 'sample #'}, {field: 'value', title: o.unit, format: '.3~f'}],
    },
  })
}
