/** Metric names a scenario may use (the implementations live in src/metrics/index.ts). */
export const METRIC_NAMES = ['startup', 'scaleout', 'memory', 'cpu', 'interference'] as const
export type MetricName = (typeof METRIC_NAMES)[number]
