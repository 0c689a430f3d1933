/** The metric registry: scenario metric names → implementations. */
import {cpu} from './cpu/metric.js'
import {interference} from './interference/metric.js'
import {memory} from './memory/metric.js'
import type {Metric} from './metric.js'
import type {MetricName} from './names.js'
import {scaleout} from './scaleout/metric.js'
import {startup} from './startup/metric.js'

export const metrics: Record<MetricName, Metric> = {
  startup,
  scaleout,
  memory,
  cpu,
  interference,
}

export function getMetric(name: string): Metric | undefined {
  return Object.hasOwn(metrics, name) ? metrics[name as MetricName] : undefined
}
