/**
 * The runner: executes the plan cell by cell; within a cell, arms are interleaved in randomized
 * blocks (never all-A-then-all-B), warm-ups first and marked. Every draft a metric returns becomes
 * a sample in the store at once. Stops adding samples when the budget is spent or on interruption.
 */
import type {Arm, InstanceSpec, WorkloadSpec} from '../core/arm.js'
import {getMetric} from '../metrics/index.js'
import type {Cell} from './plan.js'
import {blockOrder, shuffled, type Block} from './plan.js'
import {worstRelHalfWidth} from './analyze.js'
import type {Logger} from '../core/log.js'
import type {Progress} from './progress.js'
import type {ResultsStore} from './store.js'
import type {Sample} from '../core/results.js'
import type {NetworkMode} from '../core/arm.js'
import {CounterRecorder, type RecorderOptions} from './attribution/recorder.js'
import type {WorkloadProfile} from '../workloads/profile.js'

/** A workload ready to run: what every arm executes (its image prepared and its config applied) and its profile. */
export interface RunnableWorkload {
  spec: WorkloadSpec
  profile: WorkloadProfile
}

export interface RunnerOptions {
  cells: Cell[]
  /** Every workload the cells name (their own and their workload params'), by name. */
  workloads: ReadonlyMap<string, RunnableWorkload>
  arms: Map<string, Arm>
  store: ResultsStore
  log: Logger
  progress: Progress
  random: () => number
  /** Wall-clock budget of the whole run, ms, counted from startedAt: preparing the arms (images, guest kernel) spends it too. */
  budgetMs: number
  /** performance.now() when the run began; sample times (`t`) and the budget count from it. Default: when runCells is called. */
  startedAt?: number
  readyTimeoutMs: number
  network: NetworkMode
  signal: AbortSignal
  /** Optional early stop per cell (adaptive sampling): true when enough precision was reached. */
  enough?: (cell: Cell, samples: Sample[]) => boolean
  /**
   * --precision: target relative CI half-width (e.g. 0.05). Each cell then runs at least
   * MIN_PRECISION_REPS measured blocks and continues past its reps until every comparison's CI
   * half-width is below the target, its fair share of the remaining budget is spent, or maxReps.
   */
  precision?: number
  /** Seed for the bootstrap the precision check runs. */
  seed?: number
  /** The headline's reference arm: --precision watches the comparisons with it too. */
  reference?: string
  maxReps?: number
  /** Attribution counters next to every sample (src/engine/attribution/); absent: none recorded. */
  attribution?: RecorderOptions
}

export const MIN_PRECISION_REPS = 5

export type StopReason = 'complete' | 'budget' | 'interrupted' | 'precision'

/**
 * The WorkloadSpec of a profile run as it stands, without an image prepared (its command as given, on
 * its image's name): for tests and library callers that drive arms directly; runs prepare images
 * first (src/arms/workload-images.ts prepareWorkloads).
 */
export function specOf(profile: WorkloadProfile): WorkloadSpec {
  return {
    name: profile.name,
    argv: [...(profile.entrypoint ?? []), ...profile.argv],
    env: profile.env,
    ...(profile.workdir ? {cwd: profile.workdir} : {}),
    ready: profile.ready,
    image: profile.image,
    ports: profile.ports,
    rootfs: profile.rootfs,
  }
}

/**
 * The network an instance of this workload gets. A service is reached from the host (its readiness is
 * a tcp/http probe, or a load drives it), so it needs a network the host reaches: `none` becomes `user`
 * (published ports on loopback: our bridge for containers, hostfwd for the VM) and the run says so.
 */
export function instanceNetwork(spec: Pick<WorkloadSpec, 'ready'>, profile: Pick<WorkloadProfile, 'load'>, scenario: NetworkMode): NetworkMode {
  const fromHost = profile.load !== undefined || spec.ready.kind === 'tcp' || spec.ready.kind === 'http'
  return fromHost && scenario === 'none' ? 'user' : scenario
}

export async function runCells(opts: RunnerOptions): Promise<StopReason> {
  const {store, log} = opts
  const runStart = opts.startedAt ?? performance.now()
  const tag = store.results.runId.slice(-4)
  let instanceCounter = 0
  let reason: StopReason = 'complete'
  let precisionStops = 0
  let budgetStops = 0
  const warned = new Set<string>()

  for (const [index, cell] of opts.cells.entries()) {
    const metric = getMetric(cell.metric)
    if (!metric) {
      store.results.warnings.push({
        code: 'metric-not-implemented',
        metric: cell.metric,
        message: `metric ${cell.metric} is not implemented yet; cell ${cell.key} skipped`,
      })
      continue
    }
    const runnable = opts.workloads.get(cell.workload)
    if (!runnable) throw new Error(`workload ${cell.workload} was not prepared`)
    const {profile, spec: workload} = runnable
    const network = instanceNetwork(workload, profile, opts.network)
    if (network !== opts.network && !warned.has(`network:${cell.workload}`)) {
      warned.add(`network:${cell.workload}`)
      store.results.warnings.push({
        code: 'network-for-service',
        message: `workload ${cell.workload} is driven from the host, so it runs with network ${network} (its ports published: on the isobench0 bridge for containers, forwarded from loopback for VMs), not the scenario's ${opts.network}`,
      })
    }
    const arms = cell.arms.filter((a) => opts.arms.has(a))
    opts.progress.cellStarted(index)
    const cellSamples: Sample[] = []
    const planned = blockOrder({...cell, arms}, opts.random)
    const precision = opts.precision
    const cellStart = performance.now()
    const cellBudgetMs = (opts.budgetMs - (cellStart - runStart)) / (opts.cells.length - index)
    const maxReps = opts.maxReps ?? 1000
    let measured = 0
    let worst: number | null = null
    let stoppedBy: 'precision' | 'budget' | 'max-reps' | 'interrupted' | null = null
    for (let i = 0; ; i++) {
      let block = planned.next().value as Block | undefined
      if (!block) {
        if (precision === undefined) break
        if (measured >= maxReps) {
          stoppedBy = 'max-reps'
          break
        }
        block = {block: i, warmup: false, arms: shuffled(arms, opts.random)}
      }
      for (const armName of block.arms) {
        if (opts.signal.aborted) return 'interrupted'
        // A measurement is not started when the time it took so far on this arm would overrun the budget.
        const expected = opts.progress.expectedMs(index, armName)
        if (performance.now() - runStart + expected > opts.budgetMs) {
          store.results.warnings.push({
            code: 'budget-exhausted',
            message: `time budget of ${(opts.budgetMs / 1000).toFixed(0)} s spent during ${cell.key}${expected > 0 ? ` (the next ${armName} measurement takes ≈ ${(expected / 1000).toFixed(1)} s)` : ''}; remaining samples not taken`,
          })
          if (precision !== undefined) recordPrecision(store, precision, cell, false, measured, worst, 'run-budget')
          return 'budget'
        }
        const arm = opts.arms.get(armName)!
        const params = {...metric.defaults, ...cell.params}
        const recorder = opts.attribution ? new CounterRecorder(arm, opts.attribution) : undefined
        recorder?.begin()
        const began = performance.now()
        const drafts = await metric.measure({
          arm: recorder ? recorder.wrap() : arm,
          workload,
          profile,
          params,
          log,
          warmup: block.warmup,
          signal: opts.signal,
          resolveWorkload: (name: string) => {
            const w = opts.workloads.get(name)
            if (!w) throw new Error(`workload ${name} was not prepared`)
            return {workload: w.spec, profile: w.profile}
          },
          instanceSpec: (overrides?: Partial<InstanceSpec>): InstanceSpec => ({
            id: `isobench-${tag}-${++instanceCounter}`,
            workload,
            limits: cell.limits,
            network,
            readyTimeoutMs: opts.readyTimeoutMs,
            ...overrides,
          }),
        })
        if (opts.signal.aborted) return 'interrupted' // a sample cut short by Ctrl-C is not a measurement
        const counters = await recorder?.finish().catch((error: Error) => {
          log.warn(`${armName} ${cell.key}: attribution counters not read: ${error.message}`)
          return undefined
        })
        for (const d of drafts) {
          const sample: Sample = {
            metric: cell.metric,
            figure: d.figure ?? cell.metric,
            arm: armName,
            workload: cell.workload,
            params: {...params, ...d.params},
            rep: block.warmup ? block.block : block.block - cell.warmup,
            block: block.block,
            warmup: block.warmup,
            value: d.value,
            unit: d.unit,
            direction: d.direction,
            phases: d.phases,
            ts: new Date().toISOString(),
            t: performance.now() - runStart,
            ok: d.value !== null && !d.error,
            error: d.error,
            ...(counters ? {counters} : {}),
          }
          store.append(sample)
          cellSamples.push(sample)
          // One line per arm, cell and kind of failure (its code: messages name instances, so each
          // differs); the rest are counted in the analysis warnings and the headline's warnings line.
          const kind = `failed:${armName}:${cell.key}:${sample.error?.code ?? 'no-value'}`
          if (!sample.ok && !warned.has(kind)) {
            warned.add(kind)
            log.warn(`${armName} ${cell.key}: failed sample: ${sample.error?.message ?? 'no value'} (further ones of this kind are counted at the end)`)
          }
        }
        opts.progress.step(index, armName, performance.now() - began)
      }
      if (block.warmup) continue
      measured++
      if (opts.enough?.(cell, cellSamples)) {
        stoppedBy = 'precision'
        break
      }
      if (precision !== undefined && measured >= Math.min(MIN_PRECISION_REPS, cell.reps)) {
        worst = worstRelHalfWidth(cellSamples, {seed: opts.seed ?? 1, figures: metric.comparedFigures, reference: opts.reference})
        if (worst < precision) {
          stoppedBy = 'precision'
          break
        }
        if (performance.now() - cellStart > cellBudgetMs) {
          stoppedBy = 'budget'
          break
        }
      }
    }
    if (stoppedBy === 'precision') precisionStops++
    if (precision !== undefined) {
      recordPrecision(store, precision, cell, stoppedBy === 'precision', measured, worst, stoppedBy ?? 'max-reps')
      if (stoppedBy !== 'precision') budgetStops += stoppedBy === 'budget' ? 1 : 0
    }
  }
  if (precisionStops === opts.cells.length && opts.cells.length > 0) reason = 'precision'
  else if (budgetStops > 0) reason = 'budget'
  return reason
}

/**
 * A cell's precision outcome in results.precision, and, when the target was not reached, a
 * 'precision-not-reached' warning saying why: the cell's share of the budget, the run's whole budget
 * (the runner stopped before the cell's next measurement), or the maximum reps.
 */
function recordPrecision(
  store: ResultsStore,
  target: number,
  cell: Pick<Cell, 'key' | 'metric'>,
  reached: boolean,
  reps: number,
  worst: number | null,
  stop: 'precision' | 'budget' | 'run-budget' | 'max-reps' | 'interrupted',
): void {
  const stoppedBy = stop === 'run-budget' ? 'budget' : stop
  const record = (store.results.precision ??= {target, cells: []})
  record.cells.push({cell: cell.key, reached, reps, worstRelHalfWidth: worst !== null && Number.isFinite(worst) ? worst : null, stoppedBy})
  if (!reached) {
    const why = stop === 'budget' ? "the cell's share of the budget was spent" : stop === 'run-budget' ? "the run's budget was spent" : 'maximum reps reached'
    store.results.warnings.push({
      code: 'precision-not-reached',
      metric: cell.metric,
      message: `${cell.key}: CI half-width ${worst === null || !Number.isFinite(worst) ? 'unknown' : `${(worst * 100).toFixed(1)}%`} > target ${(target * 100).toFixed(1)}% after ${reps} reps (${why})`,
    })
  }
  store.changed()
}
