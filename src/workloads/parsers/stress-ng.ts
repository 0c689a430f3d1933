/**
 * Parser for stress-ng's `--metrics` / `--metrics-brief` report (stress-ng 0.15; it writes the
 * report on stderr, which every arm keeps with stdout). Two kinds of line are read:
 *
 *   stress-ng: metrc: [PID] cpu   1429  2.01  1.98  0.00  712.36  721.27 ...
 *     (stressor, bogo ops, real s, usr s, sys s, bogo ops/s real, bogo ops/s usr+sys, ...)
 *   stress-ng: metrc: [PID] stream  11176.13 memory read rate (MB per sec) (geometic mean ...)
 *     (a stressor's own "miscellaneous metric": value, then its label)
 *
 * Anything else is ignored, except an "unsuccessful run" line, which makes the output a ParseError
 * rather than a figure.
 */
import {ParseError} from '../profile.js'

export interface StressNgRow {
  bogoOps: number
  realSeconds: number
  usrSeconds: number
  sysSeconds: number
  opsPerSecReal: number
  opsPerSecCpu: number
}

export interface StressNgReport {
  /** The metrics table, by stressor name. */
  rows: Map<string, StressNgRow>
  /** Miscellaneous metrics by `stressor: label`, e.g. `stream: memory read rate (MB per sec)`. */
  misc: Map<string, number>
}

const NUM = '(-?\\d+(?:\\.\\d+)?)'
const ROW = new RegExp(`^stress-ng: metrc: \\[\\d+\\] (\\S+)\\s+${NUM}\\s+${NUM}\\s+${NUM}\\s+${NUM}\\s+${NUM}\\s+${NUM}(?:\\s|$)`)
const MISC = new RegExp(`^stress-ng: metrc: \\[\\d+\\] (\\S+)\\s+${NUM} (.+?)(?: \\(geome?tr?ic mean of \\d+ instances\\))?\\s*$`)

export function parseStressNg(output: string): StressNgReport {
  const rows = new Map<string, StressNgRow>()
  const misc = new Map<string, number>()
  for (const raw of output.split('\n')) {
    const line = raw.trim()
    if (/unsuccessful run completed/.test(line)) throw new ParseError(`stress-ng reported an unsuccessful run: ${line}`)
    const row = ROW.exec(line)
    if (row) {
      const [, name, ...nums] = row
      const [bogoOps, realSeconds, usrSeconds, sysSeconds, opsPerSecReal, opsPerSecCpu] = nums.map(Number) as [number, number, number, number, number, number]
      rows.set(name!, {bogoOps, realSeconds, usrSeconds, sysSeconds, opsPerSecReal, opsPerSecCpu})
      continue
    }
    const m = MISC.exec(line)
    if (m && !/^\(/.test(m[3]!)) misc.set(`${m[1]}: ${m[3]}`, Number(m[2]))
  }
  return {rows, misc}
}

/** Bogo ops per second of wall time for one stressor; ParseError when it is missing or not positive. */
export function stressorOpsPerSecond(output: string, stressor: string): number {
  const row = parseStressNg(output).rows.get(stressor)
  if (!row) throw new ParseError(`stress-ng output has no metrics row for stressor ${stressor}`)
  if (!(row.opsPerSecReal > 0) || !(row.realSeconds > 0))
    throw new ParseError(`stress-ng ${stressor}: ${row.bogoOps} bogo ops in ${row.realSeconds} s is not a measurement`)
  return row.opsPerSecReal
}

/** A stressor's miscellaneous metric by label, e.g. ('stream', 'memory read rate (MB per sec)'). */
export function stressorMetric(output: string, stressor: string, label: string): number {
  const value = parseStressNg(output).misc.get(`${stressor}: ${label}`)
  if (value === undefined) throw new ParseError(`stress-ng output has no "${label}" for stressor ${stressor}`)
  return value
}
