/**
 * The headline: the answer first, as hyperfine gives it. One block per metric (registry order) with
 * every arm in the arm registry's order: the median of the metric's headline figure with its 95% CI,
 * and the ratio to the reference arm (`--reference`, default container) with its CI — or, for a
 * metric compared within one arm (interference), the ratio co-located/solo. The terminal summary
 * (report/terminal.ts) and the report's first section (report/headline-section.ts) both draw it.
 *
 * Every number is read from the stored analysis (results.summaries, comparisons, regressions): a
 * ratio "process vs container" is the stored "container vs process" read inverted (1/ratio, CI
 * [1/hi, 1/lo]: the percentile bootstrap CI of a ratio inverts exactly), never recomputed here.
 */
import {readVersus, type Versus} from './versus.js'
import type {Comparison, Direction, Results, Summary} from '../core/results.js'
import {DEFAULT_REFERENCE, paramsKey} from '../engine/analyze.js'
import {getMetric, labelledParams, METRIC_NAMES, paramsLabel} from '../metrics/index.js'
import {armLabeller} from './charts/kit.js'

type Params = Record<string, string | number | boolean>

export interface HeadlineValue {
  value: number
  ci: [number, number] | null
  unit: string
}

export interface HeadlineRow {
  arm: string
  /** "qemu (TCG)": emulated figures say so wherever an arm is named. */
  label: string
  reference: boolean
  /** The headline cell's summary for this arm; undefined when the arm did not run it. */
  summary?: Summary
  versus?: Versus
  /** One value per extra column (undefined: not measured on this arm). */
  extras: Array<HeadlineValue | undefined>
}

export interface HeadlineBlock {
  metric: string
  title: string
  figure: string
  workload: string
  params: Params
  /** The params a reader needs to tell this cell from the metric's others (no unchosen defaults). */
  paramsText: string
  unit: string
  direction: Direction
  /** 'reference': ratios to the reference arm; 'solo': co-located vs solo within each arm. */
  against: 'reference' | 'solo'
  reference: string
  rows: HeadlineRow[]
  extraColumns: Array<{title: string; unit: string}>
  /** Cells of this metric the block does not show (they are in --verbose and the report). */
  otherCells: number
}

/** The arm the headline compares with: the run's (results.reference), else DEFAULT_REFERENCE. */
export function referenceOf(results: Pick<Results, 'reference'>): string {
  return results.reference ?? DEFAULT_REFERENCE
}

/** Every arm, in the order results.arms lists them (the registry's, since isobench run sorts them). */
function armsOf(results: Results): string[] {
  const names = results.arms.map((a) => a.name)
  for (const s of results.summaries) if (!names.includes(s.arm)) names.push(s.arm)
  return names
}

/** Every registered metric in registry order, then any other metric the run measured. */
function metricsOf(results: Results): string[] {
  return [...new Set([...METRIC_NAMES, ...results.summaries.map((s) => s.metric)])]
}

interface Candidate {
  figure: string
  workload: string
  params: Params
  summaries: Summary[]
  fallback: boolean
}

const cellOf = (s: Pick<Summary, 'workload' | 'params'>) => `${s.workload}[${paramsKey(s.params)}]`
const sameCell = (a: Pick<Summary, 'figure' | 'workload' | 'params'>, b: Pick<Summary, 'figure' | 'workload' | 'params'>) =>
  a.figure === b.figure && a.workload === b.workload && paramsKey(a.params) === paramsKey(b.params)

/** The headline, one block per measured metric. */
export function headline(results: Results): HeadlineBlock[] {
  const reference = referenceOf(results)
  const arms = armsOf(results)
  const label = armLabeller(results)
  const blocks: HeadlineBlock[] = []
  for (const metric of metricsOf(results)) {
    const summaries = results.summaries.filter((s) => s.metric === metric)
    if (summaries.length === 0) continue
    const keys = labelledParams(
      metric,
      summaries.map((s) => s.params),
    )
    const block = getMetric(metric)?.withinArm ? withinArmBlock(results, metric, summaries, keys) : armsBlock(results, metric, summaries, keys, reference)
    if (!block) continue
    // Rows in the arm order (the registry's), each arm named as everywhere (TCG said).
    const byArm = new Map(block.rows.map((r) => [r.arm, r]))
    block.rows = arms.filter((a) => byArm.has(a)).map((a) => ({...byArm.get(a)!, label: label(a)}))
    blocks.push(block)
  }
  return blocks
}

/** Rank candidates: own headline figures before fallbacks, most arms, the reference present, the metric's preferred param values, then first measured. */
function choose(candidates: Candidate[], metric: string, reference: string): Candidate[] {
  const prefer = Object.entries(getMetric(metric)?.headline.prefer ?? {})
  return candidates
    .map((c, i) => ({c, i}))
    .sort((x, y) => {
      const a = x.c
      const b = y.c
      if (a.fallback !== b.fallback) return a.fallback ? 1 : -1
      if (a.summaries.length !== b.summaries.length) return b.summaries.length - a.summaries.length
      const ra = a.summaries.some((s) => s.arm === reference)
      const rb = b.summaries.some((s) => s.arm === reference)
      if (ra !== rb) return ra ? -1 : 1
      for (const [param, way] of prefer) {
        const va = Number(a.params[param])
        const vb = Number(b.params[param])
        if (Number.isFinite(va) && Number.isFinite(vb) && va !== vb) return way === 'max' ? vb - va : va - vb
      }
      return x.i - y.i
    })
    .map(({c}) => c)
}

function armsBlock(results: Results, metric: string, summaries: Summary[], keys: Set<string>, reference: string): HeadlineBlock | undefined {
  const m = getMetric(metric)
  const declared = m?.headline ?? {figures: '*' as const}
  const isHeadline = (f: string) => (declared.figures === '*' || declared.figures.includes(f)) && !declared.except?.includes(f)
  // Candidates: per cell (workload, params), its headline figures, else its fallback figures.
  const candidates: Candidate[] = []
  for (const cell of [...new Set(summaries.map(cellOf))]) {
    const mine = summaries.filter((s) => cellOf(s) === cell)
    let figures = [...new Set(mine.map((s) => s.figure))].filter(isHeadline)
    const fallback = figures.length === 0
    if (fallback) figures = (declared.fallback ?? []).filter((f) => mine.some((s) => s.figure === f))
    for (const figure of figures) {
      const of = mine.filter((s) => s.figure === figure)
      candidates.push({figure, workload: of[0]!.workload, params: of[0]!.params, summaries: of, fallback})
    }
  }
  if (candidates.length === 0) return undefined
  const [primary, ...others] = choose(candidates, metric, reference)
  const p = primary!
  const first = p.summaries[0]!
  // Extra columns: the metric's headline regressions (marginal cost per instance), then other
  // headline cells that differ in more than that regression's x (an idle CPU burn beside throughput).
  const slopes = (results.regressions ?? []).filter((r) => r.metric === metric && (declared.regressions ?? []).includes(r.figure) && r.workload === p.workload)
  const xs = new Set(slopes.map((r) => r.x))
  const slopeFigures = [...new Set(slopes.map((r) => r.figure))]
  const differsBeyond = (c: Candidate) =>
    c.figure !== p.figure || c.workload !== p.workload || Object.keys({...c.params, ...p.params}).some((k) => !xs.has(k) && c.params[k] !== p.params[k])
  const extraCells = others.filter(differsBeyond).slice(0, Math.max(0, 2 - slopeFigures.length))
  const extraColumns = [
    ...slopeFigures.map((f) => ({title: `marginal ${f.replace(/_total$/, '')}`, unit: `${slopes.find((r) => r.figure === f)!.unit.split('/')[0]}/instance`})),
    ...extraCells.map((c) => ({title: cellDifference(c, p, keys), unit: c.summaries[0]!.unit})),
  ]
  const block: HeadlineBlock = {
    metric,
    title: m?.title ?? metric,
    figure: p.figure,
    workload: p.workload,
    params: p.params,
    paramsText: titleParams(metric, {workload: p.workload, figure: p.figure, params: p.params}, summaries, keys),
    unit: first.unit,
    direction: first.direction,
    against: 'reference',
    reference,
    extraColumns,
    // Cells that differ only in the slope's x (memory at n=2) are summed up by the marginal column.
    otherCells: others.filter(differsBeyond).length - extraCells.length,
    rows: [],
  }
  const armsRan = [...new Set(summaries.map((s) => s.arm))]
  block.rows = armsRan.map((arm) => {
    const summary = p.summaries.find((s) => s.arm === arm)
    const extras = [
      ...slopeFigures.map((f) => {
        const r = slopes.find((x) => x.figure === f && x.arm === arm)
        return r ? {value: r.slope, ci: Number.isFinite(r.ci[0]) && Number.isFinite(r.ci[1]) ? r.ci : null, unit: extraColumns[0]!.unit} : undefined
      }),
      ...extraCells.map((c) => {
        const s = c.summaries.find((x) => x.arm === arm)
        return s ? {value: s.median, ci: s.medianCi ?? null, unit: s.unit} : undefined
      }),
    ]
    return {arm, label: arm, reference: arm === reference, summary, versus: arm === reference ? undefined : versusReference(results, p, arm, reference), extras}
  })
  return block
}

/** What tells another cell from the primary one: "idle cpu_per_s" (another workload), "n=8" (another param value). */
function cellDifference(c: Candidate, p: Candidate, keys: Set<string>): string {
  if (c.workload !== p.workload) return c.figure === p.figure ? c.workload : `${c.workload} ${c.figure}`
  const differing = new Set([...keys].filter((k) => c.params[k] !== p.params[k]))
  return [c.figure === p.figure ? '' : c.figure, paramsLabel(c.params, differing)].filter(Boolean).join(' ') || 'other'
}

/**
 * The params a block title names: those that tell its cell from the metric's other cells of the same
 * workload and figure (n=1 beside n=2), and the ones the metric declares as naming workloads (the
 * aggressor); never a setting shared by every cell (settleMs, windowMs).
 */
function titleParams(metric: string, cell: Pick<Summary, 'workload' | 'figure' | 'params'>, summaries: Summary[], keys: Set<string>): string {
  const siblings = summaries.filter((s) => s.workload === cell.workload && s.figure === cell.figure).map((s) => s.params)
  const named = new Set(getMetric(metric)?.workloadParams ?? [])
  const shown = new Set([...keys].filter((k) => named.has(k) || siblings.some((p) => p[k] !== cell.params[k])))
  return paramsLabel(cell.params, shown)
}

/** The stored comparison of `arm` with the reference in this cell, read inverted when it was stored the other way round. */
function versusReference(results: Results, cell: Candidate, arm: string, reference: string): Versus | undefined {
  const here = results.comparisons.filter((c) => c.kind !== 'interference' && sameCell(c, cell))
  const c = here.find((x) => x.arm === arm && x.baseline === reference) ?? here.find((x) => x.arm === reference && x.baseline === arm)
  return c ? readVersus(c, arm, results) : undefined
}

/** A metric compared within each arm (interference): co-located against solo, per arm; the solo median beside it. */
function withinArmBlock(results: Results, metric: string, summaries: Summary[], keys: Set<string>): HeadlineBlock | undefined {
  const m = getMetric(metric)
  const within = m!.withinArm!
  const cs = results.comparisons.filter((c) => c.metric === metric && c.kind === 'interference')
  if (cs.length === 0) return undefined
  const cellKey = (c: Comparison) => `${c.figure}/${c.workload}[${paramsKey(c.params)}]`
  const groups = new Map<string, Comparison[]>()
  for (const c of cs) groups.set(cellKey(c), [...(groups.get(cellKey(c)) ?? []), c])
  const ranked = [...groups.values()].map((g, i) => ({g, i})).sort((a, b) => b.g.length - a.g.length || a.i - b.i)
  const chosen = ranked[0]!.g
  const c0 = chosen[0]!
  const shown = new Set([...keys].filter((k) => k !== within.param))
  const colocated = summaries.filter((s) => s.params[within.param] === within.value)
  return {
    metric,
    title: m!.title,
    figure: c0.figure,
    workload: c0.workload,
    params: c0.params,
    paramsText: titleParams(metric, c0, colocated, shown),
    unit: c0.unit,
    direction: c0.direction,
    against: 'solo',
    reference: within.against,
    extraColumns: [{title: within.against, unit: c0.unit}],
    otherCells: groups.size - 1,
    rows: [...new Set(chosen.map((c) => c.arm))].map((arm) => {
      const c = chosen.find((x) => x.arm === arm)!
      const summary = summaries.find((s) => s.arm === arm && s.figure === c.figure && s.workload === c.workload && paramsKey(s.params) === paramsKey(c.params))
      const solo = summaries.find(
        (s) => s.arm === arm && s.figure === c.figure && s.workload === c.workload && paramsKey(s.params) === paramsKey(c.baselineParams ?? {}),
      )
      return {
        arm,
        label: arm,
        reference: false,
        summary,
        versus: readVersus(c, arm, results),
        extras: [solo ? {value: solo.median, ci: solo.medianCi ?? null, unit: solo.unit} : undefined],
      }
    }),
  }
}
