/**
 * Analysis after (or during) a run: summaries per (metric, figure, workload, params, arm) and
 * comparisons of every arm against the baseline arm. Filled in from src/stats once it lands.
 */
import type {Results} from './results.js'

export interface AnalyzeOptions {
  equivalenceDelta: number
  seed: number
  baseline?: string
}

export function analyze(_results: Results, _opts: AnalyzeOptions): void {}
