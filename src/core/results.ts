/**
 * results.json: the versioned record of one run. Every raw sample is kept; summaries and
 * comparisons are derived from samples and can be recomputed by `isobench report`.
 */
import type {Accel, ArmKind, Limits, PhaseMark} from './arm.js'
import type {ProvenanceRecord} from './provenance.js'
import type {Calibration, DetectPlan} from './calibration.js'
import type {ArmFigure} from './figure.js'

export const RESULTS_SCHEMA_VERSION = 1

/**
 * The figures of one foreground `container run --json` or `vm run --json`, the same fields for both,
 * on the host's monotonic clock in ms since the run's start call: when the instance was ready (for a
 * container the OCI runtime's --pid-file, written once create is done: the init exists in its
 * namespaces and cgroups and start follows, as runc's; for a VM the guest init's ready marker, printed
 * just before it runs the command), when its command exited, its exit code, and the phase marks.
 */
export interface RunFigures {
  readyMs: number | null
  exitMs: number | null
  /** The command's exit code (128 + n when killed by signal n); null while detached or when unknown. */
  exitCode: number | null
  /** Phase → ms since the start call (e.g. network, ready, exit; a VM's qmp, kernel, init, ready, exit). */
  phases: Record<string, number>
}

/** Which way is better for a figure. */
export type Direction = 'lower' | 'higher'

export interface Sample {
  metric: string // 'startup' | 'scaleout' | 'memory' | 'cpu' | 'interference' | …
  /** The figure within the metric, e.g. 'ready', 'pss', 'ops_per_s'; defaults to the metric. */
  figure?: string
  arm: string
  workload: string
  /** Cell parameters (e.g. {n: 4, mode: 'concurrent'}); part of the cell's identity. */
  params: Record<string, string | number | boolean>
  rep: number
  block: number
  warmup: boolean
  /** null when the sample failed; see `error`. */
  value: number | null
  unit: string
  direction?: Direction
  /** Phase breakdown on host monotonic ms relative to the start() call. */
  phases?: Record<string, number>
  /** ISO time the sample was taken (wall clock, for the record only). */
  ts: string
  /** Host monotonic ms since the run started (before its arms were prepared). */
  t: number
  ok: boolean
  error?: {code: string; message: string; lastOutput?: string; stderr?: string}
  /** Outlier flag (modified Z-score > 3.5), set when summaries are computed; never dropped. */
  outlier?: boolean
  /** What the instance and the host were doing during this repetition (attribution counters). */
  counters?: SampleCounters
}

/**
 * Attribution counters recorded next to a sample (src/host/counters/, names in counters/names.ts),
 * per instance (the mean over the repetition's instances).
 */
export interface SampleCounters {
  /**
   * 'window': the difference between the metric's first and last arm.sample() of the instance (the
   * cpu metric's window); 'lifetime': from the instance's start to just before its stop (startup,
   * scale-out, memory), host counters over the whole repetition.
   */
  mode: 'window' | 'lifetime'
  instances: number
  values: Record<string, number>
}

/** One counter on both sides of a comparison: medians, and their ratio (or difference) with a bootstrap 95% CI. */
export interface CounterEstimate {
  counter: string
  unit: string
  arm: number | null
  baseline: number | null
  /** Samples with this counter on each side. */
  n: number
  baselineN: number
  ratio?: number
  ci?: [number, number]
  /** When a median is 0 (no ratio): arm − baseline with its CI. */
  difference?: number
  differenceCi?: [number, number]
}

/** A comparison cell (metric, workload, params, arm vs baseline) split by its counters. */
export interface AttributionCell {
  metric: string
  workload: string
  params: Record<string, string | number | boolean>
  arm: string
  baseline: string
  mode: SampleCounters['mode']
  /** The comparisons of this cell (their one-sentence texts). */
  comparisons: string[]
  counters: CounterEstimate[]
  /** Memory parts per instance (median MiB PSS) on each side, where they were read. */
  memory?: {arm: Record<string, number>; baseline: Record<string, number>}
  /** One sentence: the headline difference and what moved with it. */
  summary: string
}

/** One SLO bound: `startup.p99<200ms` → figure startup.p99, op <, bound 200, unit ms. */
export interface SloBound {
  text: string
  /** 'startup.p50' | 'startup.p99' | 'victim.degradation' | 'memory.available' … */
  key: string
  op: '<' | '<='
  /** In the key's unit: ms for startup, % for degradation. */
  bound: number
  unit: string
}

/** One tested instance count of one arm: the SLO statistics with their CIs, and the verdict. */
export interface CapacityStep {
  n: number
  /** key → the statistic (e.g. p99 of per-instance ready times, degradation %) with its 95% CI. */
  values: Record<string, {value: number; ci: [number, number]}>
  /** Every SLO met (by its point estimate)? */
  meets: boolean
  /** Met with the whole CI inside the bound / failed with the whole CI outside it. */
  surelyMeets: boolean
  surelyFails: boolean
  /** The first SLO that failed, if any. */
  failed?: string
  /** Host MemAvailable after the instances were up, MiB. */
  memAvailableMiB?: number
  failures: number
  elapsedMs: number
}

export interface CapacityResult {
  arm: string
  accel: string
  /** The largest N that met every SLO (0: not even one instance). */
  n: number
  /** N's CI: the largest N met with its CIs inside the bounds, and the largest not failed with its CIs outside. */
  ci: [number, number]
  /** Why the search stopped: an SLO bound ('startup.p99<200ms'), host memory, or the instance cap. */
  boundBy: string
  steps: CapacityStep[]
  text: string
}

export interface CapacityRecord {
  slos: SloBound[]
  workload: string
  victim?: string
  maxInstances: number
  /** Host memory left unused, MiB: the search never starts more than MemAvailable minus this. */
  memoryReserveMiB: number
  results: CapacityResult[]
}

/** What the attribution counters could and could not see on this host, and the analysis per comparison. */
export interface AttributionRecord {
  /** Counters that are not available here, each with why (perf, PSI, KVM exits), one line each. */
  notes: string[]
  /** The perf events counted beside windows (empty when perf cannot count here). */
  perfEvents: string[]
  cells?: AttributionCell[]
}

export interface ArmRecord {
  name: string
  kind: ArmKind
  /** Its rung on the isolation ladder (core/isolation.ts); absent in older results: follows kind. */
  isolation?: string
  accel: Accel
  versions: Record<string, string>
  notes?: string[]
  available: boolean
  reason?: string
}

/** The parity of the arms: same rootfs, matched resources. */
export interface ParityRecord {
  workload: string
  rootfsDigest?: Record<string, string> // arm → digest
  /** Where every arm kept the rootfs (one rule for all arms: rootfsMedium). */
  rootfsMedium?: 'disk' | 'memory'
  limits: Record<string, Limits & {vcpus?: number; guestMemoryMiB?: number}>
  /** arm → its seccomp filter ("docker-default sha256:…", "unconfined"), for the arms that report one (info().versions.seccomp). */
  seccomp?: Record<string, string>
  /**
   * What every arm adds to the image's rootfs, outside its digest: the injected init (same binary in
   * every arm, with its own digest) and the per-instance files (/etc/hosts, /etc/hostname, /etc/resolv.conf).
   */
  injected?: Array<{path: string; what: string; digest?: string}>
  mismatches: string[]
}

/** A workload a run measured: where it came from, what it ran, and how readiness was decided. */
export interface WorkloadRecord {
  name: string
  version: number
  /** built-in, plugin, file, inline or command line, and where (`scenarios/workloads/cpu.yaml`, `web.yaml`, …). */
  origin: {kind: string; label: string}
  /** The image as the workload gave it (`containerfile …`, `ref …`, `archive …`, `recipe …`) and what it resolved to. */
  image: {source: string; manifestDigest: string; rootfsDigest: string}
  /** The command every arm ran (after the image's Entrypoint/Cmd and the workload's overrides). */
  argv: string[]
  /** The readiness rule, e.g. `marker`, `http GET :8080/health → 200`: for services, startup is this rule's first success. */
  ready: string
  readyKind: string
  /** Each figure and where it comes from: `regex …`, `key …` of a parser, `exit-time`. */
  figures: Array<{name: string; unit: string; source: string}>
  /** The host load generator's command, for services. */
  load?: string
}

/** Descriptive statistics of one set of values (src/stats/describe.ts computes them). */
export interface Description {
  n: number
  median: number
  mean: number
  /** Sample standard deviation (n − 1); 0 for one value. */
  sd: number
  /** Coefficient of variation sd/mean; NaN (null in JSON, printed –) when undefined: a value below 0 or a mean of 0. */
  cov: number
  /** Median absolute deviation, unscaled (multiply by 1.4826 for a normal-consistent σ). */
  mad: number
  min: number
  max: number
  p50: number
  p90: number
  p99: number
}

/** One (metric, figure, workload, params, arm) group of samples, described. */
export interface Summary extends Description, ArmFigure {
  direction: Direction
  failures: number
  outliers: number
  /** Set for a diagnostic figure (e.g. memory.host_delta): why it is no figure of the instances. Never compared or regressed; renderers leave it out of the figures by default. */
  diagnostic?: string
  /** 95% percentile-bootstrap CI of the median (seeded); null with fewer than 3 values. */
  medianCi?: [number, number] | null
}

export interface Comparison {
  metric: string
  figure: string
  workload: string
  params: Record<string, string | number | boolean>
  /** The arm compared … */
  arm: string
  /** … against this reference arm (usually 'process'). */
  baseline: string
  unit: string
  direction: Direction
  /** median(arm) / median(baseline) */
  ratio: number
  ci: [number, number]
  pValue: number
  verdict: 'better' | 'worse' | 'equivalent' | 'inconclusive'
  /** One sentence: "container faster than qemu by 85× [80–90×]". */
  text: string
  moreRunsNeeded?: number
  /** 'arm' (an arm against the reference arm or another arm) or 'interference' (co-located vs solo, same arm). */
  kind?: 'arm' | 'interference'
  /** For kind 'interference': the params of the solo baseline (the same cell with placement=solo). */
  baselineParams?: Record<string, string | number | boolean>
  /** Successful samples on each side. */
  n?: number
  baselineN?: number
  /** (ci[1] − ci[0]) / 2 / ratio: what --precision compares against. */
  relHalfWidth?: number
  /** For kind 'interference': victim degradation vs solo in % (positive = worse), with its 95% CI. */
  degradationPct?: number
  degradationCi?: [number, number]
  /**
   * 'difference' when the baseline's median is 0 (idle CPU, failure counts): no ratio exists, so
   * ratio and ci are null in JSON and difference/differenceCi (arm − baseline, in unit) carry it.
   */
  basis?: 'ratio' | 'difference'
  difference?: number
  differenceCi?: [number, number]
  /** Set when a material provenance difference makes the comparison not comparable: the reason (the verdict is kept, not judged). */
  notComparable?: string
}

/** A slope over a numeric cell parameter, e.g. marginal memory per extra instance (pss_total over n). */
export interface Regression {
  metric: string
  /** The figure regressed, e.g. 'pss_total'. */
  figure: string
  workload: string
  arm: string
  /** Cell params without the x parameter. */
  params: Record<string, string | number | boolean>
  /** The x parameter, e.g. 'n'. */
  x: string
  /** Unit of the slope: the figure's unit per unit of x (e.g. MiB per instance). */
  unit: string
  slope: number
  intercept: number
  ci: [number, number]
  r2: number
  points: number
  text: string
}

/** How adaptive sampling (--precision) went, per cell. */
export interface PrecisionRecord {
  /** Target relative CI half-width, e.g. 0.05. */
  target: number
  cells: Array<{cell: string; reached: boolean; reps: number; worstRelHalfWidth: number | null; stoppedBy: 'precision' | 'budget' | 'max-reps' | 'interrupted'}>
}

export interface Warning {
  code: string // 'outliers' | 'tcg' | 'failed-samples' | 'budget-exhausted' | 'interrupted' | …
  message: string
  arm?: string
  metric?: string
}

/** What the host itself runs on, from the kernel (src/host/virt.ts reads it). */
export interface VirtFacts {
  /** The hypervisor under this kernel ('kvm', 'xen', 'vmware', 'microsoft', 'amazon', …); 'unknown' when only cpuinfo's flag says there is one; null on bare metal. */
  hypervisor: string | null
  /** DMI's system vendor and product, when the firmware provides a DMI table (Firecracker's does not). */
  dmi?: {vendor?: string; product?: string}
  /** The container engine this host runs in, when really detected (see the module note); null otherwise. */
  container: string | null
  /** /dev/kvm, the KVM modules loaded (kvm_pvm: PVM, nested virtualization without hardware support) and their `nested` parameters. */
  kvm: {device: boolean; modules: string[]; nested: Record<string, string>}
  /** Each fact the conclusions rest on, one line each (also the facts that were discounted, and why). */
  evidence: string[]
}

export interface HostRecord {
  hostname: string
  os: string
  kernel: string
  cpu: {model: string; cores: number; physicalCores: number; mhz?: number; flags?: string}
  memoryBytes: number
  /** One line: "kvm guest · /dev/kvm by kvm_pvm (nested)"; absent on bare metal (virtSummary). */
  virtualization?: string
  /** The facts behind it, with their evidence. */
  virt?: VirtFacts
  cgroupMode: 'v1' | 'v2' | 'hybrid' | 'none'
  node: string
}

export interface Results {
  schemaVersion: number
  runId: string
  startedAt: string
  finishedAt?: string
  status: 'running' | 'complete' | 'interrupted' | 'failed'
  /**
   * Why the run stopped adding samples: all reps done, precision reached, budget spent, a signal
   * it handled (interrupted), or none it could handle: 'killed' is set by a reader that finds the
   * file still 'running' while its writer is gone (SIGKILL, OOM killer, power loss).
   */
  stopReason?: 'complete' | 'precision' | 'budget' | 'interrupted' | 'killed'
  /**
   * The process writing this file, so a reader can tell a live run from a dead one: pid, its start
   * time in clock ticks after boot (/proc/PID/stat field 22: a recycled pid has another), the boot id
   * and the hostname (src/host/owner.ts).
   */
  writer?: {pid: number; startTicks: number; bootId: string; hostname: string}
  tool: {name: 'isobench'; version: string; commit?: string}
  host: HostRecord
  config: unknown
  scenario: unknown
  arms: ArmRecord[]
  /** The workloads measured, with their readiness rule (added with bring-your-own workloads; absent in older results). */
  workloads?: WorkloadRecord[]
  parity?: ParityRecord[]
  samples: Sample[]
  summaries: Summary[]
  comparisons: Comparison[]
  /**
   * The arm the headline compares every arm with (`isobench run --reference`, default container): the
   * terminal summary and the report's first section give each arm's ratio to it.
   */
  reference?: string
  /** Marginal cost figures: slopes over instance count (memory per extra instance, …). */
  regressions?: Regression[]
  /** Present when the run used --precision. */
  precision?: PrecisionRecord
  warnings: Warning[]
  claims?: unknown[]
  /** Attribution counters: what was available, and each comparison split by them. */
  attribution?: AttributionRecord
  /** Preflight, the arms' facts from inside, and their differences. */
  provenance?: ProvenanceRecord
  /** An A/A calibration run: the table it produced (isobench calibrate). */
  calibration?: Calibration
  /** The calibration this run's inconclusive verdicts were sized with (host key and date), if any. */
  calibratedBy?: {hostKey: string; createdAt: string; runId: string}
  /** run --detect: the samples per cell a given change needs, before the run. */
  detect?: DetectPlan
  /** isobench capacity: the largest instance count meeting the SLOs, per arm. */
  capacity?: CapacityRecord
}

/** A run's status as reports and the CLI print it: "complete", "interrupted", "interrupted (killed)", … */
export function runStatusText(r: {status?: string; stopReason?: string}): string {
  const status = r.status ?? 'unknown'
  return r.stopReason === 'killed' ? `${status} (killed)` : status
}

export type {PhaseMark}
export type {ArmFigure}
