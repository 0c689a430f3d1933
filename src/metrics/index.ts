/** The metric registry: scenario metric names → implementations. */
import {cpu} from './cpu.js'
import {interference} from './interference.js'
import {memory} from './memory.js'
import type {Metric} from './metric.js'
import type {MetricName} from './names.js'
import {scaleout} from './scaleout.js'
import {startup} from './startup.js'

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
