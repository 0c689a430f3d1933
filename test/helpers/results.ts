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
