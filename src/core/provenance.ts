/**
 * The provenance record of a run: the host's preflight (facts and warnings, src/host/preflight.ts),
 * the same facts read inside each arm (src/engine/provenance/arm-facts.ts), and their differences,
 * judged material or not (src/engine/provenance/diff.ts).
 */

export type PreflightSeverity = 'warn' | 'info'

export interface PreflightWarning {
  code: string
  severity: PreflightSeverity
  message: string
  /** The command or setting that removes the skew. */
  fix: string
}

export interface TopConsumer {
  pid: number
  comm: string
  /** Share of one CPU over the sample, in %. */
  cpuPct: number
}

export interface PreflightRecord {
  /** When it was taken (ISO). */
  at: string
  /** key → value, one line each (`cpu.governor`, `mm.thp`, `vuln.spectre_v2`, …). */
  facts: Record<string, string>
  topConsumers: TopConsumer[]
  warnings: PreflightWarning[]
}

/** What a material difference makes incomparable: every figure, the CPU metrics, the figures a workload times itself, nothing. */
export type Affects = 'all' | 'cpu' | 'workload-timed' | 'none'

export interface FactDiff {
  key: string
  /** side → value ('host', an arm name, 'scenario', 'base' / 'new'). */
  values: Record<string, string>
  material: boolean
  affects: Affects
  why: string
}

export interface ArmProvenanceDiff {
  /** The arm, or '*' for the host. */
  arm: string
  against: string
  diffs: FactDiff[]
}

export interface ProvenanceRecord {
  preflight: PreflightRecord
  /** arm → its normalized facts from inside, or why there are none. */
  arms: Record<string, {facts: Record<string, string>; error?: string}>
  diffs: ArmProvenanceDiff[]
}
