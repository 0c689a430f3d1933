/** The metric registry: scenario metric names → implementations. */
import type {Metric} from './metric.js'
import type {MetricName} from './names.js'
import {startup} from './startup.js'

export const metrics: Partial<Record<MetricName, Metric>> = {
  startup,
}

export function getMetric(name: string): Metric | undefined {
  return metrics[name as MetricName]
}
