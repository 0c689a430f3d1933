/** A minimal results.json document around the given samples, for unit tests of the analysis, reports and calibration. */
import type {Results, Sample} from '../../src/core/results.js'

/** An empty, complete run (run id 'r', no arms, nothing analysed) holding `samples`; `over` replaces any top-level field. */
export function resultsOf(samples: Sample[], over: Partial<Results> = {}): Results {
  return {
    schemaVersion: 1,
    runId: 'r',
    startedAt: '',
    status: 'complete',
    tool: {name: 'isobench', version: '0'},
    host: {} as Results['host'],
    config: {},
    scenario: {},
    arms: [],
    samples,
    summaries: [],
    comparisons: [],
    warnings: [],
    ...over,
  }
}

/**
 * One measured sample: a warm startup `ready` of the idle workload, rep 0, in ms, lower is better, ok
 * when it has a value; `over` sets the arm, the value and whatever else the test is about.
 */
export function sampleOf(over: Partial<Sample> & Pick<Sample, 'arm' | 'value'>): Sample {
  return {
    metric: 'startup',
    figure: 'ready',
    workload: 'idle',
    params: {},
    rep: 0,
    block: 0,
    warmup: false,
    unit: 'ms',
    direction: 'lower',
    ts: '',
    t: 0,
    ok: over.value !== null,
    ...over,
  }
}
