/**
 * Analysis after (or during) a run: summaries per (metric, figure, workload, params, arm) with
 * outlier flags (never dropped) and a bootstrap CI of the median, comparisons of every arm against
 * the bare process and against the headline's reference arm (default container; chosen pairs too),
 * interference degradations (co-located vs solo, same arm), and marginal-cost slopes (memory per
 * extra instance). Recomputable from the raw samples at any time.
 */
import {compareSamples, describe, outlierFlags, ratioOfMedians, bootstrapCi, seedFrom, slopeWithCi, MIN_N_FOR_CI} from '../stats/index.js'
import {median} from 'simple-statistics'
import {diagnosticNote, getMetric, labelledParamsOf, metrics, paramsLabel} from '../metrics/index.js'
import type {Comparison, Direction, Regression, Results, Sample, Summary} from '../core/results.js'
import type {Calibration} from '../core/calibration.js'
import {calibratedSamplesToDecide} from './calibrate/lookup.js'

export interface AnalyzeOptions {
  equivalenceDelta: number
  seed: number
  /** The arm every arm is compared with first; default 'process' (the bare process). */
  baseline?: string
  /**
   * The headline's reference arm (`isobench run --reference`): every other arm is compared with it
   * too, unless the opposite comparison already exists (process vs container is container vs process
   * inverted). Default DEFAULT_REFERENCE.
   */
  reference?: string
  /** Extra arm pairs compared directly when both ran, [arm, against]; default none. */
  pairs?: Array<[string, string]>
  resamples?: number
  /** Which figures of a metric are compared (default: the metric's comparedFigures, else all). */
  comparedFigures?: (metric: string) => string[] | undefined
  /** This host's A/A calibration: inconclusive verdicts then say how many more samples would decide them from its noise. */
  calibration?: Calibration | null
}

type Params = Record<string, string | number | boolean>

export interface Group {
  key: string
  /** Key of the cell and figure, without the arm. */
  figureKey: string
  metric: string
  figure: string
  workload: string
  params: Params
  arm: string
  unit: string
  direction: Direction
  samples: Sample[]
  values: number[]
}

/** Figures regressed over a numeric parameter (the marginal cost of one more instance), as each metric declares them. */
const REGRESSIONS = Object.values(metrics).flatMap((m) => (m.regressions ?? []).map((r) => ({metric: m.name, ...r})))

const ANALYSIS_WARNINGS = new Set(['outliers', 'failed-samples'])

/** The arm the headline compares every arm with when `--reference` is not given: "what does X cost over a container?". */
export const DEFAULT_REFERENCE = 'container'

export function paramsKey(params: Params): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join(',')
}

/** Measured (non-warm-up) samples grouped by cell, figure and arm. */
export function groupSamples(samples: readonly Sample[]): Group[] {
  const groups = new Map<string, Group>()
  for (const s of samples) {
    if (s.warmup) continue
    const figure = s.figure ?? s.metric
    const figureKey = `${s.metric}.${figure}/${s.workload}[${paramsKey(s.params)}]`
    const key = `${figureKey}@${s.arm}`
    let g = groups.get(key)
    if (!g) {
      g = {
        key,
        figureKey,
        metric: s.metric,
        figure,
        workload: s.workload,
        params: s.params,
        arm: s.arm,
        unit: s.unit,
        direction: s.direction ?? 'lower',
        samples: [],
        values: [],
      }
      groups.set(key, g)
    }
    g.samples.push(s)
    if (s.ok && s.value !== null && Number.isFinite(s.value)) g.values.push(s.value)
  }
  return [...groups.values()]
}

export interface Pair {
  kind: 'arm' | 'interference'
  group: Group
  baseline: Group
}

/**
 * Which groups are compared with which: every arm vs the baseline arm (the bare process), chosen
 * pairs, every arm vs the reference arm (one direction per pair of arms: a pair already compared
 * the other way round is not compared again), and co-located vs solo.
 */
export function comparisonPairs(groups: readonly Group[], baseline = 'process', pairs: Array<[string, string]> = [], reference = DEFAULT_REFERENCE): Pair[] {
  const byFigure = new Map<string, Map<string, Group>>()
  for (const g of groups) {
    const arms = byFigure.get(g.figureKey) ?? new Map<string, Group>()
    arms.set(g.arm, g)
    byFigure.set(g.figureKey, arms)
  }
  const out: Pair[] = []
  for (const arms of byFigure.values()) {
    const ref = arms.get(baseline)
    if (ref) for (const g of arms.values()) if (g.arm !== baseline) out.push({kind: 'arm', group: g, baseline: ref})
    const done = new Set([...arms.keys()].filter((a) => a !== baseline).map((a) => `${a}|${baseline}`))
    const add = (a: string, b: string) => {
      const ga = arms.get(a)
      const gb = arms.get(b)
      if (!ga || !gb || a === b || done.has(`${a}|${b}`) || done.has(`${b}|${a}`)) return
      done.add(`${a}|${b}`)
      out.push({kind: 'arm', group: ga, baseline: gb})
    }
    for (const [a, b] of pairs) add(a, b)
    for (const a of arms.keys()) add(a, reference)
  }
  // Within one arm, as the metric declares it: co-located vs solo.
  const byKey = new Map(groups.map((g) => [g.key, g]))
  for (const g of groups) {
    const within = getMetric(g.metric)?.withinArm
    if (!within || g.params[within.param] !== within.value) continue
    const againstParams = {...g.params, [within.param]: within.against}
    const against = byKey.get(`${g.metric}.${g.figure}/${g.workload}[${paramsKey(againstParams)}]@${g.arm}`)
    if (against) out.push({kind: 'interference', group: g, baseline: against})
  }
  return out
}

export function analyze(results: Results, opts: AnalyzeOptions): void {
  const reference = opts.reference ?? results.reference ?? DEFAULT_REFERENCE
  results.reference = reference
  const groups = groupSamples(results.samples)
  const warnings = results.warnings.filter((w) => !ANALYSIS_WARNINGS.has(w.code))
  const summaries: Summary[] = []
  for (const g of groups) {
    const ok = g.samples.filter((s) => s.ok && s.value !== null && Number.isFinite(s.value))
    const flags = outlierFlags(ok.map((s) => s.value!))
    ok.forEach((s, i) => (s.outlier = flags[i]))
    const failures = g.samples.length - ok.length
    const outliers = flags.filter(Boolean).length
    const label = `${g.arm} ${g.figureKey}`
    if (failures > 0)
      warnings.push({
        code: 'failed-samples',
        arm: g.arm,
        metric: g.metric,
        message: `${label}: ${failures} of ${g.samples.length} samples failed (kept with value null)`,
      })
    if (outliers > 0)
      warnings.push({code: 'outliers', arm: g.arm, metric: g.metric, message: `${label}: ${outliers} outlier(s) by modified Z-score > 3.5 (flagged, kept)`})
    if (g.values.length === 0) continue
    const diagnostic = diagnosticNote(g.metric, g.figure)
    summaries.push({
      metric: g.metric,
      figure: g.figure,
      arm: g.arm,
      workload: g.workload,
      params: g.params,
      unit: g.unit,
      direction: g.direction,
      failures,
      outliers,
      ...describe(g.values),
      ...(diagnostic ? {diagnostic} : {}),
      medianCi: medianCi(g.values, seedFrom(opts.seed, g.key), opts.resamples),
    })
  }

  // Labels name the params a reader needs (those set or varied), never a default nobody chose.
  const labelKeys = labelledParamsOf(groups)
  const label = (g: Group, params: Params = g.params) => {
    const shown = paramsLabel(params, labelKeys(g.metric))
    return `${g.metric}.${g.figure} ${g.workload}${shown ? ` [${shown}]` : ''}`
  }
  const comparisons: Comparison[] = []
  const compared = opts.comparedFigures ?? ((metric: string) => getMetric(metric)?.comparedFigures)
  const isCompared = (g: Group) => (compared(g.metric)?.includes(g.figure) ?? true) && !diagnosticNote(g.metric, g.figure)
  for (const pair of comparisonPairs(groups.filter(isCompared), opts.baseline, opts.pairs, reference)) {
    const c = comparePair(pair, opts, label(pair.group))
    if (c) comparisons.push(c)
  }

  results.summaries = summaries
  results.comparisons = comparisons
  results.regressions = regressions(groups, label)
  results.warnings = warnings
}

/**
 * The 95% percentile-bootstrap CI of a median (seeded, as every CI here), or null below
 * MIN_N_FOR_CI values: with 1 or 2 values a "CI" would only restate them.
 */
export function medianCi(values: readonly number[], seed: number, resamples?: number): [number, number] | null {
  if (values.length < MIN_N_FOR_CI) return null
  return bootstrapCi(values, (xs) => median(xs), {seed, resamples})
}

function comparePair(pair: Pair, opts: AnalyzeOptions, label: string): Comparison | undefined {
  const {group: g, baseline: b, kind} = pair
  if (g.values.length === 0 || b.values.length === 0) return undefined
  const interference = kind === 'interference'
  const r = compareSamples({
    arm: interference ? `${g.arm} co-located` : g.arm,
    baseline: interference ? 'solo' : b.arm,
    values: g.values,
    baselineValues: b.values,
    direction: g.direction,
    unit: g.unit,
    delta: opts.equivalenceDelta,
    seed: seedFrom(opts.seed, `${g.key}|${b.key}`),
    resamples: opts.resamples,
  })
  const c: Comparison = {
    metric: g.metric,
    figure: g.figure,
    workload: g.workload,
    params: g.params,
    arm: g.arm,
    baseline: b.arm,
    unit: g.unit,
    direction: g.direction,
    ratio: r.ratio,
    ci: r.ci,
    pValue: r.pValue,
    verdict: r.verdict,
    text: `${label}: ${r.text}`,
    moreRunsNeeded: r.moreRunsNeeded,
    kind,
    n: g.values.length,
    baselineN: b.values.length,
    relHalfWidth: Number.isFinite(r.relHalfWidth) ? r.relHalfWidth : undefined,
    basis: r.basis,
    difference: r.difference,
    differenceCi: r.differenceCi,
  }
  if (c.verdict === 'inconclusive' && opts.calibration) calibrateMoreRuns(c, opts.calibration, opts.equivalenceDelta)
  if (interference && r.basis === 'ratio') {
    c.baselineParams = b.params
    // Degradation: how much worse than solo, in %, whichever way "worse" points for this figure.
    const deg = (x: number) => (g.direction === 'higher' ? 1 - x : x - 1) * 100
    c.degradationPct = deg(r.ratio)
    const bounds = [deg(r.ci[0]), deg(r.ci[1])].sort((x, y) => x - y)
    c.degradationCi = [bounds[0]!, bounds[1]!]
  }
  return c
}

/**
 * An inconclusive verdict's "more runs": from the calibrated noise of both arms on this host (the
 * samples per arm that prove the change or the equivalence at 80% power), not the CI-shrinking rule
 * of thumb; without calibration entries for both arms it says the estimate is the rule of thumb.
 */
function calibrateMoreRuns(c: Comparison, cal: Calibration, delta: number): void {
  const need = c.kind === 'interference' ? undefined : calibratedSamplesToDecide(cal, c, delta)
  const base = c.text.replace(/ — about \d+ more runs needed$/, '')
  if (need === undefined || !Number.isFinite(need)) {
    c.text = `${c.text} (rule of thumb: this figure and arm are not in the host's calibration)`
    return
  }
  const n = Math.min(c.n ?? 0, c.baselineN ?? 0)
  const more = Math.max(1, need - n)
  c.moreRunsNeeded = more
  c.text = `${base} — about ${more} more runs per arm needed (${need} per arm decide it at 80% power with this host's calibrated noise)`
}

function regressions(groups: readonly Group[], label: (g: Group, params: Params) => string): Regression[] {
  const out: Regression[] = []
  for (const rule of REGRESSIONS) {
    const series = new Map<string, {g: Group; params: Params; points: Array<[number, number]>}>()
    for (const g of groups) {
      if (g.metric !== rule.metric || !rule.figures.includes(g.figure) || typeof g.params[rule.x] !== 'number') continue
      const {[rule.x]: x, ...rest} = g.params
      const key = `${g.metric}.${g.figure}/${g.workload}[${paramsKey(rest)}]@${g.arm}`
      const s = series.get(key) ?? {g, params: rest, points: []}
      for (const v of g.values) s.points.push([x as number, v])
      series.set(key, s)
    }
    for (const {g, params, points} of series.values()) {
      if (new Set(points.map(([x]) => x)).size < 2) continue
      const fit = slopeWithCi(points)
      const f = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1))
      const ci = Number.isFinite(fit.ci[0]) ? ` [${f(fit.ci[0])}–${f(fit.ci[1])}]` : ' [no CI: too few points]'
      out.push({
        metric: g.metric,
        figure: g.figure,
        workload: g.workload,
        arm: g.arm,
        params,
        x: rule.x,
        unit: `${g.unit}/${rule.x}`,
        slope: fit.slope,
        intercept: fit.intercept,
        ci: fit.ci,
        r2: fit.r2,
        points: points.length,
        text: `${g.arm} ${label(g, params)}: ${f(fit.slope)} ${g.unit} per ${rule.per}${ci} (R² ${fit.r2.toFixed(2)}, ${points.length} points)`,
      })
    }
  }
  return out
}

/**
 * The widest relative CI half-width among a cell's comparisons (or, with a single arm, among its
 * medians): what --precision watches. Infinity while any side has fewer than 3 values. Figures
 * whose values are all 0, or compared with a baseline whose median is 0, have no relative CI and
 * are left out; 0 when nothing is left to watch.
 */
export function worstRelHalfWidth(
  samples: readonly Sample[],
  opts: {seed: number; baseline?: string; pairs?: Array<[string, string]>; reference?: string; figures?: string[]},
): number {
  // Figures stuck at 0 (no failures, no CPU when idle) have no relative precision: left out.
  const groups = groupSamples(samples).filter(
    (g) => (!opts.figures || opts.figures.includes(g.figure)) && !(g.values.length >= 3 && g.values.every((v) => v === 0)),
  )
  const pairs = comparisonPairs(groups, opts.baseline, opts.pairs, opts.reference)
  let worst = 0
  if (pairs.length > 0) {
    for (const {group, baseline} of pairs) {
      if (baseline.values.length >= 3 && median(baseline.values) === 0) continue // no ratio to a 0 baseline
      if (group.values.length < 3 || baseline.values.length < 3) return Number.POSITIVE_INFINITY
      const r = ratioOfMedians(group.values, baseline.values, {seed: seedFrom(opts.seed, group.key), resamples: 500})
      worst = Math.max(worst, r.relHalfWidth)
    }
    return worst
  }
  for (const g of groups) {
    if (g.values.length < 3) return Number.POSITIVE_INFINITY
    const m = median(g.values)
    if (m === 0) continue
    const ci = bootstrapCi(g.values, (xs) => median(xs), {seed: seedFrom(opts.seed, g.key), resamples: 500})
    worst = Math.max(worst, (ci[1] - ci[0]) / 2 / Math.abs(m))
  }
  return samples.some((s) => !s.warmup) ? worst : Number.POSITIVE_INFINITY
}
