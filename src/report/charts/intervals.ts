/** Interval charts: an estimate with its 95% CI per row (ratios to a reference arm, marginal-cost slopes), against a reference line. */
import type {TopLevelSpec} from 'vega-lite'
import type {Comparison, Regression} from '../../core/results.js'
import {top, WIDTH} from './specs.js'

export interface IntervalRow {
  label: string
  value: number
  lo: number | null
  hi: number | null
  verdict: string
  text: string
  /** The arm's label, for charts coloured by arm. */
  arm?: string
}

const VERDICT_COLORS = {
  domain: ['better', 'worse', 'equivalent', 'inconclusive', 'improvement', 'regression'],
  range: ['#2ca02c', '#d62728', '#7f7f7f', '#ff7f0e', '#2ca02c', '#d62728'],
}

/** Point estimates with CI whiskers against a reference line (ratio 1, or slope 0). */
export function intervalSpec(o: {
  title: string
  subtitle: string | string[]
  xTitle: string
  rows: IntervalRow[]
  reference?: number
  log?: boolean
  domain?: [number, number]
  /**
   * Colour by arm (these labels, in order) instead of by verdict: for estimates that carry no
   * verdict (a marginal-cost slope is a size, not a comparison), a verdict colour would be a claim.
   */
  byArm?: string[]
}): TopLevelSpec {
  const present = new Set(o.rows.map((r) => r.verdict))
  const keep = VERDICT_COLORS.domain.map((d, i) => [d, VERDICT_COLORS.range[i]!] as const).filter(([d]) => present.has(d))
  const colors = {domain: keep.map(([d]) => d), range: keep.map(([, c]) => c)}
  const color = o.byArm
    ? {field: 'arm', type: 'nominal', title: 'arm', sort: o.byArm, scale: {domain: o.byArm.filter((a) => o.rows.some((r) => r.arm === a))}}
    : {field: 'verdict', type: 'nominal', scale: colors, title: 'verdict'}
  // A log axis only when every point and bound is positive (a ratio CI of a figure that can go negative cannot be drawn on one).
  const log = o.log === true && o.rows.every((r) => r.value > 0 && (r.lo ?? 1) > 0 && (r.hi ?? 1) > 0)
  // With a domain, whiskers that reach beyond it are clamped to the edge (they say "at least this far").
  const bounds = o.domain && (!log || o.domain[0] > 0) ? {domain: o.domain, clamp: true} : {}
  const x = {
    field: 'value',
    type: 'quantitative',
    title: `${o.xTitle}${log ? ' (log scale)' : ''}${o.domain ? ' (wide CIs clipped at the edge)' : ''}`,
    scale: log ? {type: 'log', ...bounds} : {type: 'linear', zero: false, ...bounds},
  }
  const y = {field: 'label', type: 'nominal', title: null, sort: null, axis: {labelLimit: 340}}
  const layers: unknown[] = [
    {
      mark: {type: 'rule', strokeWidth: 2},
      encoding: {y, x: {...x, field: 'lo'}, x2: {field: 'hi'}, color},
    },
    {
      mark: {type: 'point', filled: true, size: 60},
      encoding: {y, x, color, tooltip: [{field: 'text', title: o.byArm ? 'estimate' : 'comparison'}]},
    },
  ]
  if (o.reference !== undefined)
    layers.unshift({
      data: {values: [{ref: o.reference}]},
      mark: {type: 'rule', strokeDash: [4, 3], color: '#999'},
      encoding: {x: {field: 'ref', type: 'quantitative'}},
    })
  return top(o.title, o.subtitle, {
    width: WIDTH,
    height: {step: 30},
    data: {values: o.rows.map((r) => ({...r, lo: r.lo ?? r.value, hi: r.hi ?? r.value}))},
    layer: layers,
  })
}

export function ratioRows(comparisons: readonly Comparison[], label: (c: Comparison) => string): IntervalRow[] {
  return comparisons
    .filter((c) => typeof c.ratio === 'number' && Number.isFinite(c.ratio))
    .map((c) => ({
      label: label(c),
      value: c.ratio,
      lo: Number.isFinite(c.ci?.[0]) ? c.ci[0] : null,
      hi: Number.isFinite(c.ci?.[1]) ? c.ci[1] : null,
      verdict: c.verdict,
      text: c.text,
    }))
}

/** Slopes with their CIs; `arm` labels the arm (charts of slopes are coloured by arm: a slope has no verdict). */
export function slopeRows(regressions: readonly Regression[], label: (r: Regression) => string, arm: (name: string) => string = (a) => a): IntervalRow[] {
  return regressions.map((r) => {
    const ok = Number.isFinite(r.ci?.[0]) && Number.isFinite(r.ci?.[1])
    return {
      label: label(r),
      value: r.slope,
      lo: ok ? r.ci[0] : null,
      hi: ok ? r.ci[1] : null,
      verdict: ok ? 'estimate' : 'no CI',
      text: r.text,
      arm: arm(r.arm),
    }
  })
}
