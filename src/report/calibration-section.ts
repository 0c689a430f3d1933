/**
 * The calibration section: for an A/A run (isobench calibrate) the host's table — each figure's
 * noise floor, σ per sample, A/A verdict and how many A/A tests called a difference — and the verdict
 * rule's false-positive rate with its CI; for an ordinary run, the --detect plan it printed and the
 * calibration its inconclusive verdicts were sized with.
 */
import type {Calibration} from '../core/calibration.js'
import type {Results} from '../core/results.js'
import {num, paramsText} from './charts/format.js'
import {h, raw, type Safe} from './escape.js'
import type {RunView} from './run-sections.js'

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%` : '–')

function chartFigure(c: RunView['charts'][number]): Safe {
  return h`<figure class="chart" id="${c.id}" data-chart="${c.id}">${raw(c.svg)}<figcaption>${c.title} · vega-lite spec embedded as <code>${c.id}</code></figcaption></figure>`
}

export function calibrationTableHtml(cal: Calibration, label: (a: string) => string): Safe {
  const fp = cal.falsePositives
  return h`<p>Host <b>${cal.host.hostname}</b> (${cal.host.cpu}, ${cal.host.cores} CPUs, kernel ${cal.host.kernel}${cal.host.virtualization ? `, ${cal.host.virtualization}` : ''}) · key <code>${cal.hostKey}</code> · ${cal.createdAt}</p>
<p>False-positive rate of the verdict rule on this host: <b>${fp.decisive} of ${fp.tests}</b> A/A tests called a difference = <b>${pct(fp.rate)}</b> [95% CI ${pct(fp.ci[0])}–${pct(fp.ci[1])}] at α = ${cal.alpha}.</p>
<table class="data"><thead><tr><th>figure</th><th>workload</th><th>arm</th><th>n</th><th>median</th><th>noise floor (${(cal.power * 100).toFixed(0)}% power)</th><th>σ per sample</th><th>A/A verdict</th><th>A/A tests "different"</th><th>simulated FPR</th></tr></thead><tbody>${cal.entries.map(
    (e) =>
      h`<tr><td>${e.metric}.${e.figure}</td><td>${e.workload}${Object.keys(e.params).length ? ` [${paramsText(e.params)}]` : ''}</td><td><b>${label(e.arm)}</b></td><td class="num">${e.n}</td><td class="num">${num(e.median)} ${e.unit}</td><td class="num">${e.scale === 'ratio' ? pct(e.floor) : `${num(e.floor)} ${e.unit}`}</td><td class="num">${e.scale === 'ratio' ? pct(e.sigma) : `${num(e.sigma)} ${e.unit}`}</td><td>${e.aa.verdict} <span class="dim">${e.scale === 'ratio' ? num(e.aa.estimate) : `Δ ${num(e.aa.estimate)}`}</span></td><td class="num">${e.decisive}/${e.tests}</td><td class="num">${pct(e.simulatedFpr)}</td></tr>`,
  )}</tbody></table>`
}

export function calibrationSection(v: RunView): Safe {
  const r: Results = v.results
  const id = `r${v.index}-calibration`
  const charts = v.charts.filter((c) => c.section === 'calibration')
  if (r.calibration)
    return h`<section id="${id}"><h2>Calibration (A/A)</h2>
<p class="dim">Every arm ran against its twin — the same arm, interleaved in the same randomized blocks — so every difference the verdict rule found is a false positive. The noise floor is the smallest change the rule detects in ${(r.calibration.power * 100).toFixed(0)}% of simulated runs with n samples per side drawn from these A/A samples; σ per sample gives the samples any other change needs (run --detect).</p>
${charts.map(chartFigure)}${calibrationTableHtml(r.calibration, v.label)}</section>`
  if (!r.detect && !r.calibratedBy) return raw('')
  const d = r.detect
  return h`<section id="${id}"><h2>Power planning</h2>
${r.calibratedBy ? h`<p>Inconclusive verdicts in this run say how many more samples would decide them from this host's calibration (key <code>${r.calibratedBy.hostKey}</code>, ${r.calibratedBy.createdAt}, run ${r.calibratedBy.runId}).</p>` : h`<p class="dim">No calibration of this host was found: "more runs needed" is the rule of thumb (run <code>isobench calibrate</code>).</p>`}
${d ? h`<h3>--detect ${pct(d.target)}</h3>${d.rows.length ? h`${charts.map(chartFigure)}<table class="data"><thead><tr><th>figure</th><th>workload</th><th>arm</th><th>samples per cell</th><th>calibrated floor (n)</th></tr></thead><tbody>${d.rows.map((row) => h`<tr><td>${row.metric}.${row.figure}</td><td>${row.workload}</td><td>${v.label(row.arm)}</td><td class="num">${Number.isFinite(row.samples) ? row.samples : '∞'}</td><td class="num">${pct(row.floorAtCalibration)} (${row.n})</td></tr>`)}</tbody></table>` : h`<p class="empty">${d.note ?? 'nothing calibrated'}</p>`}` : ''}
</section>`
}
