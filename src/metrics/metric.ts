/**
 * A metric measures one thing on any arm, through the Arm interface only. The engine calls
 * `measure()` once per repetition of a cell and records what it returns as samples. Everything else
 * the engine, the report and the paper claims need to know about a metric is declared here too, so
 * a metric is one folder (src/metrics/<name>/) plus its line in the registry (src/metrics/index.ts).
 */
import type {z} from 'zod'
import type {Arm, InstanceSpec, WorkloadSpec} from '../core/arm.js'
import type {SectionBuilder} from '../report/charts/kit.js'
import type {Logger} from '../core/log.js'
import type {ArmRecord, Direction, Sample} from '../core/results.js'
import type {WorkloadProfile} from '../workloads/profile.js'

/** One figure of one repetition. `value: null` with `error` for a failed sample (never made up). */
export interface SampleDraft {
  figure?: string
  value: number | null
  unit: string
  direction: Direction
  phases?: Record<string, number>
  error?: Sample['error']
  /** Extra cell parameters for this draft (e.g. {n: 4} for scale-out). */
  params?: Sample['params']
}

/** A figure a metric reports: its name, unit and direction, the sample drafts' template. */
export interface FigureTemplate {
  figure: string
  unit: string
  direction: Direction
  /**
   * Set for a diagnostic figure: why it is not a figure of the instance (e.g. a host-wide quantity
   * that other processes move). It is recorded and summarized (its summary carries this note), but
   * never compared, regressed or shown among the metric's figures by default.
   */
  diagnostic?: string
}

export interface MeasureContext {
  arm: Arm
  workload: WorkloadSpec
  profile: WorkloadProfile
  params: Record<string, string | number | boolean>
  /** A fresh InstanceSpec (unique id, the scenario's limits/network/deadline) for this rep. */
  instanceSpec(overrides?: Partial<InstanceSpec>): InstanceSpec
  /** Start, wait ready, and always stop: the building block most metrics use. */
  log: Logger
  warmup: boolean
  signal: AbortSignal
  /**
   * Another catalog workload by name (the interference metric's aggressors), resolved the same way
   * the engine resolves the cell's workload. Optional so older callers still type-check.
   */
  resolveWorkload?(name: string): {workload: WorkloadSpec; profile: WorkloadProfile}
}

export interface Metric {
  name: string
  /** Heading of the metric's report section, e.g. 'Scale-out'. */
  title: string
  /** The sentence under that heading: what is measured, and how (the one description of the metric). */
  note: string
  /** Workload used when a scenario entry names none; default DEFAULT_WORKLOAD (idle). */
  defaultWorkload?: string
  /** Parameters a scenario entry may set, with defaults (validated by the scenario loader). */
  defaults?: Record<string, string | number | boolean>
  /** One sentence per param of `defaults`: what it sets (docs/scenario-file.md's params table; a test requires each). */
  paramNotes?: Record<string, string>
  /**
   * What each param accepts (bounds from core/bounds.ts, enums): every value a scenario gives —
   * each element of a list — is checked against it before anything runs, the field named.
   */
  paramSchema?: Record<string, z.ZodType>
  /**
   * Figures compared between arms and watched by --precision (default: all but the diagnostic
   * ones). Redundant figures (totals = n × per-instance) and auxiliary ones (failure counts) are left
   * out; they stay in the samples and summaries.
   */
  comparedFigures?: string[]
  /**
   * The figures the metric reports itself (name, unit, which way is better: measure() reports them
   * from these templates); `fromWorkload`: it also reports the workload's own figures (its output
   * parser's, or its host load's), which a paper claim may then read.
   */
  figures: {own: FigureTemplate[]; fromWorkload?: boolean}
  /**
   * What the headline (the terminal summary, the report's first section and its verdicts) shows of
   * this metric: these figures, or '*' for every figure but `except`; `fallback` for a cell that has
   * none of them (idle CPU burn, when the workload reports no throughput); the regressions
   * (marginal-cost slopes) of these figures; and, where several cells qualify, which value of a
   * numeric param the headline prefers among those that ran on the most arms (memory per instance at
   * the smallest N, scale-out at the largest).
   */
  headline: {figures: string[] | '*'; except?: string[]; fallback?: string[]; regressions?: string[]; prefer?: Record<string, 'min' | 'max'>}
  /** The phases a sample's breakdown may name, in their usual order (the phase chart's legend order). */
  phases?: string[]
  /** Figures regressed over a numeric param `x`: the marginal cost of one more `per` (slope with its CI). */
  regressions?: Array<{figures: string[]; x: string; per: string}>
  /** Params whose values name catalog workloads: validated against the catalog and prepared before the run. */
  workloadParams?: string[]
  /**
   * Cells compared within one arm rather than across arms: the cell whose `param` is `value` against the
   * same cell with `against` (co-located vs solo), giving a degradation in % with its CI.
   */
  withinArm?: {param: string; value: string; against: string}
  /** The metric's section of the report: its charts. */
  charts: SectionBuilder
  /**
   * Caveats printed next to the metric's figures, for the arms that ran (e.g. the VM's PSS depends on
   * other VMs sharing its kernel image); none by default.
   */
  caveats?(arms: ReadonlyArray<Pick<ArmRecord, 'name' | 'kind'>>): string[]
  measure(ctx: MeasureContext): Promise<SampleDraft[]>
}
