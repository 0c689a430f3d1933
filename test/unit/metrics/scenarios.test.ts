import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {checkParams} from '../../../src/engine/run.js'
import {resolveScenarioWorkloads} from '../../../src/scenario/workloads.js'
import {WorkloadTable} from '../../../src/workloads/table.js'
import {getMetric} from '../../../src/metrics/index.js'
import {loadScenarioFile, parseScenario} from '../../../src/scenario/load.js'
import {runsForPermutationPower} from '../../../src/stats/verdict.js'

const dir = join(import.meta.dirname, '..', '..', '..', 'scenarios')
const shipped = readdirSync(dir).filter((f) => f.endsWith('.yaml'))

describe('shipped scenarios', () => {
  it('include the six the suite promises', () => {
    for (const name of ['quick', 'startup', 'scaleout', 'memory', 'cpu']) expect(shipped).toContain(`${name}.yaml`)
  })

  it.each(shipped)('%s validates: known metrics, params and aggressors', (file) => {
    const loaded = loadScenarioFile(join(dir, file))
    expect(() => checkParams(loaded)).not.toThrow()
    expect(() => resolveScenarioWorkloads(loaded, new WorkloadTable())).not.toThrow()
    for (const m of loaded.scenario.metrics) expect(getMetric(m.metric)).toBeDefined()
  })

  it('quick.yaml, the default, covers all five metrics within a 5-minute budget, 4 reps a cell (the fewest that can give a verdict)', () => {
    const {scenario} = loadScenarioFile(join(dir, 'quick.yaml'))
    expect(new Set(scenario.metrics.map((m) => m.metric))).toEqual(new Set(['startup', 'scaleout', 'memory', 'cpu', 'interference']))
    expect(scenario.budgetSeconds).toBeLessThanOrEqual(300)
    expect(scenario.reps).toBe(runsForPermutationPower(0.05))
    // The classic rungs, in the headline's order; the rest of the spectrum is spectrum.yaml's.
    expect(scenario.arms).toEqual(['process', 'container', 'runc', 'crun', 'qemu'])
    // Only the scale-out to N = 8 names its arms (no TCG VM among them); N = 2 runs everywhere.
    const named = scenario.metrics.filter((m) => m.arms)
    expect(named.map((m) => [m.metric, m.params?.n])).toEqual([['scaleout', 8]])
    expect(named[0]!.arms).not.toContain('qemu')
    expect(scenario.metrics.find((m) => m.metric === 'memory')!.params!.n).toEqual([1, 2]) // the marginal memory is a slope over n
    expect(scenario.metrics.filter((m) => m.metric === 'cpu').map((m) => m.workload)).toEqual(['cpu-short', 'idle'])
    expect(scenario.metrics.find((m) => m.metric === 'interference')!.params!.aggressor).toBe('aggressor-cpu')
  })
})

describe('scenario params are checked against the metric', () => {
  it('names the file, line:column and field of an unknown param', () => {
    const loaded = parseScenario('name: s\nmetrics:\n  - metric: memory\n    params: {n: 2, setleMs: 10}\n', 's.yaml')
    expect(() => checkParams(loaded)).toThrow('s.yaml:4:29: metrics[0].params.setleMs: unknown param "setleMs" for metric memory; expected one of n, settleMs')
  })

  it('names an unknown aggressor workload', () => {
    const loaded = parseScenario('name: s\nmetrics:\n  - metric: interference\n    params:\n      aggressor: [idle, nope]\n', 's.yaml')
    expect(() => resolveScenarioWorkloads(loaded, new WorkloadTable())).toThrow(
      /^s\.yaml:5:\d+: metrics\[0\]\.params\.aggressor\[1\]: unknown workload "nope"; expected one of /,
    )
  })
})
