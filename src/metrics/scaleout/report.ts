/** The scale-out section's charts: time until all N are ready and the creation rate, as curves over N. */
import type {TopLevelSpec} from 'vega-lite'
import {curves, type SectionInput} from '../../report/charts/kit.js'

const TITLES: Record<string, string> = {
  all_ready: 'scale-out: time until all N are ready',
  rate: 'scale-out: creation rate',
  ready_p50: 'scale-out: median instance ready',
  ready_p99: 'scale-out: p99 instance ready',
  failures: 'scale-out: failed instances',
}

export function scaleoutCharts(input: SectionInput): Array<TopLevelSpec | undefined> {
  const present = [...new Set(input.samples.map((s) => s.figure ?? s.metric))]
  const figures = ['all_ready', 'rate', ...present.filter((f) => !['all_ready', 'rate', 'ready_p50', 'ready_p99', 'failures'].includes(f))]
  return curves(
    input,
    figures.filter((f) => present.includes(f)),
    'n',
    'instances N',
    (f) => TITLES[f] ?? `scale-out: ${f}`,
  )
}
