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
  cpus: boundedNumber('cpus').optional().describe('CPU quota in cores for a container (cgroup cpu.max / cfs quota); vCPUs for a VM'),
  memoryMiB: boundedNumber('memoryMiB').optional().describe('memory limit in MiB for a container; guest RAM for a VM'),
  pids: boundedNumber('pids').optional().describe('maximum number of processes in a container (pids cgroup)'),
  cpuset: cpusetSchema.optional().describe('host CPUs to pin to, e.g. "0" or "0-1" (cpuset cgroup; the qemu process for a VM)'),
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
  metric: z.enum(METRIC_NAMES).describe('what to measure (docs/scenario-file.md lists each metric with its params)'),
  workload: workloadRef
    .optional()
    .describe(
      "the workload: a name from `isobench workloads`, a workload file's path (relative to the scenario) or an inline workload document (docs/workload-file.md); default: the metric's own (idle)",
    ),
  params: z
    .record(z.string(), z.union([scalar, z.array(scalar).min(1)]))
    .optional()
    .describe("the metric's params (below); a list expands into one cell per value, the cartesian product across params"),
  arms: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(64)
    .optional()
    .describe("the arms this entry runs on, instead of the scenario's; `--arms` keeps only those of them it names"),
  reps: boundedNumber('reps').optional().describe("measured repetitions of each cell, instead of the scenario's"),
  warmup: boundedNumber('warmup').optional().describe("unmeasured repetitions run first, instead of the scenario's"),
  limits: limitsSchema.optional().describe("limits for this entry, merged over the scenario's"),
})

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).max(200).describe("the scenario's name (results and reports show it)"),
  description: z.string().max(4000).optional().describe('one paragraph on what it measures (`isobench scenarios` shows it)'),
  arms: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(64)
    .optional()
    .describe(
      "the arms to run (`isobench providers`); default: the config's arms, else every built-in arm. Arms that cannot run here are skipped with the reason",
    ),
  reps: boundedNumber('reps').optional().describe("measured repetitions of each cell; default: the config's (10)"),
  warmup: boundedNumber('warmup').optional().describe("unmeasured repetitions of each cell, run first; default: the config's (1)"),
  budgetSeconds: boundedNumber('budgetSeconds')
    .optional()
    .describe(
      "wall-clock budget of the run in seconds, from its start (preparing images and guest kernels spends it too): it stops adding samples when spent, and says so; default: the config's (1800)",
    ),
  readyTimeoutSeconds: boundedNumber('readyTimeoutSeconds')
    .optional()
    .describe("deadline for one instance to become ready, in seconds; default: the config's (60)"),
  limits: limitsSchema
    .default({cpus: 1, memoryMiB: 256})
    .describe('the limits every instance runs with: the same cgroup limits for containers, vCPUs and RAM for VMs'),
  network: z
    .enum(NETWORK_MODES)
    .default('none')
    .describe("the instances' network: none (loopback only), host, bridge (isobench0) or user (published ports on loopback); services get user"),
  metrics: z.array(metricEntrySchema).min(1).max(1000).describe('what to measure: one entry per metric and workload, expanded into cells'),
  // Claims belong to paper files, whose schema checks them (papers/schema.ts).
  claims: notInAScenario('paper claims belong in a paper file (scenarios/papers/*.yaml, run by `isobench reproduce`), not in a scenario').describe(
    'refused here: paper claims belong in a paper file (scenarios/papers/*.yaml, run by `isobench reproduce`)',
  ),
  quick: z
    .strictObject({
      reps: boundedNumber('reps').optional().describe('measured repetitions of each cell in a quick pass'),
      warmup: boundedNumber('warmup').optional().describe('unmeasured repetitions of each cell in a quick pass'),
    })
    .optional()
    .describe('fewer repetitions for a quick pass (`isobench reproduce --quick`; the shipped scenarios declare them)'),
})

export type Scenario = z.output<typeof scenarioSchema>
export type MetricEntry = z.output<typeof metricEntrySchema>
