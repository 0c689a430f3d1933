/** The memory section's charts: memory per instance (curves over N, or distributions), and the marginal cost of one more instance. */
import type {TopLevelSpec} from 'vega-lite'
import {paramsText} from '../../report/charts/format.js'
import {cellKey, cellTitle, cells, curves, distribution, genericSection, type SectionInput} from '../../report/charts/kit.js'
import {intervalSpec, slopeRows} from '../../report/charts/intervals.js'

export function memoryCharts(input: SectionInput): Array<TopLevelSpec | undefined> {
  const present = new Set(input.samples.map((s) => s.figure ?? s.metric))
  const perInstance = ['pss', 'uss', 'rss', 'cgroup', 'engine_pss'].filter((f) => present.has(f))
  const out: Array<TopLevelSpec | undefined> = []
  const ns = new Set(input.samples.map((s) => s.params.n))
  if (ns.size > 1) out.push(...curves(input, perInstance.slice(0, 2), 'n', 'instances N', (f) => `memory per instance (${f.toUpperCase()})`))
  else
    for (const c of cells(
      input.samples.filter((s) => perInstance.includes(s.figure ?? '')),
      cellKey,
    ))
      out.push(distribution(c, input.arms, input.label, `memory per instance · ${cellTitle(c)}`))
  if (!perInstance.length) out.push(...genericSection(input))
  // The marginal cost of an instance's own processes (and its cgroup, its engine's share), coloured by arm: a slope is a size, not a verdict.
  const slopes = (input.results.regressions ?? []).filter(
    (r) => r.metric === 'memory' && ['pss_total', 'uss_total', 'cgroup_total', 'engine_pss_total'].includes(r.figure),
  )
  if (slopes.length > 0) {
    out.push(
      intervalSpec({
        title: 'marginal memory: cost of one more instance',
        subtitle: 'MiB per extra instance, OLS slope over N with 95% CI · lower is better ↓',
        xTitle: 'MiB per extra instance',
        reference: 0,
        byArm: input.armLabels,
        rows: slopeRows(
          slopes,
          (r) => `${input.label(r.arm)} · ${r.figure} · ${r.workload}${paramsText(r.params) ? ` · ${paramsText(r.params)}` : ''}`,
          input.label,
        ),
      }),
    )
  }
  return out
}
