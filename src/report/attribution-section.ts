/**
 * "Where the time and memory go": for each comparison of two arms, its figures' verdicts followed by
 * the attribution counters on both sides (medians) and their ratio or difference with a 95% CI, the
 * chart of those ratios, and each arm's memory per instance split into parts. What could not be
 * counted on this host is said first (perf without a PMU, PSI, KVM exits under TCG).
 */
import {counterInfo, COUNTERS, MEMORY_PARTS} from '../core/counters.js'
import type {AttributionCell, CounterEstimate, Results} from '../core/results.js'
import {estimateText} from '../engine/attribution/analyze.js'
import {cellTitle, memoryPartsByArm} from './charts/attribution.js'
import {num} from './charts/format.js'
import {h, raw, type Safe} from './escape.js'
import type {RunView} from './run-sections.js'

const ORDER = [...COUNTERS.map((c) => c.name), 'ctx_switches']

function rank(name: string): number {
  const i = ORDER.indexOf(name)
  return i < 0 ? ORDER.length : i
}

function chartFigure(c: RunView['charts'][number]): Safe {
  return h`<figure class="chart" id="${c.id}" data-chart="${c.id}">${raw(c.svg)}<figcaption>${c.title} · vega-lite spec embedded as <code>${c.id}</code></figcaption></figure>`
}

function counterRow(e: CounterEstimate): Safe {
  const info = e.counter === 'ctx_switches' ? {label: 'context switches (voluntary + involuntary)'} : counterInfo(e.counter)
  return h`<tr><td>${info.label} <span class="dim">${e.counter}</span></td><td class="num">${num(e.arm)}</td><td class="num">${num(e.baseline)}</td><td>${e.unit}</td><td class="num">${e.ratio !== undefined || e.difference !== undefined ? estimateText(e) : '–'}</td><td class="num">${e.n} / ${e.baselineN}</td></tr>`
}

function memoryTable(cell: AttributionCell, label: (a: string) => string): Safe {
  if (!cell.memory) return raw('')
  const parts = MEMORY_PARTS.filter((p) => cell.memory!.arm[p.name] !== undefined || cell.memory!.baseline[p.name] !== undefined)
  const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0)
  return h`<table class="data"><thead><tr><th>memory part (PSS per instance)</th><th>${label(cell.arm)}</th><th>${label(cell.baseline)}</th></tr></thead><tbody>${parts.map(
    (p) =>
      h`<tr><td>${p.label}</td><td class="num">${num(cell.memory!.arm[p.name])} MiB</td><td class="num">${num(cell.memory!.baseline[p.name])} MiB</td></tr>`,
  )}<tr><th>total of the parts</th><td class="num">${num(total(cell.memory.arm))} MiB</td><td class="num">${num(total(cell.memory.baseline))} MiB</td></tr></tbody></table>`
}

function cellBlock(cell: AttributionCell, v: RunView, chart: RunView['charts'][number] | undefined): Safe {
  const counters = [...cell.counters].sort((a, b) => rank(a.counter) - rank(b.counter))
  return h`<div class="attribution-cell"><h3>${cellTitle(cell, v.label)}</h3>
<p>${cell.summary}</p>
${chart ? chartFigure(chart) : ''}
<details><summary>All counters (${counters.length}; medians per instance, counted over ${cell.mode === 'window' ? "the metric's measuring window" : 'each instance from start to stop'})</summary>
<table class="data"><thead><tr><th>counter</th><th>${v.label(cell.arm)}</th><th>${v.label(cell.baseline)}</th><th>unit</th><th>ratio (or Δ) [95% CI]</th><th>n</th></tr></thead><tbody>${counters.map(counterRow)}</tbody></table></details>
${cell.metric === 'memory' ? memoryTable(cell, v.label) : ''}
${cell.comparisons.length > 1 ? h`<details><summary>The ${cell.comparisons.length} figures of this comparison</summary><ul>${cell.comparisons.map((t) => h`<li>${t}</li>`)}</ul></details>` : ''}</div>`
}

export function attributionSection(v: RunView): Safe {
  const a = v.results.attribution
  const id = `r${v.index}-attribution`
  if (!a) return h`<section id="${id}"><h2>Where the time and memory go</h2><p class="empty">No attribution counters in these results.</p></section>`
  const charts = v.charts.filter((c) => c.section === 'attribution')
  const memoryChart = charts.find((c) => c.title.startsWith('memory per instance'))
  const cells = a.cells ?? []
  return h`<section id="${id}"><h2>Where the time and memory go</h2>
<p class="dim">Next to every sample isobench records what the instance and the host were doing (procfs, the instance's cgroup, the VMM's threads by name, smaps, perf where it counts), read before and after each timed region, never inside it. Each comparison below is split by those counters, with the same bootstrap CIs as the figures.</p>
${a.notes.length ? h`<ul class="warnings">${a.notes.map((n) => h`<li><span class="badge neutral">not counted</span> ${n}</li>`)}</ul>` : ''}
${memoryChart ? chartFigure(memoryChart) : ''}
${memoryPartsTable(v.results, v.label)}
${
  cells.length
    ? cells.map((cell) =>
        cellBlock(
          cell,
          v,
          charts.find((c) => c.title === `where it goes: ${cellTitle(cell, v.label)}`),
        ),
      )
    : h`<p class="empty">No comparison had counters on both sides.</p>`
}
</section>`
}

function memoryPartsTable(results: Results, label: (a: string) => string): Safe {
  const byArm = memoryPartsByArm(results)
  if (byArm.size === 0) return raw('')
  const arms = [...byArm.keys()]
  const parts = MEMORY_PARTS.filter((p) => arms.some((a) => byArm.get(a)![p.name] !== undefined))
  return h`<details><summary>Memory per instance by part (PSS MiB, medians)</summary><table class="data"><thead><tr><th>part</th>${arms.map((a) => h`<th>${label(a)}</th>`)}</tr></thead><tbody>${parts.map(
    (p) => h`<tr><td>${p.label}</td>${arms.map((a) => h`<td class="num">${num(byArm.get(a)![p.name])}</td>`)}</tr>`,
  )}</tbody></table></details>`
}
