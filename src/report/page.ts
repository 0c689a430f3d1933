/**
 * Assembles one self-contained HTML page: inline CSS, inline SVG charts, and the results and
 * vega-lite specs embedded as JSON (escaped) so a reader can re-plot. A Content-Security-Policy
 * forbids scripts and every network fetch, as a second line behind the escaping.
 */
import type {Results} from '../core/results.js'
import type {Chart} from './charts/kit.js'
import {METRIC_ORDER, armLabeller} from './charts/kit.js'
import {h, jsonForScript, raw, type Safe} from './escape.js'
import {armsSection, claimsSection, comparisonTable, failuresSection, headerSection, hostSection, paritySection, precisionSection, summaryTable, verdictsSection, warningsSection} from './sections.js'
import {STYLE} from './style.js'

export interface RenderedChart extends Chart {
  svg: string
}

export interface RunView {
  results: Results
  charts: RenderedChart[]
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"

const SECTION_TITLES: Record<string, string> = {
  startup: 'Startup',
  scaleout: 'Scale-out',
  memory: 'Memory',
  cpu: 'CPU',
  interference: 'Interference',
  drift: 'Sample order (drift)',
}

const SECTION_NOTES: Record<string, string> = {
  startup: 'Time from the arm\'s start() call to the instance\'s ready marker, on the host\'s monotonic clock; phases are the marker arrival times.',
  scaleout: 'N instances started at once (concurrent) or one after another (sequential): time until all are ready, and creation rate.',
  memory: 'Host-side memory of each instance\'s processes (PSS/USS/RSS from smaps_rollup; the qemu process for a VM) and the marginal cost of one more instance.',
  cpu: 'Workload throughput relative to the bare process arm, and host CPU an instance burns.',
  interference: 'A victim workload next to an aggressor (stress-ng) versus alone: degradation in %, per arm.',
  drift: 'Every measured sample in the order it was taken: a trend means the machine drifted during the run (caches, thermal, neighbours).',
}

function chartFigure(c: RenderedChart): Safe {
  return h`<figure class="chart" id="${c.id}" data-chart="${c.id}">${raw(c.svg)}<figcaption>${c.title} · vega-lite spec embedded as <code>${c.id}</code></figcaption></figure>`
}

function runArticle(view: RunView, index: number, extra: Safe | undefined): Safe {
  const {results, charts} = view
  const label = armLabeller(results)
  const metrics = [...new Set([...METRIC_ORDER, ...results.samples.map((s) => s.metric)])]
  const metricSections = metrics.map((metric) => {
    const mine = charts.filter((c) => c.section === metric)
    const summaries = results.summaries.filter((s) => s.metric === metric)
    const comparisons = results.comparisons.filter((c) => c.metric === metric)
    const has = mine.length + summaries.length + comparisons.length > 0
    return h`<section id="r${index}-${metric}" class="metric"><h2>${SECTION_TITLES[metric] ?? metric}</h2>
${has ? h`<p class="dim">${SECTION_NOTES[metric] ?? ''}</p>${mine.map(chartFigure)}${summaryTable(summaries, label)}${comparisonTable(comparisons, label)}` : h`<p class="empty">Not measured in this run.</p>`}</section>`
  })
  const drift = charts.filter((c) => c.section === 'drift')
  const title = `isobench report${(results.scenario as {name?: string})?.name ? ` — ${(results.scenario as {name?: string}).name}` : ''}`
  return h`<article class="run" id="run-${index}">
${headerSection(results, title)}
<nav class="toc">${['verdicts', 'host', 'arms', 'parity'].map((s) => h`<a href="#${index === 0 ? '' : `r${index}-`}${s}">${s}</a>`)}${metrics.map((m) => h`<a class="${charts.some((c) => c.section === m) ? '' : 'none'}" href="#r${index}-${m}">${m}</a>`)}<a href="#r${index}-drift">drift</a><a href="#data">data</a></nav>
${prefixIds(h`${verdictsSection(results)}
${extra ?? ''}
${hostSection(results)}
${armsSection(results)}
${paritySection(results)}
${warningsSection(results)}
${claimsSection(results)}
${precisionSection(results)}`, index)}
${metricSections}
<section id="r${index}-drift"><h2>${SECTION_TITLES.drift}</h2>${drift.length ? h`<p class="dim">${SECTION_NOTES.drift}</p>${drift.map(chartFigure)}` : h`<p class="empty">Too few samples to show an order.</p>`}</section>
${prefixIds(failuresSection(results, label), index)}
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
