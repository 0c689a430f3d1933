/**
 * The scenario file: what to measure. Arms say how; the engine expands scenario × arms into a plan.
 * Unknown keys are errors (typos must not silently change what is measured).
 */
import {z} from 'zod'
import {catalog, workloadNames} from '../workloads/catalog.js'
import {METRIC_NAMES} from '../metrics/index.js'
import {NETWORK_MODES} from '../core/arm.js'

const scalar = z.union([z.string(), z.number(), z.boolean()])

export const limitsSchema = z.strictObject({
  cpus: z.number().positive().optional(),
  memoryMiB: z.number().int().positive().optional(),
  pids: z.number().int().positive().optional(),
  cpuset: z
    .string()
    .regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'a cpuset like "0" or "0-1"')
    .optional(),
})

const workloadName = z.string().refine((name) => catalog.has(name), {
  error: (issue) => `unknown workload "${String(issue.input)}"; expected one of ${workloadNames().join(', ')}`,
})

export const metricEntrySchema = z.strictObject({
  metric: z.enum(METRIC_NAMES),
  workload: workloadName.optional(),
  /** Parameters; a list expands into one cell per value (cartesian product across keys). */
  params: z.record(z.string(), z.union([scalar, z.array(scalar).min(1)])).optional(),
  arms: z.array(z.string().min(1)).min(1).optional(),
  reps: z.number().int().min(1).optional(),
  warmup: z.number().int().min(0).optional(),
  limits: limitsSchema.optional(),
})

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Arms to run; default: the config's arms. Unavailable arms are skipped with a warning. */
  arms: z.array(z.string().min(1)).min(1).optional(),
  reps: z.number().int().min(1).optional(),
  warmup: z.number().int().min(0).optional(),
  /** Wall-clock budget in seconds; default: the config's. */
  budgetSeconds: z.number().positive().optional(),
  readyTimeoutSeconds: z.number().positive().optional(),
  limits: limitsSchema.default({cpus: 1, memoryMiB: 256}),
  network: z.enum(NETWORK_MODES).default('none'),
  metrics: z.array(metricEntrySchema).min(1),
  /** Paper claims evaluated on this scenario's results (scenarios/papers/). */
  claims: z.array(z.unknown()).optional(),
  /** Overrides applied by `--quick` (fewer reps, shorter workloads). */
  quick: z.record(z.string(), z.unknown()).optional(),
})

export type Scenario = z.output<typeof scenarioSchema>
export type MetricEntry = z.output<typeof metricEntrySchema>
