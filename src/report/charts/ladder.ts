/**
 * The isolation ladder chart: every arm on one row, in ladder order (startup, fastest first), with
 * three panels side by side — startup (ms, log axis: a bare process and a TCG VM are 1000× apart),
 * memory per instance (PSS, and an engine's share stacked beside it where the arm has one) and CPU
 * overhead (throughput lost against the reference arm, %) — each bar coloured by the arm's rung
 * (process / container runtime / engine / user-space kernel / vm). Data inlined; arm names only as data.
 */
import type {TopLevelSpec} from 'vega-lite'
import {FONT} from './specs.js'

/** One arm's figures, as the engine's ladder computes them (engine/ladder.ts LadderRow, structurally). */
export interface LadderChartRow {
  arm: string
  isolation: string
  startupMs?: number
  pssMiB?: number
  enginePssMiB?: number
  cpuLossPct?: number
}

/** The rungs in order, with one colour each (legend order). */
export const RUNG_COLOURS: Array<[string, string]> = [
  ['process', '#7f7f7f'],
  ['container runtime', '#4c78a8'],
  ['engine', '#f58518'],
  ['user-space kernel', '#54a24b'],
  ['vm', '#b279a2'],
]

export function ladderSpec(o: {rows: LadderChartRow[]; label: (arm: string) => string; cpuTitle?: string}): TopLevelSpec | undefined {
  const rows = o.rows.filter((r) => r.startupMs !== undefined && r.startupMs > 0)
  if (rows.length < 2) return undefined
  const order = rows.map((r) => o.label(r.arm))
  const values = rows.flatMap((r) => {
    const arm = o.label(r.arm)
    const out: Array<Record<string, unknown>> = [{panel: 'startup', arm, rung: r.isolation, part: 'startup', value: r.startupMs}]
    if (r.pssMiB !== undefined) out.push({panel: 'memory', arm, rung: r.isolation, part: 'instance PSS', value: r.pssMiB})
    if (r.enginePssMiB !== undefined) out.push({panel: 'memory', arm, rung: r.isolation, part: "engine's share", value: r.enginePssMiB})
    if (r.cpuLossPct !== undefined) out.push({panel: 'cpu', arm, rung: r.isolation, part: 'cpu', value: r.cpuLossPct})
    return out
  })
  const y = {field: 'arm', type: 'nominal', title: null, sort: order}
  const color = {
    field: 'rung',
    type: 'nominal',
    title: 'isolation',
    scale: {domain: RUNG_COLOURS.map(([k]) => k), range: RUNG_COLOURS.map(([, c]) => c)},
  }
  // A bar on a log axis has no zero to start from: startup bars start at the decade below the fastest arm.
  const floor = 10 ** Math.floor(Math.log10(Math.min(...rows.map((r) => r.startupMs!))))
  const panel = (name: string, title: string, x: Record<string, unknown> = {}, axis = true, x2?: Record<string, unknown>) => ({
    width: 200,
    height: {step: 22},
    transform: [{filter: `datum.panel === '${name}'`}],
    mark: {type: 'bar'},
    encoding: {
      y: axis ? y : {...y, axis: null},
      x: {field: 'value', type: 'quantitative', title, ...x},
      ...(x2 ? {x2} : {}),
      color,
      opacity: {condition: {test: 'datum.part === "engine\'s share"', value: 0.45}, value: 1},
      tooltip: [{field: 'arm'}, {field: 'rung', title: 'isolation'}, {field: 'part'}, {field: 'value', format: '.3~f'}],
    },
  })
  const hasCpu = rows.some((r) => r.cpuLossPct !== undefined)
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'isolation ladder',
      subtitle: [
        "every arm by median startup (fastest first) · startup ms on a log axis, memory per instance (PSS; pale: an engine's or monitor's share), CPU overhead · lower is better ↓",
        'colour: what isolates the workload (process, container runtime, engine, user-space kernel, VM)',
      ],
    },
    config: {
      font: FONT,
      view: {stroke: null},
      axis: {labelFontSize: 11, titleFontSize: 11, labelLimit: 200},
      legend: {labelFontSize: 11, titleFontSize: 11, orient: 'bottom'},
      title: {fontSize: 13, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start'},
    },
    background: 'white',
    data: {values},
    hconcat: [
      panel(
        'startup',
        'startup, ms (log)',
        {scale: {type: 'log', domainMin: floor}, axis: {values: decades(floor, Math.max(...rows.map((r) => r.startupMs!)))}},
        true,
        {datum: floor},
      ),
      panel('memory', 'memory per instance, MiB', {}, false),
      ...(hasCpu ? [panel('cpu', o.cpuTitle ?? 'CPU overhead, % throughput lost', {}, false)] : []),
    ],
    resolve: {scale: {y: 'shared'}},
  } as TopLevelSpec
}

/** 1, 10, 100, … from floor up to the first decade at or above max: a log axis's ticks. */
function decades(floor: number, max: number): number[] {
  const out = [floor]
  while (out.at(-1)! < max) out.push(out.at(-1)! * 10)
  return out
}
