/**
 * Where the time and memory go: every comparison of two arms split by the attribution counters
 * recorded next to its samples, with the same CI machinery as the figures themselves (a seeded
 * bootstrap of the ratio of medians, or of the difference when a median is 0). One cell per
 * (metric, workload, params, arm vs baseline): its figures share the repetitions, so they share the
 * counters. Memory parts (guest RAM, TCG cache, runtime/shim, …) are compared as medians per arm.
 */
import {median} from 'simple-statistics'
import type {AttributionCell, Comparison, CounterEstimate, Results, Sample} from '../../core/results.js'
import {counterInfo, MEMORY_PARTS} from '../../core/counters.js'
import {bootstrapDifferenceOfMedians, ratioOfMedians, seedFrom} from '../../stats/index.js'
import {getMetric} from '../../metrics/index.js'
import {paramsKey} from '../analyze.js'

const MEMORY = new Set(MEMORY_PARTS.map((p) => p.name))

/** Counters derived from the recorded ones, for the summary sentence. */
function derived(values: Record<string, number>): Record<string, number> {
  const out = {...values}
  if (values.ctx_voluntary !== undefined && values.ctx_involuntary !== undefined) out.ctx_switches = values.ctx_voluntary + values.ctx_involuntary
  return out
}

/** One counter sample per repetition of a (metric, workload, params, arm) cell: its figures share it. */
function repetitions(samples: readonly Sample[], c: Pick<Comparison, 'metric' | 'workload' | 'params'>, arm: string): Sample[] {
  const key = paramsKey(c.params)
  const seen = new Set<string>()
  const out: Sample[] = []
  for (const s of samples) {
    if (s.warmup || !s.counters || s.arm !== arm || s.metric !== c.metric || s.workload !== c.workload || paramsKey(s.params) !== key) continue
    const rep = `${s.block}/${s.rep}`
    if (seen.has(rep)) continue
    seen.add(rep)
    out.push(s)
  }
  return out
}

export function estimateCounter(counter: string, a: number[], b: number[], seed: number, resamples = 1000): CounterEstimate {
  const unit = counter === 'ctx_switches' ? 'switches' : counterInfo(counter).unit
  const est: CounterEstimate = {
    counter,
    unit,
    arm: a.length ? median(a) : null,
    baseline: b.length ? median(b) : null,
    n: a.length,
    baselineN: b.length,
  }
  if (a.length < 2 || b.length < 2) return est
  if (est.arm! > 0 && est.baseline! > 0) {
    const r = ratioOfMedians(a, b, {seed, resamples})
    est.ratio = r.ratio
    if (Number.isFinite(r.ci[0])) est.ci = r.ci
  } else {
    const d = bootstrapDifferenceOfMedians(a, b, {seed, resamples})
    est.difference = d.difference
    est.differenceCi = d.ci
  }
  return est
}

/** The attribution cells of a run: one per compared cell whose two sides carry counters. */
export function attributionCells(results: Results, opts: {seed: number; resamples?: number}): AttributionCell[] {
  const cells = new Map<string, {cell: AttributionCell; lead: Comparison}>()
  for (const c of results.comparisons) {
    if (c.kind === 'interference') continue
    const key = `${c.metric}/${c.workload}[${paramsKey(c.params)}]@${c.arm}|${c.baseline}`
    const existing = cells.get(key)
    if (existing) {
      existing.cell.comparisons.push(c.text)
      // The sentence leads with the metric's headline figure (the cpu metric's throughput, not its CPU burn).
      if (isHeadline(c) && !isHeadline(existing.lead)) {
        existing.lead = c
        existing.cell.summary = summarize(existing.cell, c)
      }
      continue
    }
    const a = repetitions(results.samples, c, c.arm)
    const b = repetitions(results.samples, c, c.baseline)
    if (a.length === 0 || b.length === 0) continue
    const va = a.map((s) => derived(s.counters!.values))
    const vb = b.map((s) => derived(s.counters!.values))
    const names = [...new Set([...va, ...vb].flatMap((v) => Object.keys(v)))].filter((n) => !MEMORY.has(n))
    const counters = names.map((name) =>
      estimateCounter(name, va.map((v) => v[name]).filter(isNum), vb.map((v) => v[name]).filter(isNum), seedFrom(opts.seed, `${key}#${name}`), opts.resamples),
    )
    const parts = (vs: Array<Record<string, number>>) => {
      const out: Record<string, number> = {}
      for (const p of MEMORY) {
        const xs = vs.map((v) => v[p]).filter(isNum)
        if (xs.length) out[p] = median(xs)
      }
      return out
    }
    const memA = parts(va)
    const memB = parts(vb)
    const cell: AttributionCell = {
      metric: c.metric,
      workload: c.workload,
      params: c.params,
      arm: c.arm,
      baseline: c.baseline,
      mode: a[0]!.counters!.mode,
      comparisons: [c.text],
      counters,
      ...(Object.keys(memA).length || Object.keys(memB).length ? {memory: {arm: memA, baseline: memB}} : {}),
      summary: '',
    }
    cell.summary = summarize(cell, c)
    cells.set(key, {cell, lead: c})
  }
  return [...cells.values()].map((x) => x.cell)
}

function isHeadline(c: Comparison): boolean {
  const h = getMetric(c.metric)?.headline
  if (!h) return true
  return (h.figures === '*' || h.figures.includes(c.figure)) && !h.except?.includes(c.figure)
}

const isNum = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x)

function fmt(x: number): string {
  const a = Math.abs(x)
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : a === 0 ? '0' : x.toPrecision(2)
}

/** "2.1× [1.8–2.4×]" for a ratio, "+0.12 s [0.10–0.15]" for a difference. */
export function estimateText(e: CounterEstimate): string {
  if (e.ratio !== undefined) return `${fmt(e.ratio)}×${e.ci ? ` [${fmt(e.ci[0])}–${fmt(e.ci[1])}×]` : ''}`
  if (e.difference !== undefined)
    return `${e.difference >= 0 ? '+' : '−'}${fmt(Math.abs(e.difference))} ${e.unit}${e.differenceCi ? ` [${fmt(e.differenceCi[0])}…${fmt(e.differenceCi[1])}]` : ''}`
  return `${e.arm === null ? '–' : fmt(e.arm)} vs ${e.baseline === null ? '–' : fmt(e.baseline)} ${e.unit}`
}

/**
 * "qemu vs process, cpu cpu (window): bogo ops −6.3% [CI]; CPU time 1.02× […], vCPU threads 97% of
 * VMM CPU, 2.1× [..] the context switches, major faults 0 vs 0, other processes' CPU 1.4 s".
 */
function summarize(cell: AttributionCell, c: Comparison): string {
  const by = new Map(cell.counters.map((e) => [e.counter, e]))
  const parts: string[] = []
  const cpu = by.get('cpu_s')
  if (cpu) parts.push(`CPU time ${estimateText(cpu)}`)
  const share = by.get('vcpu_share')
  if (share?.arm !== null && share?.arm !== undefined) parts.push(`vCPU threads ${(share.arm * 100).toFixed(0)}% of ${cell.arm}'s VMM CPU`)
  const ctx = by.get('ctx_switches')
  if (ctx) parts.push(`${estimateText(ctx)} the context switches`)
  const major = by.get('faults_major')
  if (major) parts.push(major.arm === 0 && major.baseline === 0 ? '0 major faults on either side' : `major faults ${estimateText(major)}`)
  const minor = by.get('faults_minor')
  if (minor) parts.push(`minor faults ${estimateText(minor)}`)
  const others = by.get('host_others_s')
  if (others?.arm !== null && others?.arm !== undefined) parts.push(`other processes' CPU ${fmt(others.arm)} s vs ${fmt(others.baseline ?? 0)} s`)
  const steal = by.get('host_steal_s')
  if (steal && ((steal.arm ?? 0) > 0 || (steal.baseline ?? 0) > 0)) parts.push(`steal ${fmt(steal.arm ?? 0)} s vs ${fmt(steal.baseline ?? 0)} s`)
  return `${c.text}; ${parts.join(', ')}`
}
