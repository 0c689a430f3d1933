/** The "change vs baseline run" section of a report (`isobench report NEW.json --baseline OLD.json`). */
import type {Results} from '../core/results.js'
import {compareRuns, type Change, type RunComparison} from '../engine/compare-runs.js'

const CHART_ROWS = 30
import {changeText, headline} from './compare-format.js'
import type {Chart} from './charts/kit.js'
import {h, raw, type Safe} from './escape.js'
import {num, paramsText} from './charts/format.js'
import {badge, fmtP} from './sections.js'
import {intervalSpec} from './charts/intervals.js'

export function baselineComparison(baseline: Results, results: Results, threshold: number): RunComparison {
  return compareRuns(baseline, results, {threshold, seed: (results.config as {seed?: number} | undefined)?.seed ?? 1})
}

export function baselineChart(c: RunComparison): Omit<Chart, 'id'> | undefined {
  // The changes worth a look: every regression and improvement, then the widest inconclusive ones.
  const rank = (x: Change) => (x.verdict === 'regression' ? 0 : x.verdict === 'improvement' ? 1 : x.verdict === 'inconclusive' ? 2 : 3)
  const rows = c.changes
    .filter((x) => Number.isFinite(x.ratio) && x.verdict !== 'equivalent')
    .sort((a, b) => rank(a) - rank(b) || Math.abs(b.ratio - 1) - Math.abs(a.ratio - 1))
    .slice(0, CHART_ROWS)
  if (!rows.length) return undefined
  const spec = intervalSpec({
    title: `change vs baseline run ${c.base.runId}`,
    subtitle: [
      `median(new) / median(base) with 95% bootstrap CI; 1 = unchanged (dashed); threshold ±${(c.threshold * 100).toFixed(0)}%`,
      `per figure: ↓ lower is better, ↑ higher is better · regressions, improvements, then the largest other changes (≤ ${CHART_ROWS})`,
    ],
    xTitle: 'ratio new / base',
    reference: 1,
    log: rows.some((x) => x.ratio > 3 || x.ratio < 1 / 3),
    domain: domainAround(
      rows.map((x) => x.ratio),
      c.threshold,
    ),
    rows: rows.map((x) => ({
      label: `${x.arm} · ${x.metric}.${x.figure} ${x.direction === 'higher' ? '↑' : '↓'} · ${x.workload}${paramsText(x.params) ? ` · ${paramsText(x.params)}` : ''}`,
      value: x.ratio,
      lo: Number.isFinite(x.ci[0]) ? x.ci[0] : null,
      hi: Number.isFinite(x.ci[1]) ? x.ci[1] : null,
      verdict: x.verdict,
      text: x.text,
    })),
  })
  return {section: 'baseline', title: `change vs baseline run ${c.base.runId}`, spec}
}

/** An axis around the point estimates (and ±2× the threshold), so one absurd CI does not flatten the rest. */
function domainAround(ratios: number[], threshold: number): [number, number] {
  const lo = Math.min(1 - 2 * threshold, ...ratios)
  const hi = Math.max(1 + 2 * threshold, ...ratios)
  return [lo > 0 ? lo / 1.15 : lo - 0.1, hi * 1.15]
}

export function baselineSection(c: RunComparison, chartMarkup: Safe | undefined): Safe {
  const row = (x: Change) =>
    h`<tr><td>${x.metric}.${x.figure}</td><td>${x.workload}</td><td>${paramsText(x.params)}</td><td>${x.arm}</td><td class="num">${num(x.baseMedian)} ${x.unit}</td><td class="num">${num(x.newMedian)} ${x.unit}</td><td class="num">${changeText(x)}</td><td class="num">${fmtP(x.pValue)}</td><td>${x.direction === 'higher' ? 'higher ↑' : 'lower ↓'}</td><td>${badge(x.verdict)}</td></tr>`
  const head = h`<thead><tr><th>figure</th><th>workload</th><th>params</th><th>arm</th><th>base median</th><th>new median</th><th>change [95% CI]</th><th>p</th><th>better</th><th>verdict</th></tr></thead>`
  const notable = c.changes.filter((x) => x.verdict === 'regression' || x.verdict === 'improvement')
  return h`<section id="baseline"><h2>Change vs baseline run <code>${c.base.runId}</code></h2>
<p><b>${headline(c)}</b></p>
${c.warnings.length ? h`<div class="banner warn-banner"><ul>${c.warnings.map((w) => h`<li>${w}</li>`)}</ul></div>` : ''}
${notable.length ? h`<table class="data">${head}<tbody>${notable.map(row)}</tbody></table>` : h`<p class="empty">No significant change beyond ±${(c.threshold * 100).toFixed(0)}%.</p>`}
${chartMarkup ?? raw('')}
<details><summary>All ${c.changes.length} cells compared</summary><table class="data">${head}<tbody>${c.changes.map(row)}</tbody></table></details>
${c.onlyInBase.length ? h`<p class="dim">Only in the baseline: ${c.onlyInBase.join('; ')}</p>` : ''}${c.onlyInNew.length ? h`<p class="dim">Only in this run: ${c.onlyInNew.join('; ')}</p>` : ''}
</section>`
}
