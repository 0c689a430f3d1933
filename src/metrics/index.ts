/**
 * The metric registry: scenario metric names → implementations, in the order every report and
 * summary lists them. Adding a metric is one folder (src/metrics/<name>/) and one line here; the
 * scenario and paper schemas take their metric enum from METRIC_NAMES.
 */
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

/** A metric's place in the registry order; metrics the registry does not know come after. */
export function metricRank(name: string): number {
  const i = METRIC_NAMES.indexOf(name as MetricName)
  return i < 0 ? METRIC_NAMES.length : i
}
