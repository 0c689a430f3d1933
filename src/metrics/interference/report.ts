/** The interference section's chart: the victim × aggressor heatmap of degradation vs solo, per arm. */
import type {TopLevelSpec} from 'vega-lite'
import {genericSection, type SectionInput} from '../../report/charts/kit.js'
import {heatmapSpec} from '../../report/charts/specs.js'

export function interferenceCharts(input: SectionInput): Array<TopLevelSpec | undefined> {
  const cs = input.results.comparisons.filter((c) => c.kind === 'interference' && c.metric === 'interference' && Number.isFinite(c.degradationPct))
  if (cs.length === 0) return genericSection(input)
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(1)}`
  const cells = cs.map((c) => {
    const p = c.params
    const aggressor = `${p.aggressor ?? '?'}${p.intensity === undefined ? '' : ` ×${p.intensity}`}${p.isolation === undefined ? '' : ` (${p.isolation})`}`
    const ci = c.degradationCi && Number.isFinite(c.degradationCi[0]) ? ` [${pct(c.degradationCi[0])}, ${pct(c.degradationCi[1])}]` : ''
    return {
      arm: input.label(c.arm),
      victim: `${c.workload} · ${c.figure}`,
      aggressor,
      degradation: c.degradationPct!,
      label: `${pct(c.degradationPct!)}%${ci}`,
      verdict: c.verdict,
    }
  })
  return [heatmapSpec({title: 'interference: victim × aggressor', cells, arms: input.armLabels})]
}
