/**
 * The report library: results → one self-contained HTML file. `writeReport(results, file)` is what
 * `isobench run` calls after a run; `buildReport` serves `isobench report` (several runs, a baseline).
 */
import type {Results} from '../core/results.js'
import {analyze} from '../engine/analyze.js'
import {writeFileAtomic} from '../host/fs.js'
import {baselineChart, baselineComparison, baselineSection} from './baseline.js'
import {type Chart} from './charts/kit.js'
import {h, raw} from './escape.js'
import {renderPage, type RunView} from './page.js'
import type {RenderedChart} from './run-sections.js'
import {renderSvg} from './svg.js'
import {buildCharts} from './build-charts.js'

export interface ReportOptions {
  baseline?: Results
  /** Threshold for the baseline comparison, default 0.05. */
  threshold?: number
}

export interface BuiltReport {
  html: string
  charts: number
  /** Charts whose spec failed to render (the page shows the error in their place). */
  failedCharts: Array<{id: string; title: string; error: string}>
}

/**
 * Summaries and comparisons are derived data: recompute them when a file has samples but none, or
 * was analysed before summaries had a median CI and runs a reference arm (the headline reads both).
 */
export async function ensureAnalysis(results: Results): Promise<void> {
  const hasValues = results.samples.some((s) => !s.warmup && s.ok && s.value !== null)
  const current = results.summaries.length > 0 && results.reference !== undefined && results.summaries.every((s) => 'medianCi' in s)
  if (!hasValues || current) return
  const config = (results.config ?? {}) as {equivalenceDelta?: number; seed?: number}
  analyze(results, {equivalenceDelta: config.equivalenceDelta ?? 0.05, seed: config.seed ?? 1})
}

async function render(charts: Chart[], failed: BuiltReport['failedCharts']): Promise<RenderedChart[]> {
  const out: RenderedChart[] = []
  for (const c of charts) {
    try {
      out.push({...c, svg: await renderSvg(c.spec)})
    } catch (error) {
      const message = (error as Error).message
      failed.push({id: c.id, title: c.title, error: message})
      out.push({...c, svg: h`<p class="banner warn-banner">chart "${c.title}" could not be drawn: ${message}</p>`.markup})
    }
  }
  return out
}

export async function buildReport(runs: Results[], opts: ReportOptions = {}): Promise<BuiltReport> {
  if (runs.length === 0) throw new RangeError('buildReport() needs at least one results object')
  const failedCharts: BuiltReport['failedCharts'] = []
  const views: RunView[] = []
  for (const [i, results] of runs.entries()) {
    await ensureAnalysis(results)
    views.push({results, charts: await render(buildCharts(results, runs.length > 1 ? `r${i}c` : 'c'), failedCharts)})
  }
  let section
  if (opts.baseline) {
    await ensureAnalysis(opts.baseline)
    const comparison = baselineComparison(opts.baseline, runs[0]!, opts.threshold ?? 0.05)
    const chart = baselineChart(comparison)
    let markup
    if (chart) {
      const [rendered] = await render([{...chart, id: 'baseline-chart'}], failedCharts)
      views[0]!.charts.push(rendered!)
      markup = h`<figure class="chart" id="baseline-chart" data-chart="baseline-chart">${raw(rendered!.svg)}<figcaption>${rendered!.title}</figcaption></figure>`
    }
    section = baselineSection(comparison, markup)
  }
  const html = renderPage(views, {baselineSection: section})
  return {html, charts: views.reduce((n, v) => n + v.charts.length, 0), failedCharts}
}

/** Write the report for one run atomically; returns the file written. */
export async function writeReport(results: Results, file: string, opts: ReportOptions = {}): Promise<string> {
  const {html} = await buildReport([results], opts)
  writeFileAtomic(file, html)
  return file
}
