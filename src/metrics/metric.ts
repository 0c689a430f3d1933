/**
 * A metric measures one thing on any arm, through the Arm interface only. The engine calls
 * `measure()` once per repetition of a cell and records what it returns as samples.
 */
import type {Arm, InstanceSpec, WorkloadSpec} from '../core/arm.js'
import type {Logger} from '../core/log.js'
import type {Direction, Sample} from '../core/results.js'
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
  description: string
  /** Workload used when a scenario entry names none. */
  defaultWorkload: string
  /** Parameters a scenario entry may set, with defaults (validated by the scenario loader). */
  defaults?: Record<string, string | number | boolean>
  /**
   * Figures compared between arms and watched by --precision (default: all). Redundant figures
   * (totals = n × per-instance) and auxiliary ones (host_delta, failure counts) are left out; they
   * stay in the samples and summaries.
   */
  comparedFigures?: string[]
  measure(ctx: MeasureContext): Promise<SampleDraft[]>
}
