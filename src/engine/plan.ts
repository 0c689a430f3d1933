/**
 * Plan expansion: scenario × arms → cells. A cell is one (metric, workload, params) measured on a
 * set of arms; list-valued params expand into one cell per value (cartesian product).
 */
import type {Limits} from '../core/arm.js'
import type {IsobenchConfig} from '../core/config.js'
import type {MetricEntry, Scenario} from '../scenario/schema.js'
import {workloadNameOf} from '../scenario/workloads.js'

export type Params = Record<string, string | number | boolean>

export interface Cell {
  key: string
  metric: string
  workload: string
  params: Params
  arms: string[]
  reps: number
  warmup: number
  limits: Limits
}

export interface PlanOptions {
  /**
   * --arms: restricts every cell to these arms. It replaces the scenario's and the config's arm lists;
   * an entry that names its own arms (a scale-out to N = 8 that leaves the VM out) keeps only those
   * of them that --arms names, and is left out when none is.
   */
  arms?: string[]
  reps?: number
  warmup?: number
  /** --workload: runs every metric entry on this workload. */
  workload?: string
  /** Arms when neither flags, scenario nor config name any: the built-in arms. */
  defaultArms?: string[]
}

export function expandParams(params: MetricEntry['params'] = {}): Params[] {
  let combos: Params[] = [{}]
  for (const [key, value] of Object.entries(params)) {
    const values = Array.isArray(value) ? value : [value]
    combos = combos.flatMap((c) => values.map((v) => ({...c, [key]: v})))
  }
  return combos
}

export function cellKey(metric: string, workload: string, params: Params): string {
  const p = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join(',')
  return `${metric}/${workload}${p ? `[${p}]` : ''}`
}

export function expandPlan(scenario: Scenario, config: IsobenchConfig, defaultWorkload: (metric: string) => string, opts: PlanOptions = {}): Cell[] {
  const cells: Cell[] = []
  for (const entry of scenario.metrics) {
    const workload = opts.workload ?? workloadNameOf(entry.workload) ?? defaultWorkload(entry.metric)
    const listed = entry.arms ?? scenario.arms ?? config.arms ?? opts.defaultArms ?? []
    const arms = opts.arms ? (entry.arms ? entry.arms.filter((a) => opts.arms!.includes(a)) : opts.arms) : listed
    if (arms.length === 0) continue
    for (const params of expandParams(entry.params)) {
      cells.push({
        key: cellKey(entry.metric, workload, params),
        metric: entry.metric,
        workload,
        params,
        arms: [...arms],
        reps: opts.reps ?? entry.reps ?? scenario.reps ?? config.reps,
        warmup: opts.warmup ?? entry.warmup ?? scenario.warmup ?? config.warmup,
        limits: {...scenario.limits, ...entry.limits},
      })
    }
  }
  return cells
}

/** Fisher–Yates with the given PRNG. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

export interface Block {
  block: number
  warmup: boolean
  arms: string[]
}

/**
 * The randomized-block order for one cell: warm-up blocks first, then measured blocks — made one at
 * a time as the runner asks (planning 10^5 reps costs nothing until they run; the same sequence as
 * building them all first, so a seed reproduces the order).
 */
export function* blockOrder(cell: Cell, random: () => number): Generator<Block> {
  for (let b = 0; b < cell.warmup; b++) yield {block: b, warmup: true, arms: shuffled(cell.arms, random)}
  for (let b = 0; b < cell.reps; b++) yield {block: cell.warmup + b, warmup: false, arms: shuffled(cell.arms, random)}
}
