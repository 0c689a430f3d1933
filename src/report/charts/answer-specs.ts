/**
 * The charts that answer first: a metric's headline (every arm on one axis, its median with the 95%
 * CI, the reference arm marked, each arm's ratio to it as text beside the axis), and the startup
 * phases as each arm's share of its own time to ready (a 14 ms and a 5000 ms start side by side).
 */
import type {TopLevelSpec} from 'vega-lite'
import type {Direction} from '../../core/results.js'
import {betterText} from './format.js'
import {top, WIDTH, wideRange, type PhaseBar} from './specs.js'

export interface AnswerRow {
  arm: string
  /** 'co-located' / 'solo' for a metric compared within each arm; else the arm's one point. */
  series: string
  value: number
  lo: number
  hi: number
  /** The reference arm (or the solo run): drawn as a hollow diamond on a dashed line. */
  reference: boolean
  /** 'expected' | 'finding' | 'inconclusive' | 'reference': the point's colour. */
  reading: string
  /** "0.343× [0.325–0.354]": the ratio to the reference with its CI, printed beside the axis. */
  ratio: string
}

const READINGS = {
  domain: ['reference', 'expected', 'finding', 'inconclusive'],
  range: ['#111111', '#4c78a8', '#d62728', '#ff7f0e'],
}

/** One metric's answer: medians with CI whiskers on one axis (log when the arms span more than 20×), ratios in a text column. */
export function answerSpec(o: {
  title: string
  subtitle: string
  unit: string
  direction: Direction
  arms: string[]
  rows: AnswerRow[]
  against: string
}): TopLevelSpec {
  const log = wideRange(o.rows.flatMap((r) => [r.value, r.lo, r.hi]))
  const x = {field: 'value', type: 'quantitative', title: `${o.unit}${log ? ' (log scale)' : ''}`, scale: log ? {type: 'log'} : {type: 'linear', zero: false}}
  const y = {field: 'arm', type: 'nominal', title: null, sort: o.arms, axis: {labelLimit: 200, labelFontWeight: 'bold'}}
  const color = {field: 'reading', type: 'nominal', title: 'reading', scale: READINGS, legend: null}
  const refValues = o.rows.filter((r) => r.reference && r.series === '').map((r) => ({ref: r.value}))
  const tooltip = [{field: 'arm'}, {field: 'series'}, {field: 'value', title: o.unit, format: '.4~g'}, {field: 'ratio', title: `vs ${o.against}`}]
  const chart = {
    width: WIDTH,
    height: {step: 30},
    layer: [
      ...(refValues.length === 1
        ? [{data: {values: refValues}, mark: {type: 'rule', strokeDash: [4, 3], color: '#555'}, encoding: {x: {field: 'ref', type: 'quantitative'}}}]
        : []),
      {mark: {type: 'rule', strokeWidth: 2}, encoding: {y, x: {...x, field: 'lo'}, x2: {field: 'hi'}, color}},
      // The arms: filled dots coloured by their reading …
      {transform: [{filter: '!datum.reference'}], mark: {type: 'point', shape: 'circle', size: 90, filled: true}, encoding: {y, x, color, tooltip}},
      // … the reference (or each arm's solo run): a hollow black diamond.
      {
        transform: [{filter: 'datum.reference'}],
        mark: {type: 'point', shape: 'diamond', size: 140, filled: false, strokeWidth: 2, color: '#111'},
        encoding: {y, x, tooltip},
      },
    ],
  }
  const ratios = {
    width: 170,
    height: {step: 30},
    transform: [{filter: '!datum.reference'}],
    mark: {type: 'text', align: 'left', fontSize: 11},
    encoding: {y: {...y, axis: null}, text: {field: 'ratio'}, color: {...color, scale: READINGS}},
  }
  const key = 'dot = median, bar = its 95% CI, ◇ = reference; blue: as isolation predicts, red: not, orange: inconclusive'
  return top(o.title, [o.subtitle, `${o.unit} · ${betterText(o.direction)} · ${key}`], {
    data: {values: o.rows.map((r) => ({...r, lo: Math.min(r.lo, r.value), hi: Math.max(r.hi, r.value)}))},
    hconcat: [chart, {...ratios, title: {text: `vs ${o.against}`, fontSize: 11}}],
    resolve: {scale: {y: 'shared', color: 'shared'}},
  })
}

/**
 * Startup phases as shares of each arm's own time to ready (100% each), so arms 300× apart read
 * alike; each arm's label carries its total. `bars` are the waterfall's (phaseBars): start/end in ms.
 */
export function phaseShareSpec(o: {title: string; bars: PhaseBar[]; arms: string[]}): TopLevelSpec {
  const totals = new Map<string, number>()
  for (const b of o.bars) totals.set(b.arm, Math.max(totals.get(b.arm) ?? 0, b.end))
  const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2))
  const label = (arm: string) => `${arm} · ${fmt(totals.get(arm) ?? 0)} ms`
  const order = new Map<string, number>()
  for (const b of o.bars) order.set(b.phase, Math.min(order.get(b.phase) ?? Number.POSITIVE_INFINITY, b.order))
  const phases = [...order].sort((a, b) => a[1] - b[1]).map(([p]) => p)
  const values = o.bars.map((b) => {
    const total = totals.get(b.arm) || 1
    return {arm: label(b.arm), phase: b.phase, from: b.start / total, to: b.end / total, ms: b.end - b.start, order: b.order}
  })
  const arms = o.arms.filter((a) => totals.has(a)).map(label)
  return top(o.title, "each arm's phases as shares of its own start() → ready (median phase marks); the label gives that total · lower is better ↓", {
    width: WIDTH - 60,
    height: {step: 26},
    data: {values},
    mark: {type: 'bar', height: 18},
    encoding: {
      y: {field: 'arm', type: 'nominal', title: null, sort: arms, axis: {labelLimit: 260}},
      x: {field: 'from', type: 'quantitative', title: 'share of the time to ready', axis: {format: '%'}, scale: {domain: [0, 1]}},
      x2: {field: 'to'},
      color: {field: 'phase', type: 'nominal', title: 'phase', sort: phases},
      order: {field: 'order', type: 'quantitative'},
      tooltip: [{field: 'arm'}, {field: 'phase'}, {field: 'ms', title: 'ms in this phase', format: '.2f'}, {field: 'to', title: 'reached at', format: '.0%'}],
    },
  })
}
