/**
 * From results to charts: the answer (one chart per metric from the headline, report/answer-section.ts),
 * the isolation ladder (ladder-section.ts), then each metric's report section (declared by the metric, in the metric
 * registry's order; a metric the registry does not know gets distributions), then one sample-order
 * (drift) chart per metric. Sections with no data produce no charts (the HTML says so).
 */
import type {TopLevelSpec} from 'vega-lite'
import type {Results, Sample} from '../core/results.js'
import {getMetric, metricRank} from '../metrics/index.js'
import {armLabeller, armOrder, genericSection, isOk, measured, type Chart} from './charts/kit.js'
import {driftSpec} from './charts/specs.js'
import {paramsText} from './charts/format.js'
import {counterRatioSpec, memoryPartsSpec} from './charts/attribution.js'
import {detectSpec, noiseFloorSpec} from './charts/calibration.js'
import {capacitySpec} from './charts/capacity.js'
import {answerCharts} from './answer-section.js'
import {ladderChart} from './ladder-section.js'

export function buildCharts(results: Results, idPrefix = 'c'): Chart[] {
  const arms = armOrder(results)
  const label = armLabeller(results)
  const armLabels = arms.map(label)
  const samples = measured(results)
  const charts: Chart[] = []
  const add = (section: string, spec: TopLevelSpec | undefined, metric?: string) => {
    if (!spec) return
    const title = (spec as {title?: {text?: string}}).title?.text ?? section
    charts.push({id: `${idPrefix}${charts.length + 1}`, section, title, spec, ...(metric ? {metric} : {})})
  }
  for (const c of answerCharts(results)) add(c.section, c.spec, c.metric)
  add('ladder', ladderChart(results, label))
  const metrics = [...new Set(samples.map((s) => s.metric))].sort((a, b) => metricRank(a) - metricRank(b))
  for (const name of metrics) {
    const mine = samples.filter((s) => s.metric === name)
    const metric = getMetric(name)
    const builder = metric?.charts ?? genericSection
    for (const spec of builder({results, samples: mine, arms, label, armLabels, phases: metric?.phases ?? []})) add(name, spec)
  }
  // Where the time and memory go: each arm's memory parts, then each comparison's counter ratios.
  if (results.attribution) {
    add('attribution', memoryPartsSpec(results, label))
    for (const cell of results.attribution.cells ?? []) if (Number(cell.params.n ?? 1) === 1) add('attribution', counterRatioSpec(cell, label))
  }
  if (results.capacity) for (const slo of results.capacity.slos) add('capacity', capacitySpec(results.capacity, slo, label))
  if (results.calibration) add('calibration', noiseFloorSpec(results.calibration, label))
  if (results.detect) add('calibration', detectSpec(results.detect, label))
  for (const metric of metrics) {
    const mine = samples.filter((s) => s.metric === metric && isOk(s))
    const figure = mine[0]?.figure ?? metric
    const points = mine.filter((s) => (s.figure ?? s.metric) === figure)
    if (points.length < 2) continue
    const series = (s: Sample) => `${s.workload}${Object.keys(s.params).length ? ` [${paramsText(s.params)}]` : ''}`
    add(
      'drift',
      driftSpec({
        title: `sample order: ${metric} · ${figure}`,
        unit: points[0]!.unit,
        direction: points[0]!.direction ?? 'lower',
        arms: armLabels,
        points: points.map((s, i) => ({
          arm: label(s.arm),
          series: `${label(s.arm)} · ${series(s)}`,
          order: i + 1,
          t: Number.isFinite(s.t) ? s.t / 1000 : i,
          value: s.value!,
        })),
      }),
    )
  }
  return charts
}
