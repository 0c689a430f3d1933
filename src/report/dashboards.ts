/**
 * Exports CI dashboards already read, one entry per summary (cell × arm) with its median and the
 * 95% CI of that median, from the stored analysis:
 *
 * - github-action-benchmark (benchmark-action/github-action-benchmark), tools customSmallerIsBetter
 *   and customBiggerIsBetter: a JSON array of {name, value, unit, range?, extra?}. The tool is chosen
 *   per file, so each file holds the figures of one direction (lower is better / higher is better).
 * - Bencher Metric Format (bencher.dev/docs/reference/bencher-metric-format): an object
 *   {benchmark: {measure: {value, lower_value?, upper_value?}}}; benchmark names ≤ 1024 characters,
 *   measure names ≤ 64.
 *
 * Names are built from the run's own labels (metric.figure, workload, the params a reader needs, arm
 * with its accelerator), so one figure keeps its name from run to run and a dashboard can follow it.
 */
import type {Results, Summary} from '../core/results.js'
import {labelledParamsOf, paramsLabel} from '../metrics/index.js'
import {num} from './charts/format.js'

/** One entry of github-action-benchmark's custom tools (its BenchmarkResult). */
export interface GithubBenchmarkEntry {
  name: string
  value: number
  unit: string
  range?: string
  extra?: string
}

/** Bencher Metric Format: benchmark → measure → metric. */
export type BencherMetricFormat = Record<string, Record<string, {value: number; lower_value?: number; upper_value?: number}>>

/** The tool names github-action-benchmark takes (`tool:` in its step), one per direction. */
export const GITHUB_TOOLS = {customSmallerIsBetter: 'lower', customBiggerIsBetter: 'higher'} as const
export type GithubTool = keyof typeof GITHUB_TOOLS

interface Entry {
  summary: Summary
  /** "startup.ready idle", "memory.pss idle [n=2]". */
  cell: string
  /** "qemu[tcg]", "container". */
  arm: string
  accel: string
}

function entries(runs: readonly Results[]): Entry[] {
  const out: Entry[] = []
  for (const r of runs) {
    const accel = new Map(r.arms.map((a) => [a.name, a.accel]))
    const keysOf = labelledParamsOf(r.summaries)
    for (const s of r.summaries) {
      if (!Number.isFinite(s.median)) continue
      const params = paramsLabel(s.params, keysOf(s.metric))
      const a = accel.get(s.arm) ?? 'none'
      out.push({
        summary: s,
        cell: `${s.metric}.${s.figure} ${s.workload}${params ? ` [${params}]` : ''}`,
        arm: a === 'none' ? s.arm : `${s.arm}[${a}]`,
        accel: a,
      })
    }
  }
  return out
}

const finiteCi = (s: Summary): [number, number] | null =>
  Array.isArray(s.medianCi) && Number.isFinite(s.medianCi[0]) && Number.isFinite(s.medianCi[1]) ? s.medianCi : null

/**
 * github-action-benchmark's JSON for one tool: the summaries whose figure points that way, named
 * "<cell> · <arm>", value the median, range the 95% CI of the median, extra n, failures, outliers,
 * p90 and CoV. Several runs of one file would repeat names: later runs win, as the action keeps one
 * value per name and commit.
 */
export function githubBenchmark(runs: readonly Results[], tool: GithubTool): GithubBenchmarkEntry[] {
  const byName = new Map<string, GithubBenchmarkEntry>()
  for (const {summary: s, cell, arm} of entries(runs)) {
    if (s.direction !== GITHUB_TOOLS[tool]) continue
    const ci = finiteCi(s)
    const cov = typeof s.cov === 'number' && Number.isFinite(s.cov) ? `${(s.cov * 100).toFixed(1)}%` : '–'
    const name = `${cell} · ${arm}`
    byName.set(name, {
      name,
      value: s.median,
      unit: s.unit,
      ...(ci ? {range: `${num(ci[0])}–${num(ci[1])} (95% CI of the median)`} : {}),
      extra: `n=${s.n}${s.failures ? `, ${s.failures} failed` : ''}${s.outliers ? `, ${s.outliers} outlier(s) kept` : ''}\np90=${num(s.p90)} ${s.unit}, CoV=${cov}`,
    })
  }
  return [...byName.values()]
}

/**
 * Bencher Metric Format: benchmark "<cell> · <arm>", measure "<figure> (<unit>)" (cut to Bencher's
 * 64 characters), value the median, lower/upper the 95% CI of the median.
 */
export function bencherMetricFormat(runs: readonly Results[]): BencherMetricFormat {
  const out: BencherMetricFormat = {}
  for (const {summary: s, cell, arm} of entries(runs)) {
    const benchmark = `${cell} · ${arm}`.slice(0, 1024)
    const measure = `${s.figure} (${s.unit})`.slice(0, 64)
    const ci = finiteCi(s)
    out[benchmark] ??= {}
    out[benchmark][measure] = {value: s.median, ...(ci ? {lower_value: ci[0], upper_value: ci[1]} : {})}
  }
  return out
}
