/**
 * Run-to-run comparison: for every (metric, figure, workload, params, arm) cell measured in both
 * runs, the change new/base as a ratio of medians with a seeded bootstrap 95% CI and a permutation
 * p-value, and a verdict against a threshold:
 *   no finite CI                                     → inconclusive
 *   CI inside [1 − t, 1 + t]                         → equivalent
 *   CI excludes 1, p < α and |change| ≥ t            → regression / improvement (by the figure's direction)
 *   anything else                                    → inconclusive (a small or unproven change)
 */
import {groupSamples, paramsKey, type Group} from './analyze.js'
import {runStatusText, type ArmFigure, type Direction, type Results} from '../core/results.js'
import {bootstrapDifferenceOfMedians, describe, differenceVerdict, magnitude, permutationTest, ratioOfMedians, seedFrom} from '../stats/index.js'
import type {ArmProvenanceDiff} from '../core/provenance.js'
import {diffRuns} from './provenance/diff.js'

export type ChangeVerdict = 'regression' | 'improvement' | 'equivalent' | 'inconclusive'

export interface Change extends ArmFigure {
  direction: Direction
  baseMedian: number | null
  newMedian: number | null
  baseN: number
  newN: number
  /** median(new) / median(base) */
  ratio: number
  ci: [number, number]
  pValue: number
  verdict: ChangeVerdict
  text: string
  /** 'difference' when the base median is 0 (idle CPU, failure counts): no ratio; difference = new − base in unit. */
  basis: 'ratio' | 'difference'
  difference?: number
  differenceCi?: [number, number]
  /** A material provenance difference between the runs for this arm (or the host): the reason; the change is then not counted as a regression. */
  notComparable?: string
  /** The threshold this cell was judged against (the calibrated noise floor when compare ran without --threshold). */
  threshold?: number
}

export interface RunRef {
  runId: string
  file?: string
  startedAt: string
}

export interface RunComparison {
  base: RunRef
  new: RunRef
  threshold: number
  /** Where the thresholds came from ('--threshold', 'calibration …', 'default'). */
  thresholdSource?: string
  alpha: number
  changes: Change[]
  /** Cells measured in only one of the runs. */
  onlyInBase: string[]
  onlyInNew: string[]
  /** Differences that make the comparison less meaningful (accel, host, tool version). */
  warnings: string[]
  /** The two runs' provenance (host preflight facts, each arm's facts from inside), side by side and judged. */
  provenance: ArmProvenanceDiff[]
  counts: Record<ChangeVerdict, number>
  /** Changes a material provenance difference makes not comparable (not counted in `counts.regression`). */
  notComparable: number
}

export interface CompareRunsOptions {
  /** The threshold for every cell, or the fallback for cells `thresholdFor` has none for. */
  threshold: number
  /** A threshold per cell (the calibrated noise floor at the cell's n); undefined: `threshold`. */
  thresholdFor?: (
    cell: {metric: string; figure: string; workload: string; params: Record<string, string | number | boolean>; arm: string},
    n: number,
  ) => number | undefined
  /** Where the thresholds came from, for the output: '--threshold 5%', 'calibration abc123 (…)'. */
  thresholdSource?: string
  alpha?: number
  seed?: number
  resamples?: number
  baseFile?: string
  newFile?: string
}

export function cellLabel(c: Pick<Change, 'metric' | 'figure' | 'workload' | 'params' | 'arm'>): string {
  const p = paramsKey(c.params)
  return `${c.metric}.${c.figure} ${c.workload}${p ? ` [${p}]` : ''} @ ${c.arm}`
}

export function compareRuns(base: Results, next: Results, opts: CompareRunsOptions): RunComparison {
  const alpha = opts.alpha ?? 0.05
  const seed = opts.seed ?? 1
  const baseGroups = new Map(groupSamples(base.samples).map((g) => [g.key, g]))
  const newGroups = new Map(groupSamples(next.samples).map((g) => [g.key, g]))
  const changes: Change[] = []
  for (const [key, n] of newGroups) {
    const b = baseGroups.get(key)
    if (!b) continue
    const threshold = opts.thresholdFor?.(n, Math.min(b.values.length, n.values.length)) ?? opts.threshold
    changes.push({
      ...compareCell(b, n, {
        threshold,
        alpha,
        seed: seedFrom(seed, key),
        resamples: opts.resamples,
        // The medians by the analysis' own describe(): the figure results.json's summaries hold for these samples.
        medians: [medianOf(b), medianOf(n)],
      }),
      threshold,
    })
  }
  const label = (g: Group) => cellLabel({...g})
  const provenance = diffRuns(provenanceFacts(base), provenanceFacts(next))
  for (const c of changes) {
    const reasons = provenance
      .filter((d) => d.arm === '*' || d.arm === c.arm)
      .flatMap((d) => d.diffs.filter((x) => x.material).map((x) => `${d.arm === '*' ? 'host' : d.arm} ${x.key}: ${x.values.base} → ${x.values.new}`))
    if (reasons.length) {
      c.notComparable = reasons.join('; ')
      c.text = `${c.text} — not comparable: ${c.notComparable}`
    }
  }
  const counts: Record<ChangeVerdict, number> = {regression: 0, improvement: 0, equivalent: 0, inconclusive: 0}
  for (const c of changes) if (!c.notComparable) counts[c.verdict]++
  const order: ChangeVerdict[] = ['regression', 'improvement', 'inconclusive', 'equivalent']
  changes.sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict))
  return {
    base: {runId: base.runId, file: opts.baseFile, startedAt: base.startedAt},
    new: {runId: next.runId, file: opts.newFile, startedAt: next.startedAt},
    threshold: opts.threshold,
    thresholdSource: opts.thresholdSource,
    alpha,
    changes,
    onlyInBase: [...baseGroups].filter(([k]) => !newGroups.has(k)).map(([, g]) => label(g)),
    onlyInNew: [...newGroups].filter(([k]) => !baseGroups.has(k)).map(([, g]) => label(g)),
    warnings: runWarnings(base, next),
    provenance,
    counts,
    notComparable: changes.filter((c) => c.notComparable).length,
  }
}

/** The facts diffRuns compares: the host's preflight facts (without the moment's load) and each arm's from inside. */
function provenanceFacts(r: Results): {host?: Record<string, string>; arms?: Record<string, Record<string, string>>} {
  const p = r.provenance
  if (!p) return {}
  return {host: p.preflight.facts, arms: Object.fromEntries(Object.entries(p.arms).map(([a, v]) => [a, v.facts]))}
}

/** A cell's median as the run's analysis computes it (stats describe(), as in results.json's summaries); null without a successful sample. */
function medianOf(g: Group): number | null {
  return g.values.length ? describe(g.values).median : null
}

function compareCell(
  b: Group,
  n: Group,
  o: {threshold: number; alpha: number; seed: number; resamples?: number; medians: [number | null, number | null]},
): Change {
  const common = {
    metric: n.metric,
    figure: n.figure,
    workload: n.workload,
    params: n.params,
    arm: n.arm,
    unit: n.unit,
    direction: n.direction,
    baseN: b.values.length,
    newN: n.values.length,
  }
  const [baseMedian, newMedian] = o.medians
  const label = cellLabel(common)
  if (b.values.length < 2 || n.values.length < 2) {
    const ratio = baseMedian && newMedian !== null ? newMedian / baseMedian : Number.NaN
    return {
      ...common,
      basis: 'ratio',
      baseMedian,
      newMedian,
      ratio,
      ci: [Number.NaN, Number.NaN],
      pValue: Number.NaN,
      verdict: 'inconclusive',
      text: `${label}: inconclusive — fewer than 2 successful samples (base ${b.values.length}, new ${n.values.length})`,
    }
  }
  if (baseMedian! <= 0 || newMedian! <= 0) {
    // No meaningful ratio (a 0, or a signed figure such as a host memory delta below 0, whose ratio
    // would flip the direction of the change): compare the difference of medians, as the run's own analysis does.
    const {difference, ci} = bootstrapDifferenceOfMedians(n.values, b.values, {seed: o.seed, resamples: o.resamples})
    const {pValue} = permutationTest(n.values, b.values, {seed: o.seed ^ 0x5bd1e995, resamples: o.resamples})
    const allZero = [...n.values, ...b.values].every((v) => v === 0)
    const reason = baseMedian === 0 ? 'base median is 0' : newMedian === 0 ? 'new median is 0' : 'a median below 0'
    const v = differenceVerdict({
      arm: 'new',
      baseline: 'base',
      difference,
      ci,
      pValue,
      direction: n.direction,
      unit: n.unit,
      n: Math.min(b.values.length, n.values.length),
      delta: o.threshold,
      allZero,
      alpha: o.alpha,
      reason,
    })
    const verdict: ChangeVerdict = v.verdict === 'better' ? 'improvement' : v.verdict === 'worse' ? 'regression' : v.verdict
    return {
      ...common,
      basis: 'difference',
      baseMedian,
      newMedian,
      ratio: Number.NaN,
      ci: [Number.NaN, Number.NaN],
      pValue,
      difference,
      differenceCi: ci,
      verdict,
      text: `${label}: ${verdict === 'inconclusive' ? v.text.replace(/^new vs base: /, '') : `${verdict}: ${v.text}`}`,
    }
  }
  const est = ratioOfMedians(n.values, b.values, {seed: o.seed, resamples: o.resamples})
  const {pValue} = permutationTest(n.values, b.values, {seed: o.seed ^ 0x5bd1e995, resamples: o.resamples})
  const {verdict, text} = decide({ratio: est.ratio, ci: est.ci, pValue, direction: n.direction, threshold: o.threshold, alpha: o.alpha})
  return {...common, basis: 'ratio', baseMedian, newMedian, ratio: est.ratio, ci: est.ci, pValue, verdict, text: `${label}: ${text}`}
}

export function decide(o: {ratio: number; ci: [number, number]; pValue: number; direction: Direction; threshold: number; alpha: number}): {
  verdict: ChangeVerdict
  text: string
} {
  const [lo, hi] = o.ci
  const t = o.threshold
  const pct = (x: number) => `${x >= 1 ? '+' : '−'}${Math.abs((x - 1) * 100).toFixed(Math.abs(x - 1) >= 0.1 ? 0 : 1)}%`
  const span = `${pct(o.ratio)} [${pct(lo)} … ${pct(hi)}]`
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(o.ratio))
    return {verdict: 'inconclusive', text: 'inconclusive — no confidence interval (a median of 0?)'}
  if (lo >= 1 - t && hi <= 1 + t) return {verdict: 'equivalent', text: `equivalent within ±${(t * 100).toFixed(0)}% (${span})`}
  const significant = (lo > 1 || hi < 1) && o.pValue < o.alpha
  if (significant && Math.abs(o.ratio - 1) >= t) {
    const worse = o.ratio > 1 === (o.direction === 'lower')
    const words = o.ratio > 1 ? 'up' : 'down'
    return {
      verdict: worse ? 'regression' : 'improvement',
      text: `${worse ? 'regression' : 'improvement'}: ${words} ${magnitude(o.ratio, lo, hi)} (${span}, p=${fmtP(o.pValue)})`,
    }
  }
  return {
    verdict: 'inconclusive',
    text: significant
      ? `inconclusive — a real change smaller than the ${(t * 100).toFixed(0)}% threshold, CI reaching beyond it (${span})`
      : `inconclusive — no significant change but the CI is wider than ±${(t * 100).toFixed(0)}% (${span}, p=${fmtP(o.pValue)})`,
  }
}

function fmtP(p: number): string {
  return !Number.isFinite(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3)
}

function runWarnings(base: Results, next: Results): string[] {
  const out: string[] = []
  const accel = new Map(base.arms.map((a) => [a.name, a.accel]))
  for (const a of next.arms) {
    const before = accel.get(a.name)
    if (before && before !== a.accel)
      out.push(`arm ${a.name} ran with accel ${before} in the base run and ${a.accel} in the new run: its figures are not comparable`)
    else if (a.accel === 'tcg') out.push(`arm ${a.name}: VM figures emulated (TCG) in both runs`)
  }
  const host = (r: Results) => [r.host?.hostname, r.host?.cpu?.model, r.host?.cpu?.cores, r.host?.kernel].join(' / ')
  if (host(base) !== host(next)) out.push(`different hosts: base ${host(base)}; new ${host(next)}`)
  if (base.tool?.version !== next.tool?.version || base.tool?.commit !== next.tool?.commit)
    out.push(
      `different isobench builds: base ${base.tool?.version}${base.tool?.commit ? ` (${base.tool.commit})` : ''}; new ${next.tool?.version}${next.tool?.commit ? ` (${next.tool.commit})` : ''}`,
    )
  for (const r of [base, next]) if (r.status && r.status !== 'complete') out.push(`run ${r.runId} is ${runStatusText(r)}`)
  return out
}
