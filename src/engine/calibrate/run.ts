/**
 * `isobench calibrate`: an A/A run (every arm against its twin in the same randomized blocks, see
 * analyze.ts), its calibration table stored per host in the state dir and in the run's results.json.
 */
import type {Calibration} from '../../core/calibration.js'
import {runScenario, type RunScenarioOptions, type RunScenarioResult} from '../run.js'
import {calibrationFromResults} from './analyze.js'
import {saveCalibration} from './store.js'

export interface CalibrationRun extends RunScenarioResult {
  calibration: Calibration
  /** Where the calibration was stored (<stateDir>/calibration/<hostKey>.json). */
  file: string
}

export async function runCalibration(opts: RunScenarioOptions & {stateDir: string; power?: number; trials?: number}): Promise<CalibrationRun> {
  let calibration: Calibration | undefined
  const run = await runScenario({
    ...opts,
    twins: true,
    afterAnalysis: (results) => {
      const seed = (results.config as {seed?: number}).seed ?? 1
      calibration = calibrationFromResults(results, results.host, {
        alpha: 0.05,
        power: opts.power ?? 0.8,
        delta: opts.config.equivalenceDelta,
        seed,
        trials: opts.trials,
      })
      results.calibration = calibration
    },
  })
  if (!calibration) throw new Error(`the A/A run ended ${run.results.status}: no calibration`)
  const file = saveCalibration(opts.stateDir, calibration)
  return {...run, calibration, file}
}
