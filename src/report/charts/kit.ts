/**
 * From results to charts: which chart each metric gets, with its data prepared from the raw
 * samples, comparisons and regressions. Sections with no data produce no charts (the HTML says so).
 */
import {median} from 'simple-statistics'
import type {TopLevelSpec} from 'vega-lite'
import type {Comparison, Direction, Results, Sample} from '../../core/results.js'
import {paramsText} from '../format.js'
import {curveSpec, distributionSpec, driftSpec, heatmapSpec, intervalSpec, ratioRows, slopeRows, waterfallSpec, type PhaseBar} from './specs.js'

export const METRIC_ORDER = ['startup', 'scaleout', 'memory', 'cpu', 'interference']

export interface Chart {
  id: string
  /** The section it belongs to: a metric name, or 'drift' / 'baseline'. */
  section: string
  title: string
  spec: TopLevelSpec
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

const isOk = (s: Sample) => s.ok && s.value !== null && Number.isFinite(s.value)

interface Cell {
  metric: string
  figure: string
  workload: string
  params: Record<string, string | number | boolean>
  unit: string
  direction: Direction
  samples: Sample[]
}

function cells(samples: readonly Sample[], keyOf: (s: Sample) => string): Cell[] {
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

const cellKey = (s: Sample) => `${s.metric}.${s.figure ?? s.metric}/${s.workload}[${paramsText(s.params)}]`
const cellTitle = (c: Pick<Cell, 'metric' | 'figure' | 'workload' | 'params'>, without: string[] = []) => {
  const params = paramsText(Object.fromEntries(Object.entries(c.params).filter(([k]) => !without.includes(k))))
  return `${c.metric} · ${c.figure} · ${c.workload}${params ? ` · ${params}` : ''}`
}

function jitter(i: number): number {
  return ((i * 0.6180339887) % 1) * 2 - 1
}

function distribution(cell: Cell, arms: string[], label: (a: string) => string, title?: string): TopLevelSpec | undefined {
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

/** Median of each phase mark per arm, ordered, as waterfall bars. */
/** The usual order of startup phases (legend order); phases not listed follow in order of arrival. */
const PHASE_ORDER = ['spawn', 'runtime', 'vmm', 'qmp', 'firmware', 'kernel', 'init', 'ready']

export function phaseBars(samples: readonly Sample[], label: (a: string) => string): PhaseBar[] {
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
      const known = PHASE_ORDER.indexOf(m.phase)
      bars.push({arm: label(arm), phase: m.phase, start: prev, end: m.t, order: known >= 0 ? known : PHASE_ORDER.length + i})
      prev = m.t
    })
  }
  return bars
}

export function buildCharts(results: Results, idPrefix = 'c'): Chart[] {
  const arms = armOrder(results)
  const label = armLabeller(results)
  const armLabels = arms.map(label)
  const samples = measured(results)
  const charts: Chart[] = []
  const add = (section: string, spec: TopLevelSpec | undefined) => {
    if (!spec) return
    const title = (spec as {title?: {text?: string}}).title?.text ?? section
    charts.push({id: `${idPrefix}${charts.length + 1}`, section, title, spec})
  }
  const metrics = [...new Set(samples.map((s) => s.metric))].sort((a, b) => rank(a) - rank(b))
  for (const metric of metrics) {
    const mine = samples.filter((s) => s.metric === metric)
    const builder = SECTION_BUILDERS[metric] ?? genericSection
    for (const spec of builder({results, samples: mine, arms, label, armLabels})) add(metric, spec)
  }
  for (const metric of metrics) {
    const mine = samples.filter((s) => s.metric === metric && isOk(s))
    const figure = mine[0]?.figure ?? metric
    const points = mine.filter((s) => (s.figure ?? s.metric) === figure)
    if (points.length < 2) continue
    const series = (s: Sample) => `${s.workload}${Object.keys(s.params).length ? ` [${paramsText(s.params)}]` : ''}`
    add(
      'drift',
      driftSpec({
        title: `sample order: ${metric} · ${figure}`,
        unit: points[0]!.unit,
        direction: points[0]!.direction ?? 'lower',
        arms: armLabels,
        points: points.map((s, i) => ({arm: label(s.arm), series: `${label(s.arm)} · ${series(s)}`, order: i + 1, t: Number.isFinite(s.t) ? s.t / 1000 : i, value: s.value!})),
      }),
    )
  }
  return charts
}

function rank(metric: string): number {
  const i = METRIC_ORDER.indexOf(metric)
  return i < 0 ? METRIC_ORDER.length : i
}

interface SectionInput {
  results: Results
  samples: Sample[]
  arms: string[]
  armLabels: string[]
  label: (arm: string) => string
}

type SectionBuilder = (input: SectionInput) => Array<TopLevelSpec | undefined>

function genericSection({samples, arms, label}: SectionInput): Array<TopLevelSpec | undefined> {
  return cells(samples, cellKey).map((c) => distribution(c, arms, label))
}

function startupSection(input: SectionInput): Array<TopLevelSpec | undefined> {
  const out = genericSection(input)
  for (const c of cells(input.samples, (s) => `${s.workload}[${paramsText(s.params)}]`)) {
    const bars = phaseBars(c.samples, input.label)
    if (bars.length > 0) out.push(waterfallSpec({title: `startup phases · ${c.workload}${paramsText(c.params) ? ` · ${paramsText(c.params)}` : ''}`, bars, arms: input.armLabels}))
  }
  return out
}

function curves(input: SectionInput, figures: string[], xParam: string, xTitle: string, titleOf: (figure: string) => string): Array<TopLevelSpec | undefined> {
  const out: Array<TopLevelSpec | undefined> = []
  for (const figure of figures) {
    for (const c of cells(input.samples.filter((s) => (s.figure ?? s.metric) === figure && typeof s.params[xParam] === 'number'), (s) => s.workload)) {
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

function scaleoutSection(input: SectionInput): Array<TopLevelSpec | undefined> {
  const titles: Record<string, string> = {all_ready: 'scale-out: time until all N are ready', rate: 'scale-out: creation rate', ready_p50: 'scale-out: median instance ready', ready_p99: 'scale-out: p99 instance ready', failures: 'scale-out: failed instances'}
  const present = [...new Set(input.samples.map((s) => s.figure ?? s.metric))]
  const figures = ['all_ready', 'rate', ...present.filter((f) => !['all_ready', 'rate', 'ready_p50', 'ready_p99', 'failures'].includes(f))]
  return curves(input, figures.filter((f) => present.includes(f)), 'n', 'instances N', (f) => titles[f] ?? `scale-out: ${f}`)
}

function memorySection(input: SectionInput): Array<TopLevelSpec | undefined> {
  const present = new Set(input.samples.map((s) => s.figure ?? s.metric))
  const perInstance = ['pss', 'uss', 'rss', 'cgroup'].filter((f) => present.has(f))
  const out: Array<TopLevelSpec | undefined> = []
  const ns = new Set(input.samples.map((s) => s.params.n))
  if (ns.size > 1) out.push(...curves(input, perInstance.slice(0, 2), 'n', 'instances N', (f) => `memory per instance (${f.toUpperCase()})`))
  else for (const c of cells(input.samples.filter((s) => perInstance.includes(s.figure ?? '')), cellKey)) out.push(distribution(c, input.arms, input.label, `memory per instance · ${cellTitle(c)}`))
  if (!perInstance.length) out.push(...genericSection(input))
  // The marginal cost of an instance's own processes (and its cgroup); host-wide deltas are too noisy to plot beside them (they stay in the tables).
  const slopes = (input.results.regressions ?? []).filter((r) => r.metric === 'memory' && ['pss_total', 'uss_total', 'cgroup_total'].includes(r.figure))
  if (slopes.length > 0) {
    out.push(
      intervalSpec({
        title: 'marginal memory: cost of one more instance',
        subtitle: 'MiB per extra instance, OLS slope over N with 95% CI · lower is better ↓',
        xTitle: 'MiB per extra instance',
        reference: 0,
        rows: slopeRows(slopes, (r) => `${input.label(r.arm)} · ${r.figure} · ${r.workload}${paramsText(r.params) ? ` · ${paramsText(r.params)}` : ''}`),
      }),
    )
  }
  return out
}

function cpuSection(input: SectionInput): Array<TopLevelSpec | undefined> {
  const out: Array<TopLevelSpec | undefined> = []
  const vsBare = input.results.comparisons.filter((c) => c.metric === 'cpu' && c.kind !== 'interference' && c.baseline === 'process' && Number.isFinite(c.ratio))
  const byFigure = new Map<string, Comparison[]>()
  for (const c of vsBare) byFigure.set(c.figure, [...(byFigure.get(c.figure) ?? []), c])
  for (const [figure, cs] of byFigure) {
    const direction = cs[0]!.direction
    const spread = Math.max(...cs.map((c) => Math.max(c.ratio, 1 / c.ratio)))
    out.push(
      intervalSpec({
        title: `CPU: ${figure} relative to the bare process`,
        subtitle: `ratio arm / process (median, 95% bootstrap CI; 1 = same as bare) · ${direction === 'higher' ? 'higher is better ↑' : 'lower is better ↓'}`,
        xTitle: `ratio to bare process (${cs[0]!.unit})`,
        reference: 1,
        log: spread > 10,
        rows: ratioRows(cs, (c) => `${input.label(c.arm)} · ${c.workload}${paramsText(c.params) ? ` · ${paramsText(c.params)}` : ''}`),
      }),
    )
  }
  out.push(...genericSection(input))
  return out
}

function interferenceSection(input: SectionInput): Array<TopLevelSpec | undefined> {
  const cs = input.results.comparisons.filter((c) => c.kind === 'interference' && c.metric === 'interference' && Number.isFinite(c.degradationPct))
  if (cs.length === 0) return genericSection(input)
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(1)}`
  const cells = cs.map((c) => {
    const p = c.params
    const aggressor = `${p.aggressor ?? '?'}${p.intensity === undefined ? '' : ` ×${p.intensity}`}${p.isolation === undefined ? '' : ` (${p.isolation})`}`
    const ci = c.degradationCi && Number.isFinite(c.degradationCi[0]) ? ` [${pct(c.degradationCi[0])}, ${pct(c.degradationCi[1])}]` : ''
    return {arm: input.label(c.arm), victim: `${c.workload} · ${c.figure}`, aggressor, degradation: c.degradationPct!, label: `${pct(c.degradationPct!)}%${ci}`, verdict: c.verdict}
  })
  return [heatmapSpec({title: 'interference: victim × aggressor', cells, arms: input.armLabels})]
}

const SECTION_BUILDERS: Record<string, SectionBuilder> = {
  startup: startupSection,
  scaleout: scaleoutSection,
  memory: memorySection,
  cpu: cpuSection,
  interference: interferenceSection,
}
