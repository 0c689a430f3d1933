/**
 * The report's first section, the answer: one chart per metric drawn from the headline
 * (report/headline.ts) — every arm on one axis with its median and 95% CI, the reference arm marked,
 * each arm's ratio to it with its CI — then the verdicts that differ from what isolation predicts;
 * the expected ones (container slower than process) are one click away, in a neutral colour.
 */
import type {Comparison, Results} from '../core/results.js'
import {getMetric} from '../metrics/index.js'
import {answerSpec, type AnswerRow} from './charts/answer-specs.js'
import {estimateText, num} from './charts/format.js'
import type {Chart} from './charts/kit.js'
import {h, raw, type Safe} from './escape.js'
import {headline, referenceOf, type HeadlineBlock} from './headline.js'
import {expectationOf} from './versus.js'
import {fmtP, headlineComparisons, tcgArms, verdictBadge} from './sections.js'

/** The section name of the answer charts (Chart.section). */
export const ANSWER = 'headline'

function ratioLabel(row: HeadlineBlock['rows'][number]): string {
  const v = row.versus
  if (!v) return row.reference ? 'reference' : '–'
  const f = (x: number) => num(x)
  if (v.basis === 'difference' && typeof v.difference === 'number')
    return `Δ ${v.difference > 0 ? '+' : ''}${f(v.difference)}${v.differenceCi ? ` [${f(v.differenceCi[0])}–${f(v.differenceCi[1])}]` : ''}`
  if (v.ratio === null) return '–'
  return `${f(v.ratio)}×${v.ci ? ` [${f(v.ci[0])}–${f(v.ci[1])}]` : ' [no CI]'}`
}

/** The rows one block's chart draws: each arm's median and CI (and, within one arm, its solo run too). */
function answerRows(b: HeadlineBlock): AnswerRow[] {
  const rows: AnswerRow[] = []
  for (const r of b.rows) {
    if (!r.summary) continue
    const ci = r.summary.medianCi ?? [r.summary.median, r.summary.median]
    const reading = r.reference ? 'reference' : (r.versus?.expectation ?? 'inconclusive')
    const series = b.against === 'solo' ? 'co-located' : ''
    rows.push({arm: r.label, series, value: r.summary.median, lo: ci[0], hi: ci[1], reference: r.reference, reading, ratio: ratioLabel(r)})
    const solo = b.against === 'solo' ? r.extras[0] : undefined
    if (solo)
      rows.push({
        arm: r.label,
        series: 'solo',
        value: solo.value,
        lo: solo.ci?.[0] ?? solo.value,
        hi: solo.ci?.[1] ?? solo.value,
        reference: true,
        reading: 'reference',
        ratio: '',
      })
  }
  return rows
}

/** One chart per headline block (one per metric), in the headline's order. */
export function answerCharts(results: Results): Array<Omit<Chart, 'id'>> {
  return headline(results).map((b) => {
    const what = [b.figure, b.workload, b.paramsText].filter(Boolean).join(' · ')
    const n = [...new Set(b.rows.map((r) => r.summary?.n).filter((x) => x !== undefined))]
    const title = `${b.title}: ${what}`
    const against = b.against === 'solo' ? 'solo (same arm)' : `${b.reference} (reference)`
    const spec = answerSpec({
      title,
      subtitle: `${n.length === 1 ? `n = ${n[0]} per arm · ` : ''}ratio to ${against} on the right`,
      unit: b.unit,
      direction: b.direction,
      arms: b.rows.map((r) => r.label),
      rows: answerRows(b),
      against,
    })
    return {section: ANSWER, title, spec, metric: b.metric}
  })
}

function chartFigure(c: Chart & {svg: string}): Safe {
  return h`<figure class="chart answer" id="${c.id}" data-chart="${c.id}" data-metric="${c.metric ?? ''}">${raw(c.svg)}<figcaption>${c.title} · vega-lite spec embedded as <code>${c.id}</code></figcaption></figure>`
}

/** The answer: what the run found, one chart per metric against the reference arm. */
export function answerSection(v: {results: Results; charts: Array<Chart & {svg: string}>}): Safe {
  const charts = v.charts.filter((c) => c.section === ANSWER)
  const reference = referenceOf(v.results)
  const tcg = tcgArms(v.results).map((a) => a.name)
  return h`<section id="headline" class="answer"><h2>The answer</h2>
<p>Each arm's median with its 95% CI, on one axis per metric; the reference arm, <b>${reference}</b>, is the hollow diamond on the dashed line, and each arm's ratio to it (with its 95% CI) is printed on the right. Blue: what isolation predicts (a more isolated arm is slower or larger, or the same); red: not what it predicts; orange: inconclusive.${tcg.length ? h` <span class="tcg-note">${tcg.join(', ')} ran under TCG (emulated): VM figures are not KVM's.</span>` : ''}</p>
${charts.length ? charts.map(chartFigure) : h`<p class="empty">No successful samples to chart.</p>`}</section>`
}

/**
 * The verdicts: those that differ from what isolation predicts first (findings, then inconclusive),
 * with the headline's interference cell and the marginal costs; the expected ones, and every other
 * comparison, collapsed below. Each badge is coloured by its reading, not by better/worse alone.
 */
export function verdictsSection(results: Results): Safe {
  const tcg = new Set(tcgArms(results).map((a) => a.name))
  const emulated = (c: Pick<Comparison, 'arm' | 'baseline'>) => tcg.has(c.arm) || tcg.has(c.baseline)
  const item = (c: Comparison) =>
    h`<li>${verdictBadge(c, results)} ${c.text}${emulated(c) ? h`<span class="tcg-note">; VM figures emulated (TCG)</span>` : ''} <span class="dim">(${estimateText(c)}, p=${fmtP(c.pValue)}${c.kind === 'interference' && Number.isFinite(c.degradationPct) ? h`, degradation ${num(c.degradationPct)}%${c.degradationCi ? h` [${num(c.degradationCi[0])}–${num(c.degradationCi[1])}%]` : ''}` : ''})</span></li>`
  const blocks = headline(results)
  const interference = blocks.filter((b) => b.against === 'solo').flatMap((b) => b.rows.map((r) => r.versus?.comparison).filter((c): c is Comparison => !!c))
  const chosen = [...headlineComparisons(results.comparisons, results.summaries), ...interference]
  const rank = {finding: 0, inconclusive: 1, expected: 2}
  const read = chosen.map((c) => ({c, e: expectationOf(c, results)})).sort((a, b) => rank[a.e] - rank[b.e])
  const findings = read.filter((x) => x.e === 'finding').map((x) => x.c)
  const inconclusive = read.filter((x) => x.e === 'inconclusive').map((x) => x.c)
  const expected = read.filter((x) => x.e === 'expected').map((x) => x.c)
  const slopes = (results.regressions ?? []).filter((r) => getMetric(r.metric)?.headline.regressions?.includes(r.figure))
  const rest = results.comparisons.filter((c) => !chosen.includes(c))
  return h`<section id="verdicts"><h2>What stands out</h2>
<p class="dim">The headline's verdicts that are not what isolation predicts: a more isolated arm that does better, arms of one kind that differ, a victim slowed by its neighbour.</p>
${findings.length ? h`<ul class="verdicts">${findings.map(item)}</ul>` : chosen.length ? h`<p class="ok">No finding: every decided headline verdict is what isolation predicts.</p>` : h`<p class="empty">No comparisons in these results (one arm only, or no successful samples on both sides).</p>`}
${inconclusive.length ? h`<details><summary>Inconclusive (${inconclusive.length}): the data cannot tell yet</summary><ul class="verdicts">${inconclusive.map(item)}</ul></details>` : ''}
${slopes.length ? h`<h3>Marginal cost of one more instance</h3><ul class="verdicts">${slopes.map((r) => h`<li><span class="badge neutral">slope</span> ${r.text}${tcg.has(r.arm) ? h`<span class="tcg-note">; VM figures emulated (TCG)</span>` : ''}</li>`)}</ul>` : ''}
${expected.length ? h`<details><summary>As expected (${expected.length})</summary><ul class="verdicts">${expected.map(item)}</ul></details>` : ''}
${rest.length ? h`<details><summary>All other comparisons (${rest.length})</summary><ul class="verdicts">${rest.map(item)}</ul></details>` : ''}
</section>`
}
