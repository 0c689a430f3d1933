/** The startup section's charts: a distribution per cell, and the phases as each arm's share of its own time to ready (median mark per phase and arm). */
import type {TopLevelSpec} from 'vega-lite'
import {paramsText} from '../../report/charts/format.js'
import {cells, genericSection, phaseBars, type SectionInput} from '../../report/charts/kit.js'
import {phaseShareSpec} from '../../report/charts/answer-specs.js'

export function startupCharts(input: SectionInput): Array<TopLevelSpec | undefined> {
  const out = genericSection(input)
  for (const c of cells(input.samples, (s) => `${s.workload}[${paramsText(s.params)}]`)) {
    const bars = phaseBars(c.samples, input.label, input.phases)
    if (bars.length > 0)
      out.push(
        phaseShareSpec({title: `startup phases · ${c.workload}${paramsText(c.params) ? ` · ${paramsText(c.params)}` : ''}`, bars, arms: input.armLabels}),
      )
  }
  return out
}
