/**
 * A/A calibration of one host (src/engine/calibrate/): how noisy each figure of each arm is here,
 * the false-positive rate of the verdict rule, and what that means for sample sizes. Stored per
 * host in the state dir, keyed by the host's facts; a run's results carry the table it used.
 */
import type {ArmFigure} from './figure.js'

/** One figure of one arm, calibrated. */
export interface CalibrationEntry extends ArmFigure {
  /** 'ratio': the floor is relative; 'difference': in the unit (figures with a median ≤ 0). */
  scale: 'ratio' | 'difference'
  /** Samples per side in the A/A run. */
  n: number
  median: number
  /** The smallest change the verdict rule detects at 80% power with n per side (relative, or in the unit). */
  floor: number
  /** Effective noise per sample (log scale for ratios, the unit for differences). */
  sigma: number
  /** The whole A/A comparison: its verdict and ratio (or difference) with CI. */
  aa: {verdict: string; estimate: number; ci: [number, number]}
  /** A/A tests of this figure (the whole run and consecutive chunks of blocks) and how many said "different". */
  tests: number
  decisive: number
  /** The rule's false-positive rate in simulation from this figure's noise, at n. */
  simulatedFpr: number
}

export interface Calibration {
  /** sha256 prefix of the host facts it was measured on (hostname, kernel, CPU model and count, memory, hypervisor). */
  hostKey: string
  host: {hostname: string; kernel: string; cpu: string; cores: number; memoryGiB: number; virtualization?: string}
  createdAt: string
  runId: string
  alpha: number
  power: number
  delta: number
  /** Every A/A test of every figure and arm: how many the rule called "different", with a 95% Wilson CI. */
  falsePositives: {decisive: number; tests: number; rate: number; ci: [number, number]}
  entries: CalibrationEntry[]
}

/** `run --detect`: samples per cell a change of `target` needs, per figure and arm, from the host's calibration. */
export interface DetectPlan {
  target: number
  calibration?: {hostKey: string; createdAt: string; runId: string}
  rows: Array<{
    metric: string
    figure: string
    workload: string
    arm: string
    samples: number
    floorAtCalibration: number
    n: number
    scale: 'ratio' | 'difference'
  }>
  /** Why there is no table (no calibration for this host, …). */
  note?: string
}
