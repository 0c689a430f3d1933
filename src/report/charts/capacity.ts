/** The capacity chart: each SLO's statistic at every N the search tried, per arm, with its 95% CI and the bound as a line. */
import type {TopLevelSpec} from 'vega-lite'
import type {CapacityRecord, SloBound} from '../../core/results.js'
import {top, WIDTH} from './specs.js'

export function capacitySpec(record: CapacityRecord, slo: SloBound, label: (arm: string) => string): TopLevelSpec | undefined {
  const values = record.results.flatMap((r) =>
    r.steps.flatMap((s) => {
      const v = s.values[slo.key]
      return v ? [{arm: label(r.arm), n: s.n, value: v.value, lo: v.ci[0], hi: v.ci[1], meets: s.meets ? 'meets every SLO' : 'fails'}] : []
    }),
  )
  if (values.length === 0) return undefined
  const ns = [...new Set(values.map((v) => v.n))].sort((a, b) => a - b)
  const x = {
    field: 'n',
    type: 'quantitative',
    title: 'concurrent instances N',
    scale: {type: ns.length > 2 && ns.at(-1)! / ns[0]! >= 8 ? 'log' : 'linear', base: 2},
    axis: {values: ns},
  }
  const y = {field: 'value', type: 'quantitative', title: `${slo.key} (${slo.unit})`}
  return top(
    `capacity: ${slo.key} against N`,
    // The SLO first: a subtitle longer than the chart is cut at its end.
    [
      `dashed line: the SLO ${slo.text}; points: each step's estimate with its 95% CI`,
      `(startup: median over the step's repetitions; degradation: from the ratio of medians)`,
    ],
    {
      width: WIDTH,
      height: 220,
      layer: [
        {
          data: {values},
          mark: {type: 'rule'},
          encoding: {x, y: {field: 'lo', type: 'quantitative', title: y.title}, y2: {field: 'hi'}, color: {field: 'arm', type: 'nominal', title: 'arm'}},
        },
        {
          data: {values},
          mark: {type: 'line', point: {filled: true, size: 50}},
          encoding: {
            x,
            y,
            color: {field: 'arm', type: 'nominal', title: 'arm'},
            tooltip: [{field: 'arm'}, {field: 'n'}, {field: 'value', format: '.3~f'}, {field: 'meets'}],
          },
        },
        {
          data: {values: [{bound: slo.bound}]},
          mark: {type: 'rule', strokeDash: [5, 4], color: '#c62828'},
          encoding: {y: {field: 'bound', type: 'quantitative'}},
        },
      ],
    },
  )
}
