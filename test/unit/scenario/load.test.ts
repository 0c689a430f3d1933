import {describe, expect, it} from 'vitest'
import {InputFileError} from '../../../src/core/errors.js'
import {loadScenarioFile, parseScenario, type LoadedScenario} from '../../../src/scenario/load.js'
import {resolveScenarioWorkloads} from '../../../src/scenario/workloads.js'
import {WorkloadTable} from '../../../src/workloads/table.js'

/** The error loading `text` gives (and then `then(loaded)`, e.g. resolving its workloads). */
function errorOf(text: string, then: (loaded: LoadedScenario) => unknown = () => {}): InputFileError {
  try {
    then(parseScenario(text, 'bad.yaml'))
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError)
    return error as InputFileError
  }
  throw new Error('expected an error')
}

describe('scenario loader', () => {
  it('loads a valid scenario with defaults', () => {
    const {scenario} = parseScenario('name: s\nmetrics:\n  - metric: startup\n', 's.yaml')
    expect(scenario.limits).toEqual({cpus: 1, memoryMiB: 256})
    expect(scenario.network).toBe('none')
    expect(scenario.metrics[0]!.metric).toBe('startup')
  })

  it('names a missing file', () => {
    expect(() => loadScenarioFile('/nonexistent/x.yaml')).toThrow('/nonexistent/x.yaml: scenario file not found')
  })

  it('reports YAML syntax errors with line:column', () => {
    const e = errorOf('name: s\nmetrics: [\n  - metric: startup\n')
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+: YAML syntax error/)
    expect(e.exitCode).toBe(2)
  })

  it('reports an unknown field at its key', () => {
    const e = errorOf('name: s\nmetrics:\n  - metric: startup\n    repz: 3\n')
    expect(e.message).toBe('bad.yaml:4:5: metrics[0].repz: unknown field; remove it or check its spelling')
  })

  it('reports a wrong type with the field path and what was expected', () => {
    const e = errorOf('name: s\nreps: many\nmetrics:\n  - metric: startup\n')
    expect(e.message).toBe('bad.yaml:2:7: reps: expected a number, got "many"')
  })

  it('reports an unknown metric with the allowed values', () => {
    const e = errorOf('name: s\nmetrics:\n  - metric: latency\n')
    expect(e.message).toMatch(/^bad\.yaml:3:13: metrics\[0\]\.metric: expected one of "startup", "scaleout"/)
  })

  it('reports an unknown workload', () => {
    const e = errorOf('name: s\nmetrics:\n  - metric: startup\n    workload: nope\n', (loaded) => resolveScenarioWorkloads(loaded, new WorkloadTable()))
    expect(e.message).toMatch(/^bad\.yaml:4:15: metrics\[0\]\.workload: unknown workload "nope"; expected one of .*idle/)
  })

  it('reports a missing required field', () => {
    const e = errorOf('name: s\n')
    expect(e.message).toMatch(/^bad\.yaml(:1:1)?: metrics: expected a list \(missing\)/)
  })

  it('rejects a top level that is not a mapping', () => {
    expect(errorOf('- a\n- b\n').message).toBe('bad.yaml:1:1: expected a mapping with name, metrics, … at the top level')
  })
})
