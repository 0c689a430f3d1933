/**
 * The runner: executes the plan cell by cell; within a cell, arms are interleaved in randomized
 * blocks (never all-A-then-all-B), warm-ups first and marked. Every draft a metric returns becomes
 * a sample in the store at once. Stops adding samples when the budget is spent or on interruption.
 */
import type {Arm, InstanceSpec, WorkloadSpec} from '../arms/arm.js'
import {getMetric} from '../metrics/index.js'
import type {Cell} from './plan.js'
import {blockOrder} from './plan.js'
import type {Logger} from './log.js'
import type {Progress} from './progress.js'
import type {ResultsStore} from './store.js'
import type {Sample} from './results.js'
import {catalog} from '../workloads/catalog.js'
import type {NetworkMode} from '../arms/arm.js'

export interface RunnerOptions {
  cells: Cell[]
  arms: Map<string, Arm>
  store: ResultsStore
  log: Logger
  progress: Progress
  random: () => number
  budgetMs: number
  readyTimeoutMs: number
  network: NetworkMode
  signal: AbortSignal
  /** Optional early stop per cell (adaptive sampling): true when enough precision was reached. */
  enough?: (cell: Cell, samples: Sample[]) => boolean
}

export type StopReason = 'complete' | 'budget' | 'interrupted' | 'precision'

export function workloadSpec(name: string): WorkloadSpec {
  const profile = catalog.get(name)
  if (!profile) throw new Error(`unknown workload ${name}`)
  return {name, argv: profile.argv, env: profile.env, ready: profile.ready, image: profile.image, ports: profile.ports}
}

export async function runCells(opts: RunnerOptions): Promise<StopReason> {
  const {store, log} = opts
  const runStart = performance.now()
  const tag = store.results.runId.slice(-4)
  let instanceCounter = 0
  let reason: StopReason = 'complete'
  let precisionStops = 0

  for (const [index, cell] of opts.cells.entries()) {
    const metric = getMetric(cell.metric)
    if (!metric) {
      store.results.warnings.push({code: 'metric-not-implemented', metric: cell.metric, message: `metric ${cell.metric} is not implemented yet; cell ${cell.key} skipped`})
      continue
    }
    const profile = catalog.get(cell.workload)!
    const workload = workloadSpec(cell.workload)
    const arms = cell.arms.filter((a) => opts.arms.has(a))
    opts.progress.cellStarted(cell.key, index, opts.cells.length)
    const cellSamples: Sample[] = []
    for (const block of blockOrder({...cell, arms}, opts.random)) {
      for (const armName of block.arms) {
        if (opts.signal.aborted) return 'interrupted'
        if (performance.now() - runStart > opts.budgetMs) {
          store.results.warnings.push({code: 'budget-exhausted', message: `time budget of ${(opts.budgetMs / 1000).toFixed(0)} s spent during ${cell.key}; remaining samples not taken`})
          return 'budget'
        }
        const arm = opts.arms.get(armName)!
        const params = {...metric.defaults, ...cell.params}
        const drafts = await metric.measure({
          arm,
          workload,
          profile,
          params,
          log,
          warmup: block.warmup,
          signal: opts.signal,
          instanceSpec: (overrides?: Partial<InstanceSpec>): InstanceSpec => ({
            id: `isobench-${tag}-${++instanceCounter}`,
            workload,
            limits: cell.limits,
            network: opts.network,
            readyTimeoutMs: opts.readyTimeoutMs,
            ...overrides,
          }),
        })
        if (opts.signal.aborted) return 'interrupted' // a sample cut short by Ctrl-C is not a measurement
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
          }
          store.append(sample)
          cellSamples.push(sample)
          if (!sample.ok) log.warn(`${armName} ${cell.key}: failed sample: ${sample.error?.message ?? 'no value'}`)
        }
        opts.progress.step(`${cell.key} · ${armName}`)
      }
      if (!block.warmup && opts.enough?.(cell, cellSamples)) {
        precisionStops++
        break
      }
    }
  }
  if (precisionStops === opts.cells.length && opts.cells.length > 0) reason = 'precision'
  return reason
}
