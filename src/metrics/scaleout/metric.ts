/**
 * scaleout: N instances started concurrently (all start() calls at once) or sequentially (each
 * after the previous one is ready). Figures per repetition: time until all are ready, creation rate
 * (instances/s), p50/p99 of per-instance ready time (its own start → ready), failures. Starts are
 * the launcher's spawn marks where the arm has them (startOf), else the start() calls.
 * Every instance is stopped afterwards, whatever happened. Params: n, mode (concurrent|sequential).
 */
import {z} from 'zod'
import {boundedNumber} from '../../core/bounds.js'
import {quantile} from 'simple-statistics'
import type {Instance} from '../../core/arm.js'
import type {Metric, SampleDraft} from '../metric.js'
import {memAvailableMiB, stopAll} from '../instances.js'
import {failedDraft, startOf} from '../with-instance.js'
import {scaleoutCharts} from './report.js'

/** The figures every repetition reports; `failures` is counted, never failed. */
const templates = {
  all_ready: {figure: 'all_ready', unit: 'ms', direction: 'lower'},
  rate: {figure: 'rate', unit: 'instances/s', direction: 'higher'},
  ready_p50: {figure: 'ready_p50', unit: 'ms', direction: 'lower'},
  ready_p99: {figure: 'ready_p99', unit: 'ms', direction: 'lower'},
} as const
const FAILURES = {figure: 'failures', unit: 'instances', direction: 'lower'} as const

export const scaleout: Metric = {
  name: 'scaleout',
  title: 'Scale-out',
  note: 'N instances started at once (concurrent) or one after another (sequential): time until all are ready, and creation rate.',
  defaults: {n: 4, mode: 'concurrent'},
  paramSchema: {n: boundedNumber('instances'), mode: z.enum(['concurrent', 'sequential'])},
  paramNotes: {
    n: 'instances started per repetition',
    mode: 'concurrent: all start() calls at once; sequential: each after the previous one is ready',
  },
  comparedFigures: ['all_ready', 'ready_p50', 'ready_p99'],
  figures: {own: [...Object.values(templates), FAILURES]},
  headline: {figures: ['all_ready'], prefer: {n: 'max'}},
  regressions: [{figures: ['all_ready'], x: 'n', per: 'extra instance'}],
  charts: scaleoutCharts,
  async measure(ctx): Promise<SampleDraft[]> {
    const n = Number(ctx.params.n)
    const mode = String(ctx.params.mode)
    const failAll = (error: unknown) => Object.values(templates).map((t) => failedDraft(error, t))
    if (!(Number.isInteger(n) && n >= 1))
      return failAll(Object.assign(new Error(`scaleout: n must be a positive integer, got ${ctx.params.n}`), {code: 'invalid-params'}))
    if (mode !== 'concurrent' && mode !== 'sequential')
      return failAll(Object.assign(new Error(`scaleout: mode must be concurrent or sequential, got ${mode}`), {code: 'invalid-params'}))

    // VMs reserve their guest RAM: do not start more than the host can hold.
    const spec0 = ctx.instanceSpec()
    if (ctx.arm.kind === 'vm' && spec0.limits.memoryMiB) {
      const need = n * spec0.limits.memoryMiB
      const available = await memAvailableMiB()
      if (need > available * 0.8)
        return failAll(
          Object.assign(new Error(`scaleout: ${n} × ${spec0.limits.memoryMiB} MiB guests need ${need} MiB, host has ${available.toFixed(0)} MiB available`), {
            code: 'insufficient-memory',
          }),
        )
    }

    const instances: Instance[] = []
    const perInstance: number[] = []
    const errors: Error[] = []
    const spawns: number[] = []
    const one = async (i: number) => {
      const spec = i === 0 ? spec0 : ctx.instanceSpec()
      const t = performance.now()
      try {
        const instance = await ctx.arm.start(spec)
        instances.push(instance)
        const ready = await ctx.arm.waitReady(instance)
        const start = startOf(ready, t)
        if (start !== t) spawns.push(start)
        perInstance.push(ready.readyAt - start)
        return ready.readyAt
      } catch (error) {
        errors.push(error as Error)
        return Number.NaN
      }
    }
    const t0 = performance.now()
    let readyAts: number[] = []
    try {
      if (mode === 'concurrent') readyAts = await Promise.all(Array.from({length: n}, (_, i) => one(i)))
      else for (let i = 0; i < n && !ctx.signal.aborted; i++) readyAts.push(await one(i))
    } finally {
      await stopAll(ctx.arm, instances)
    }

    const failures: SampleDraft = {...FAILURES, value: errors.length}
    if (errors.length > 0) {
      const e = Object.assign(new Error(`${errors.length} of ${n} instances failed; first: ${errors[0]!.message}`), {
        code: (errors[0] as Error & {code?: string}).code ?? 'failed',
        detail: (errors[0] as Error & {detail?: unknown}).detail,
      })
      const partial = perInstance.length > 0 ? percentiles(perInstance, templates) : [failedDraft(e, templates.ready_p50), failedDraft(e, templates.ready_p99)]
      return [failedDraft(e, templates.all_ready), failedDraft(e, templates.rate), ...partial, failures]
    }
    // From the first instance's spawn (kernel clock) where every instance has one, else the first start() call.
    const origin = spawns.length === n ? Math.min(...spawns) : t0
    const allReady = Math.max(...readyAts) - origin
    return [{...templates.all_ready, value: allReady}, {...templates.rate, value: n / (allReady / 1000)}, ...percentiles(perInstance, templates), failures]
  },
}

function percentiles(values: number[], t: {ready_p50: Omit<SampleDraft, 'value'>; ready_p99: Omit<SampleDraft, 'value'>}): SampleDraft[] {
  return [
    {...t.ready_p50, value: quantile(values, 0.5)},
    {...t.ready_p99, value: quantile(values, 0.99)},
  ]
}
