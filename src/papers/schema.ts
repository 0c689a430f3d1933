/**
 * A paper file (scenarios/papers/<id>.yaml): the paper's citation, how its cells run (reps, limits,
 * the --quick overrides) and its claims as data. Each claim names the scenario cell it reads, the
 * arms it compares, the figure the paper reports, the range our estimate must fall in to count as
 * reproduced, and when it does not apply (needs KVM, not comparable under emulation).
 * Unknown keys are errors: a typo must not silently change what a claim checks.
 */
import {z} from 'zod'
import {limitsSchema} from '../scenario/schema.js'
import {METRIC_NAMES} from '../metrics/index.js'
import {NETWORK_MODES} from '../core/arm.js'

const scalar = z.union([z.string(), z.number(), z.boolean()])
const params = z.record(z.string(), scalar)

/** One side of a comparison: which arm, at which cell params, and which statistic of it. */
export const sideSchema = z.strictObject({
  arm: z.string().min(1),
  /** Params merged over the claim's cell params (e.g. {isolation: cpuset}). */
  params: params.optional(),
  /**
   * median: the median of the figure. degradation: median(co-located) / median(solo) of the
   * interference metric (how much the victim loses next to the aggressors), oriented so that
   * > 1 means worse whatever the figure's direction.
   */
  statistic: z.enum(['median', 'degradation']).default('median'),
})

/** The range the estimate must lie in: [atLeast, atMost], each widened by the relative tolerance. */
export const expectSchema = z
  .strictObject({
    atLeast: z.number().positive().optional(),
    atMost: z.number().positive().optional(),
    /** Relative slack on both bounds, e.g. 0.05: atLeast × 0.95, atMost × 1.05. */
    tolerance: z.number().min(0).max(1).default(0),
  })
  .refine((e) => e.atLeast !== undefined || e.atMost !== undefined, {error: 'expected atLeast and/or atMost'})
  .refine((e) => e.atLeast === undefined || e.atMost === undefined || e.atLeast <= e.atMost, {error: 'atLeast must not exceed atMost'})

export const claimSchema = z.strictObject({
  /** Short id, unique in the paper: addressed as <paper>:<id> on the command line. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  /** The claim in one sentence. */
  text: z.string().min(1),
  /** What the paper reports (its figure, with its setup), shown beside ours. */
  paperFigure: z.string().min(1),
  /** The scenario cell the claim reads. */
  cell: z.strictObject({
    metric: z.enum(METRIC_NAMES),
    /** A catalog workload; one that this build does not have makes the claim not applicable. */
    workload: z.string().min(1),
    /** The figure within the metric; default: the workload's first reported figure. */
    figure: z.string().min(1).optional(),
    params: params.optional(),
  }),
  /**
   * ratio: statistic(arm) / statistic(baseline), with a bootstrap 95% CI.
   * value: statistic(arm) in the figure's unit (scaled by `scale`), with a bootstrap 95% CI.
   */
  measure: z.enum(['ratio', 'value']).default('ratio'),
  arm: sideSchema,
  baseline: sideSchema.optional(),
  /** Multiply a value claim's figure, e.g. 1/1024 for KiB → MiB; its unit then is `unit`. */
  scale: z.number().positive().optional(),
  unit: z.string().optional(),
  expect: expectSchema,
  /** Needs a VM arm running with KVM: under TCG the claim is "not comparable (emulated)". */
  needsKvm: z.boolean().default(false),
  /**
   * Gating claims make `isobench reproduce` exit 1 when not reproduced. A claim about a system we do
   * not run (Firecracker's own VMM, LightVM) is evaluated with our nearest arm and reported only.
   */
  gate: z.boolean().default(true),
  /** Caveat printed with the verdict (e.g. "our VMM is QEMU microvm, not Firecracker"). */
  note: z.string().optional(),
})

export const paperSchema = z.strictObject({
  /** File name without .yaml; also the paper's id on the command line. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1),
  citation: z.string().min(1),
  description: z.string().optional(),
  reps: z.number().int().min(1).default(5),
  warmup: z.number().int().min(0).default(1),
  readyTimeoutSeconds: z.number().positive().optional(),
  limits: limitsSchema.default({cpus: 1, memoryMiB: 256}),
  network: z.enum(NETWORK_MODES).default('none'),
  /** Overrides applied by --quick: fewer repetitions, and params merged over each claim's cell params. */
  quick: z
    .strictObject({
      reps: z.number().int().min(1).optional(),
      warmup: z.number().int().min(0).optional(),
      params: params.optional(),
    })
    .optional(),
  claims: z.array(claimSchema).min(1),
})

export type Paper = z.output<typeof paperSchema>
export type Claim = z.output<typeof claimSchema>
export type ClaimSide = z.output<typeof sideSchema>
export type ClaimExpectation = z.output<typeof expectSchema>
