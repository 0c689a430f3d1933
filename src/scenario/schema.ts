/**
 * The scenario file: what to measure. Arms say how; the engine expands scenario × arms into a plan.
 * Unknown keys are errors (typos must not silently change what is measured).
 */
import {z} from 'zod'
import {boundedNumber} from '../core/bounds.js'
import {cpusetSchema} from '../core/cpuset.js'
import {METRIC_NAMES} from '../metrics/index.js'
import {NETWORK_MODES} from '../core/arm.js'

const scalar = z.union([z.string(), z.number(), z.boolean()])

/** Instance limits; bounds from core/bounds.ts. Whether the host has the CPUs is checked at plan time (engine). */
export const limitsSchema = z.strictObject({
  cpus: boundedNumber('cpus').optional(),
  memoryMiB: boundedNumber('memoryMiB').optional(),
  pids: boundedNumber('pids').optional(),
  cpuset: cpusetSchema.optional(),
})

/** Fields a scenario once accepted and ignored: refused with where they belong. */
const notInAScenario = (why: string) =>
  z
    .unknown()
    .refine(() => false, {error: why})
    .optional()

/**
 * A workload: a name (built-in or plugin), a workload file relative to the scenario (`./web.yaml`), or
 * a workload document inline. Names and files are resolved, and inline documents validated against the
 * workload file schema, by src/scenario/workloads.ts, with errors at their line in this file.
 */
const workloadRef = z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
  error: 'expected a workload name, a workload file (./web.yaml) or a workload document (name, command, image, …)',
})

export const metricEntrySchema = z.strictObject({
  metric: z.enum(METRIC_NAMES),
  workload: workloadRef.optional(),
  /** Parameters; a list expands into one cell per value (cartesian product across keys). */
  params: z.record(z.string(), z.union([scalar, z.array(scalar).min(1)])).optional(),
  arms: z.array(z.string().min(1).max(100)).min(1).max(64).optional(),
  reps: boundedNumber('reps').optional(),
  warmup: boundedNumber('warmup').optional(),
  limits: limitsSchema.optional(),
})

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  /** Arms to run; default: the config's arms. Unavailable arms are skipped with a warning. */
  arms: z.array(z.string().min(1).max(100)).min(1).max(64).optional(),
  reps: boundedNumber('reps').optional(),
  warmup: boundedNumber('warmup').optional(),
  /** Wall-clock budget in seconds; default: the config's. */
  budgetSeconds: boundedNumber('budgetSeconds').optional(),
  readyTimeoutSeconds: boundedNumber('readyTimeoutSeconds').optional(),
  limits: limitsSchema.default({cpus: 1, memoryMiB: 256}),
  network: z.enum(NETWORK_MODES).default('none'),
  metrics: z.array(metricEntrySchema).min(1).max(1000),
  // Claims belong to paper files, whose schema checks them (papers/schema.ts).
  claims: notInAScenario('paper claims belong in a paper file (scenarios/papers/*.yaml, run by `isobench reproduce`), not in a scenario'),
  /** Fewer repetitions for a quick pass (the shipped scenarios declare them); checked like reps and warmup. */
  quick: z.strictObject({reps: boundedNumber('reps').optional(), warmup: boundedNumber('warmup').optional()}).optional(),
})

export type Scenario = z.output<typeof scenarioSchema>
export type MetricEntry = z.output<typeof metricEntrySchema>
