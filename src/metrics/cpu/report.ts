/** The CPU section's charts: each figure relative to the bare process (ratio with its CI), then the distributions. */
import type {TopLevelSpec} from 'vega-lite'
import type {Comparison} from '../../core/results.js'
import {paramsText} from '../../report/charts/format.js'
import {genericSection, type SectionInput} from '../../report/charts/kit.js'
import {intervalSpec, ratioRows} from '../../report/charts/intervals.js'

export function cpuCharts(input: SectionInput): Array<TopLevelSpec | undefined> {
  const out: Array<TopLevelSpec | undefined> = []
  const vsBare = input.results.comparisons.filter(
    (c) => c.metric === 'cpu' && c.kind !== 'interference' && c.baseline === 'process' && Number.isFinite(c.ratio),
  )
  const byFigure = new Map<string, Comparison[]>()
  for (const c of vsBare) byFigure.set(c.figure, [...(byFigure.get(c.figure) ?? []), c])
  for (const [figure, cs] of byFigure) {
    const direction = cs[0]!.direction
    const spread = Math.max(...cs.map((c) => Math.max(c.ratio, 1 / c.ratio)))
    out.push(
      intervalSpec({
        title: `CPU: ${figure} relative to the bare process`,
        subtitle: `ratio arm / process (median, 95% bootstrap CI; 1 = same as bare) · ${direction === 'higher' ? 'higher is better ↑' : 'lower is better ↓'}`,
        xTitle: `ratio to bare process (${cs[0]!.unit})`,
        reference: 1,
        log: spread > 10,
        rows: ratioRows(cs, (c) => `${input.label(c.arm)} · ${c.workload}${paramsText(c.params) ? ` · ${paramsText(c.params)}` : ''}`),
      }),
    )
  }
  out.push(...genericSection(input))
  return out
}
