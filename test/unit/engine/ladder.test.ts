/** The isolation ladder from stored summaries: order by startup, memory and CPU beside, rungs; the terminal lines and the chart. */
import {describe, expect, it} from 'vitest'
import type {Results, Summary} from '../../../src/core/results.js'
import {isolationLadder, ladderOrder} from '../../../src/engine/ladder.js'
import {ladderLines} from '../../../src/engine/summary-table.js'
import {ladderSpec} from '../../../src/report/charts/ladder.js'

const summary = (
  arm: string,
  metric: string,
  figure: string,
  median: number,
  workload = 'idle',
  params: Summary['params'] = {},
  direction: 'lower' | 'higher' = 'lower',
): Summary =>
  ({
    metric,
    figure,
    arm,
    workload,
    params,
    unit: '',
    direction,
    n: 5,
    median,
    mean: median,
    sd: 0,
    cov: 0,
    mad: 0,
    min: median,
    max: median,
    p50: median,
    p90: median,
    p99: median,
    failures: 0,
    outliers: 0,
  }) as Summary

function results(): Results {
  const arms = [
    {name: 'process', kind: 'process'},
    {name: 'docker', kind: 'engine', isolation: 'engine'},
    {name: 'runsc', kind: 'oci', isolation: 'user-space kernel'},
    {name: 'runc', kind: 'oci'},
    {name: 'qemu', kind: 'vm', accel: 'tcg'},
  ]
  return {
    arms: arms.map((a) => ({accel: 'none', versions: {}, available: true, ...a})),
    summaries: [
      ...[
        ['process', 1],
        ['docker', 400],
        ['runsc', 150],
        ['runc', 30],
        ['qemu', 1500],
      ].map(([a, v]) => summary(a as string, 'startup', 'ready', v as number)),
      // a cold cell only two arms have must not win over the warm one all five share
      summary('runc', 'startup', 'ready', 90, 'idle', {cache: 'cold'}),
      summary('process', 'startup', 'ready', 5, 'idle', {cache: 'cold'}),
      ...[
        ['process', 1.2],
        ['docker', 1.8],
        ['runsc', 37],
        ['runc', 2],
        ['qemu', 205],
      ].map(([a, v]) => summary(a as string, 'memory', 'pss', v as number, 'idle', {n: 1})),
      summary('docker', 'memory', 'pss', 1.7, 'idle', {n: 2}),
      summary('docker', 'memory', 'engine_pss', 130, 'idle', {n: 1}),
      ...[
        ['process', 1000],
        ['docker', 900],
        ['runc', 990],
      ].map(([a, v]) => summary(a as string, 'cpu', 'ops_per_s', v as number, 'cpu', {}, 'higher')),
      summary('runsc', 'cpu', 'cpu_per_s', 0.01),
    ],
    comparisons: [{baseline: 'process'}, {baseline: 'process'}],
    regressions: [{metric: 'memory', figure: 'pss_total', arm: 'docker', slope: 1.75}],
    samples: [],
    warnings: [],
  } as unknown as Results
}

describe('isolation ladder', () => {
  it('orders arms by the startup cell most arms share, with memory, the engine share, marginal PSS and CPU loss beside', () => {
    const rows = isolationLadder(results())
    expect(rows.map((r) => r.arm)).toEqual(['process', 'runc', 'runsc', 'docker', 'qemu'])
    expect(rows.map((r) => r.isolation)).toEqual(['process', 'container runtime', 'user-space kernel', 'engine', 'vm'])
    const docker = rows.find((r) => r.arm === 'docker')!
    expect(docker).toMatchObject({startupMs: 400, pssMiB: 1.8, enginePssMiB: 130, marginalPssMiB: 1.75})
    expect(docker.cpuLossPct).toBeCloseTo(10)
    expect(rows.find((r) => r.arm === 'process')!.cpuLossPct).toBe(0)
    expect(rows.find((r) => r.arm === 'runsc')!.idleCpuCores).toBe(0.01)
    expect(ladderOrder(results())).toEqual(['process', 'runc', 'runsc', 'docker', 'qemu'])
  })

  it('prints one line per arm in that order, TCG said', () => {
    const lines = ladderLines(results())
    expect(lines[0]).toMatch(/isolation ladder/)
    expect(lines[2]).toMatch(/^ {2}1 +process +process +1\.00/)
    expect(lines.find((l) => l.includes('qemu'))).toMatch(/qemu \(TCG\) +vm +1500/)
    expect(lines.find((l) => l.includes('docker'))).toMatch(/docker +engine +400 +1\.80 +130 +1\.75 +\+10\.0%/)
  })

  it('a chart with a log startup axis, coloured by rung, only with two arms or more', () => {
    const spec = JSON.stringify(ladderSpec({rows: isolationLadder(results()), label: (a) => a}))
    expect(spec).toContain('"type":"log"')
    expect(spec).toContain('user-space kernel')
    expect(spec).toContain('lower is better')
    expect(ladderSpec({rows: isolationLadder(results()).slice(0, 1), label: (a) => a})).toBeUndefined()
  })
})

describe('isolation ladder in the report', () => {
  it('is a section of its own with its chart rendered and the arms in ladder order', async () => {
    const {buildReport} = await import('../../../src/report/index.js')
    const {loadResultsFile} = await import('../../../src/report/load-results.js')
    const full = loadResultsFile('test/fixtures/results/full.json')
    const {html, failedCharts} = await buildReport([full])
    expect(failedCharts).toEqual([])
    const section = html.slice(html.indexOf('<section id="ladder">'), html.indexOf('</section>', html.indexOf('<section id="ladder">')))
    expect(section).toContain('<h2>Isolation ladder</h2>')
    expect(section).toMatch(/<figure class="chart"[^>]*><svg /)
    const order = ladderOrder(full).filter((a) => section.includes(`<b>${a}`))
    expect(order.length).toBeGreaterThan(1)
    const positions = order.map((a) => section.indexOf(`<td><b>${a}`))
    expect(positions).toEqual([...positions].sort((x, y) => x - y))
  })
})
