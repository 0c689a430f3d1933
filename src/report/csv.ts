/**
 * CSV export of every sample (RFC 4180: CRLF rows, fields quoted when they hold a comma, quote, CR
 * or LF, quotes doubled). Params, phases and attribution counters become one column each (`param.n`,
 * `phase.ready`, `counter.cpu_s`), so the counters sit on the samples' timeline (t_ms) in any tool.
 * Text cells that a spreadsheet would run as a formula (= + − @ tab CR first) get a leading '.
 */
import type {Results, Sample} from '../core/results.js'

type Cell = string | number | boolean | null | undefined

export function csvField(value: Cell): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  let s = value
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

export function csvRow(cells: Cell[]): string {
  return cells.map(csvField).join(',')
}

const FIXED: Array<[string, (s: Sample, r: Results) => Cell]> = [
  ['run_id', (_s, r) => r.runId],
  ['metric', (s) => s.metric],
  ['figure', (s) => s.figure ?? s.metric],
  ['arm', (s) => s.arm],
  ['accel', (s, r) => r.arms.find((a) => a.name === s.arm)?.accel ?? ''],
  ['workload', (s) => s.workload],
  ['rep', (s) => s.rep],
  ['block', (s) => s.block],
  ['warmup', (s) => s.warmup],
  ['ok', (s) => s.ok],
  ['value', (s) => s.value],
  ['unit', (s) => s.unit],
  ['direction', (s) => s.direction ?? 'lower'],
  ['outlier', (s) => s.outlier ?? false],
  ['t_ms', (s) => s.t],
  ['ts', (s) => s.ts],
  ['error_code', (s) => s.error?.code],
  ['error_message', (s) => s.error?.message],
]

/** All samples of one or more runs as CSV text (header + one row per sample). */
export function samplesCsv(runs: readonly Results[]): string {
  const paramKeys = [...new Set(runs.flatMap((r) => r.samples.flatMap((s) => Object.keys(s.params ?? {}))))].sort()
  const phaseKeys = [...new Set(runs.flatMap((r) => r.samples.flatMap((s) => Object.keys(s.phases ?? {}))))].sort()
  const counterKeys = [...new Set(runs.flatMap((r) => r.samples.flatMap((s) => Object.keys(s.counters?.values ?? {}))))].sort()
  const counters = counterKeys.length ? ['counters.mode', 'counters.instances'] : []
  const lines = [
    csvRow([
      ...FIXED.map(([name]) => name),
      ...paramKeys.map((k) => `param.${k}`),
      ...phaseKeys.map((k) => `phase.${k}`),
      ...counters,
      ...counterKeys.map((k) => `counter.${k}`),
    ]),
  ]
  for (const r of runs) {
    for (const s of r.samples) {
      lines.push(
        csvRow([
          ...FIXED.map(([, get]) => get(s, r)),
          ...paramKeys.map((k) => s.params?.[k]),
          ...phaseKeys.map((k) => s.phases?.[k]),
          ...(counters.length ? [s.counters?.mode, s.counters?.instances] : []),
          ...counterKeys.map((k) => s.counters?.values[k]),
        ]),
      )
    }
  }
  return lines.join('\r\n') + '\r\n'
}
