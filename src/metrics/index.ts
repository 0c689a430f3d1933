/**
 * The metric registry: scenario metric names → implementations, in the order every report and
 * summary lists them. Adding a metric is one folder (src/metrics/<name>/) and one line here; the
 * scenario and paper schemas take their metric enum from METRIC_NAMES.
 */
import {describeZodIssue, primaryIssue} from '../config/zod-errors.js'
import {cpu} from './cpu/metric.js'
import {interference} from './interference/metric.js'
import {memory} from './memory/metric.js'
import type {Metric} from './metric.js'
import {scaleout} from './scaleout/metric.js'
import {startup} from './startup/metric.js'

export const metrics = {startup, scaleout, memory, cpu, interference} satisfies Record<string, Metric>

export type MetricName = keyof typeof metrics

/** Metric names a scenario may use, in registry order. */
export const METRIC_NAMES = Object.keys(metrics) as [MetricName, ...MetricName[]]

export function getMetric(name: string): Metric | undefined {
  return Object.hasOwn(metrics, name) ? metrics[name as MetricName] : undefined
}

/**
 * Why a figure is only a diagnostic (its metric's FigureTemplate.diagnostic), or undefined for a
 * figure of the instances. Diagnostic figures are summarized but never compared, regressed, or
 * printed among the figures by default.
 */
export function diagnosticNote(metric: string, figure: string): string | undefined {
  return getMetric(metric)?.figures.own.find((f) => f.figure === figure)?.diagnostic
}

/** A metric's place in the registry order; metrics the registry does not know come after. */
export function metricRank(name: string): number {
  const i = METRIC_NAMES.indexOf(name as MetricName)
  return i < 0 ? METRIC_NAMES.length : i
}

/**
 * Why a metric does not accept `key: value` (an unknown param, or a value outside the param's
 * schema: its bounds or its choices), or null when it does. One check for scenarios and paper files.
 */
export function paramProblem(metricName: string, key: string, value: unknown): string | null {
  const metric = getMetric(metricName)
  const known = Object.keys(metric?.defaults ?? {})
  if (!known.includes(key)) return `unknown param "${key}" for metric ${metricName}; expected ${known.length ? `one of ${known.join(', ')}` : 'no params'}`
  const schema = metric?.paramSchema?.[key]
  if (!schema) return null
  const r = schema.safeParse(value, {reportInput: true})
  if (r.success) return null
  return describeZodIssue(primaryIssue(r.error.issues)).expected
}

/**
 * The params worth naming in a label: a metric fills every param it has a default for into each
 * sample (timeoutMs=120000, settleMs=500), which tells a reader nothing unless a cell changed it.
 * Given the params of every cell of one metric, returns the keys to show: those whose value differs
 * from the metric's default in at least one cell, or that the metric has no default for (n, placement).
 */
export function labelledParams(metric: string, cellParams: ReadonlyArray<Record<string, string | number | boolean>>): Set<string> {
  const defaults = getMetric(metric)?.defaults ?? {}
  const keys = new Set<string>()
  for (const params of cellParams)
    for (const [k, v] of Object.entries(params)) if (!Object.hasOwn(defaults, k) || defaults[k] !== v || cellParams.some((p) => p[k] !== v)) keys.add(k)
  return keys
}

/**
 * labelledParams per metric over a set of cells (summaries, groups): `keysOf(metric)` is
 * labelledParams(metric, the params of every cell of that metric), worked out on the first ask and kept.
 */
export function labelledParamsOf(cells: ReadonlyArray<{metric: string; params: Record<string, string | number | boolean>}>): (metric: string) => Set<string> {
  const keys = new Map<string, Set<string>>()
  return (metric) => {
    let k = keys.get(metric)
    if (!k) {
      k = labelledParams(
        metric,
        cells.filter((c) => c.metric === metric).map((c) => c.params),
      )
      keys.set(metric, k)
    }
    return k
  }
}

/** "n=2, mode=sequential": the params among `keys`, in the cell's order; '' when none. */
export function paramsLabel(params: Record<string, string | number | boolean>, keys: ReadonlySet<string>): string {
  return Object.entries(params)
    .filter(([k]) => keys.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}
