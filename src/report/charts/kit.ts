/**
 * The building blocks of every metric's report section: samples grouped into chart cells, arm labels
 * (TCG named wherever an arm appears), distributions, curves over a parameter, phase waterfalls. A
 * metric's own section (src/metrics/<name>/report.ts) composes them; buildCharts (report/build-charts.ts)
 * calls the sections in the metric registry's order.
 */
import {median} from 'simple-statistics'
import type {TopLevelSpec} from 'vega-lite'
import type {Direction, Results, Sample} from '../../core/results.js'
import {paramsText} from './format.js'
import {curveSpec, distributionSpec, type PhaseBar} from './specs.js'

export interface Chart {
  id: string
  /** The section it belongs to: a metric name, or 'drift' / 'baseline'. */
  section: string
  title: string
  spec: TopLevelSpec
  /** The metric a chart outside the metric's own section is about (the answer's charts). */
  metric?: string
}

export function armOrder(results: Results): string[] {
  const names = results.arms.map((a) => a.name)
  for (const s of results.samples) if (!names.includes(s.arm)) names.push(s.arm)
  return names
}

/** "qemu (TCG)": emulated figures are labelled wherever an arm name appears in a chart. */
export function armLabeller(results: Results): (arm: string) => string {
  const accel = new Map(results.arms.map((a) => [a.name, a.accel]))
  return (arm) => {
    const a = accel.get(arm)
    return a === 'tcg' ? `${arm} (TCG)` : a === 'kvm' ? `${arm} (KVM)` : arm
  }
}

export function measured(results: Results): Sample[] {
  return results.samples.filter((s) => !s.warmup)
}

export const isOk = (s: Sample) => s.ok && s.value !== null && Number.isFinite(s.value)

export interface Cell {
  metric: string
  figure: string
  workload: string
  params: Record<string, string | number | boolean>
  unit: string
  direction: Direction
  samples: Sample[]
}

export function cells(samples: readonly Sample[], keyOf: (s: Sample) => string): Cell[] {
  const out = new Map<string, Cell>()
  for (const s of samples) {
    const key = keyOf(s)
    let c = out.get(key)
    if (!c) {
      c = {metric: s.metric, figure: s.figure ?? s.metric, workload: s.workload, params: s.params, unit: s.unit, direction: s.direction ?? 'lower', samples: []}
      out.set(key, c)
    }
    c.samples.push(s)
  }
  return [...out.values()]
}

export const cellKey = (s: Sample) => `${s.metric}.${s.figure ?? s.metric}/${s.workload}[${paramsText(s.params)}]`
export const cellTitle = (c: Pick<Cell, 'metric' | 'figure' | 'workload' | 'params'>, without: string[] = []) => {
  const params = paramsText(Object.fromEntries(Object.entries(c.params).filter(([k]) => !without.includes(k))))
  return `${c.metric} · ${c.figure} · ${c.workload}${params ? ` · ${params}` : ''}`
}

function jitter(i: number): number {
  return ((i * 0.6180339887) % 1) * 2 - 1
}

export function distribution(cell: Cell, arms: string[], label: (a: string) => string, title?: string): TopLevelSpec | undefined {
  const ok = cell.samples.filter(isOk)
  if (ok.length === 0) return undefined
  return distributionSpec({
    title: title ?? cellTitle(cell),
    unit: cell.unit,
    direction: cell.direction,
    arms: arms.map(label),
    points: ok.map((s, i) => ({arm: label(s.arm), value: s.value!, outlier: s.outlier === true, rep: s.rep, jitter: jitter(i)})),
  })
}

/**
 * Median of each phase mark per arm, ordered, as waterfall bars. `order` is the usual order of the
 * phases (legend order, the metric's declared phases); phases not listed follow in order of arrival.
 */
export function phaseBars(samples: readonly Sample[], label: (a: string) => string, order: readonly string[] = []): PhaseBar[] {
  const byArm = new Map<string, Map<string, number[]>>()
  for (const s of samples) {
    if (!isOk(s) || !s.phases) continue
    const phases = byArm.get(s.arm) ?? new Map<string, number[]>()
    for (const [phase, t] of Object.entries(s.phases)) if (Number.isFinite(t)) phases.set(phase, [...(phases.get(phase) ?? []), t])
    byArm.set(s.arm, phases)
  }
  const bars: PhaseBar[] = []
  for (const [arm, phases] of byArm) {
    const marks = [...phases].map(([phase, ts]) => ({phase, t: median(ts)})).sort((a, b) => a.t - b.t)
    let prev = 0
    marks.forEach((m, i) => {
      const known = order.indexOf(m.phase)
      bars.push({arm: label(arm), phase: m.phase, start: prev, end: m.t, order: known >= 0 ? known : order.length + i})
      prev = m.t
    })
  }
  return bars
}

/** What a metric's report section is given: the run, its measured samples of that metric, the arms in order and their labels. */
export interface SectionInput {
  results: Results
  samples: Sample[]
  arms: string[]
  armLabels: string[]
  label: (arm: string) => string
  /** The metric's declared phases, in their usual order. */
  phases: readonly string[]
}

/** A metric's report section: its charts (undefined entries, for want of data, are skipped). */
export type SectionBuilder = (input: SectionInput) => Array<TopLevelSpec | undefined>

/** One distribution per (figure, workload, params) cell: the section of a metric with nothing of its own to draw. */
export function genericSection({samples, arms, label}: SectionInput): Array<TopLevelSpec | undefined> {
  return cells(samples, cellKey).map((c) => distribution(c, arms, label))
}

/** One curve per figure over a numeric parameter (instances N), a series per other params. */
export function curves(
  input: SectionInput,
  figures: string[],
  xParam: string,
  xTitle: string,
  titleOf: (figure: string) => string,
): Array<TopLevelSpec | undefined> {
  const out: Array<TopLevelSpec | undefined> = []
  for (const figure of figures) {
    for (const c of cells(
      input.samples.filter((s) => (s.figure ?? s.metric) === figure && typeof s.params[xParam] === 'number'),
      (s) => s.workload,
    )) {
      const ok = c.samples.filter(isOk)
      if (ok.length === 0) continue
      const series = (s: Sample) => paramsText(Object.fromEntries(Object.entries(s.params).filter(([k]) => k !== xParam))) || c.workload
      out.push(
        curveSpec({
          title: `${titleOf(figure)} · ${c.workload}`,
          unit: c.unit,
          direction: c.direction,
          xTitle,
          arms: input.armLabels,
          points: ok.map((s) => ({arm: input.label(s.arm), series: series(s), x: s.params[xParam] as number, value: s.value!})),
        }),
      )
    }
  }
  return out
}
