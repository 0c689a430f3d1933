/**
 * Assembles one self-contained HTML page: inline CSS, inline SVG charts, and the results and
 * vega-lite specs embedded as JSON (escaped) so a reader can re-plot. A Content-Security-Policy
 * forbids scripts and every network fetch, as a second line behind the escaping.
 */
import type {Results} from '../core/results.js'
import {armLabeller} from './charts/kit.js'
import {h, jsonForScript, raw, type Safe} from './escape.js'
import {RUN_SECTIONS, type RenderedChart} from './run-sections.js'
import {headerSection} from './sections.js'
import {STYLE} from './style.js'

/** One run on the page: its results and its rendered charts. */
export interface RunView {
  results: Results
  charts: RenderedChart[]
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"

/** One run's article: its header, its table of contents and every registered section in order (src/report/run-sections.ts). */
function runArticle(run: RunView, index: number, extra: Safe | undefined): Safe {
  const {results, charts} = run
  const view = {results, charts, index, label: armLabeller(results), extra}
  const title = `isobench report${(results.scenario as {name?: string})?.name ? ` — ${(results.scenario as {name?: string}).name}` : ''}`
  const sections = RUN_SECTIONS.map((s) => (s.prefixIds ? prefixIds(s.render(view), index) : s.render(view)).markup)
  return h`<article class="run" id="run-${index}">
${headerSection(results, title)}
<nav class="toc">${RUN_SECTIONS.map((s) => s.toc?.(view) ?? '')}<a href="#data">data</a></nav>
${raw(sections.join('\n'))}
</article>`
}

/** Section ids stay unique when one page holds several runs: the second run's are r1-…, and so on. */
function prefixIds(markup: Safe, index: number): Safe {
  return index === 0 ? markup : raw(markup.markup.replace(/<section id="/g, `<section id="r${index}-`))
}

export function renderPage(views: RunView[], opts: {baselineSection?: Safe} = {}): string {
  const first = views[0]!.results
  const title = `isobench report — ${(first.scenario as {name?: string})?.name ?? 'run'} — ${views.map((v) => v.results.runId).join(', ')}`
  const specs = Object.fromEntries(views.flatMap((v) => v.charts.map((c) => [c.id, {section: c.section, title: c.title, spec: c.spec}])))
  const body = h`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="isobench ${first.tool?.version ?? ''}">
<title>${title}</title><style>${raw(STYLE)}</style></head>
<body>
${views.map((v, i) => runArticle(v, i, i === 0 ? opts.baselineSection : undefined))}
<section id="data"><h2>Data</h2><p class="dim">Every raw sample (results.json) and every chart's vega-lite spec are embedded in this file as JSON: <code>script#isobench-results</code> and <code>script#isobench-specs</code>. Paste a spec into any vega-lite editor to re-plot, or read the results with <code>JSON.parse(document.getElementById('isobench-results').textContent)</code>.</p></section>
<script type="application/json" id="isobench-results">${raw(jsonForScript(views.map((v) => v.results)))}</script>
<script type="application/json" id="isobench-specs">${raw(jsonForScript(specs))}</script>
</body></html>
`
  return body.markup
}
