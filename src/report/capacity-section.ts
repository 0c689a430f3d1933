/**
 * The capacity section (isobench capacity): per arm the largest N meeting every SLO with its 95% CI
 * and what bound it, a chart per SLO of its statistic against N, and every step the search took.
 */
import {h, raw, type Safe} from './escape.js'
import type {RunView} from './run-sections.js'

function chartFigure(c: RunView['charts'][number]): Safe {
  return h`<figure class="chart" id="${c.id}" data-chart="${c.id}">${raw(c.svg)}<figcaption>${c.title} · vega-lite spec embedded as <code>${c.id}</code></figcaption></figure>`
}

export function capacitySection(v: RunView): Safe {
  const c = v.results.capacity
  if (!c) return raw('')
  const f = (x: number, unit: string) => `${x.toFixed(unit === '%' ? 1 : 0)} ${unit}`
  return h`<section id="r${v.index}-capacity"><h2>Capacity under the SLOs</h2>
<p class="dim">The largest number of concurrent <b>${c.workload}</b> instances per arm that meets ${c.slos.map((s) => s.text).join(' and ')}${c.victim ? h` (victim: ${c.victim})` : ''}: N = 1, 2, 4, … then bisection; the CI of N is the largest N met with every CI inside its bound, and the last N before one failed with its CI wholly outside. Never more than ${c.maxInstances} instances, and never past host memory minus a ${c.memoryReserveMiB} MiB reserve.</p>
<table class="data"><thead><tr><th>arm</th><th>N</th><th>95% CI</th><th>bound by</th></tr></thead><tbody>${c.results.map(
    (r) => h`<tr><td><b>${v.label(r.arm)}</b></td><td class="num"><b>${r.n}</b></td><td class="num">${r.ci[0]}–${r.ci[1]}</td><td>${r.boundBy}</td></tr>`,
  )}</tbody></table>
${v.charts.filter((x) => x.section === 'capacity').map(chartFigure)}
<details><summary>Every step of the search</summary><table class="data"><thead><tr><th>arm</th><th>N</th>${c.slos.map((s) => h`<th>${s.key}</th>`)}<th>verdict</th><th>MemAvailable before</th><th>time</th></tr></thead><tbody>${c.results.flatMap(
    (r) =>
      r.steps.map(
        (s) =>
          h`<tr><td>${v.label(r.arm)}</td><td class="num">${s.n}</td>${c.slos.map((slo) => {
            const x = s.values[slo.key]
            return h`<td class="num">${x ? `${f(x.value, slo.unit)} [${f(x.ci[0], slo.unit)}–${f(x.ci[1], slo.unit)}]` : '–'}</td>`
          })}<td>${s.meets ? h`<span class="badge good">meets</span>` : h`<span class="badge bad">fails</span> ${s.failed ?? ''}`}</td><td class="num">${s.memAvailableMiB !== undefined ? `${s.memAvailableMiB.toFixed(0)} MiB` : '–'}</td><td class="num">${(s.elapsedMs / 1000).toFixed(1)} s</td></tr>`,
      ),
  )}</tbody></table></details>
</section>`
}
