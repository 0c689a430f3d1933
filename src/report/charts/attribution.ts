/**
 * Charts of the "where the time and memory go" section: each comparison's counters as ratios with
 * their 95% CI (arm over baseline, log scale, 1 = no difference), and each arm's memory per instance
 * split into its parts (stacked, PSS MiB).
 */
import type {TopLevelSpec} from 'vega-lite'
import {counterInfo, COUNTERS, MEMORY_PARTS} from '../../core/counters.js'
import type {AttributionCell, Results} from '../../core/results.js'
import {paramsText} from './format.js'
import {intervalSpec} from './intervals.js'
import {top, WIDTH} from './specs.js'

/** The counters a ratio chart shows, in the table's order (overhead and window length left out). */
const CHARTED = COUNTERS.filter((c) => c.group !== 'overhead').map((c) => c.name)

export function cellTitle(c: Pick<AttributionCell, 'metric' | 'workload' | 'params' | 'arm' | 'baseline'>, label: (arm: string) => string): string {
  const p = paramsText(c.params)
  return `${c.metric} · ${c.workload}${p ? ` [${p}]` : ''}: ${label(c.arm)} vs ${label(c.baseline)}`
}

/** The counters of one attribution cell as ratios arm/baseline with their CIs; undefined when none has a ratio. */
export function counterRatioSpec(cell: AttributionCell, label: (arm: string) => string): TopLevelSpec | undefined {
  const rows = CHARTED.flatMap((name) => {
    const e = cell.counters.find((x) => x.counter === name)
    if (!e || e.ratio === undefined || !(e.ratio > 0)) return []
    const lo = e.ci && e.ci[0] > 0 ? e.ci[0] : null
    const hi = e.ci && e.ci[1] > 0 ? e.ci[1] : null
    const decided = lo !== null && hi !== null && (lo > 1 || hi < 1)
    return [
      {
        label: counterInfo(name).label,
        value: e.ratio,
        lo,
        hi,
        verdict: decided ? (e.ratio > 1 ? 'worse' : 'better') : 'equivalent',
        text: `${counterInfo(name).label}: ${e.ratio.toFixed(3)}${e.ci ? ` [${e.ci[0].toFixed(3)}–${e.ci[1].toFixed(3)}]` : ''}`,
      },
    ]
  })
  if (rows.length === 0) return undefined
  return intervalSpec({
    title: `where it goes: ${cellTitle(cell, label)}`,
    subtitle: [
      `each counter's median in ${label(cell.arm)} ÷ in ${label(cell.baseline)}, 95% bootstrap CI; 1 = the same`,
      `counted over: ${cell.mode === 'window' ? "the metric's measuring window" : 'each instance from start to stop'}`,
    ],
    xTitle: `ratio ${label(cell.arm)} / ${label(cell.baseline)}`,
    rows,
    reference: 1,
    log: true,
  })
}

/** Memory per instance split into parts, one stacked bar per arm (the medians over the run's samples). */
export function memoryPartsSpec(results: Results, label: (arm: string) => string): TopLevelSpec | undefined {
  const perArm = memoryPartsByArm(results)
  const values = [...perArm].flatMap(([arm, parts]) =>
    MEMORY_PARTS.filter((p) => (parts[p.name] ?? 0) > 0).map((p, order) => ({arm: label(arm), part: p.label, order, mib: parts[p.name]!})),
  )
  if (values.length === 0) return undefined
  return top('memory per instance, by part', ['PSS MiB per instance, median over the samples that read the parts (smaps); lower is better'], {
    width: WIDTH,
    height: {step: 28},
    data: {values},
    mark: {type: 'bar', tooltip: true},
    encoding: {
      y: {field: 'arm', type: 'nominal', title: null, sort: null},
      x: {field: 'mib', type: 'quantitative', title: 'MiB (PSS)', stack: 'zero'},
      color: {field: 'part', type: 'nominal', title: 'part', sort: MEMORY_PARTS.map((p) => p.label)},
      order: {field: 'order', type: 'quantitative'},
    },
  })
}

/** arm → memory part → median MiB, from the memory metric's samples where there are any, else from every sample with parts. */
export function memoryPartsByArm(results: Results): Map<string, Record<string, number>> {
  const withParts = results.samples.filter((s) => !s.warmup && s.counters && MEMORY_PARTS.some((p) => s.counters!.values[p.name] !== undefined))
  const preferred = withParts.some((s) => s.metric === 'memory') ? withParts.filter((s) => s.metric === 'memory' && Number(s.params.n ?? 1) === 1) : withParts
  const out = new Map<string, Record<string, number>>()
  for (const arm of [...new Set(preferred.map((s) => s.arm))]) {
    const mine = preferred.filter((s) => s.arm === arm)
    const parts: Record<string, number> = {}
    for (const p of MEMORY_PARTS) {
      const xs = mine.map((s) => s.counters!.values[p.name]).filter((x): x is number => x !== undefined && Number.isFinite(x))
      if (xs.length) parts[p.name] = median(xs)
    }
    out.set(arm, parts)
  }
  return out
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
