/** The plain-text summary a run prints: one row per (cell, arm) with median and spread, then verdicts. */
import type {Results} from '../core/results.js'
import {oneLine} from '../core/text.js'

export function summaryTable(results: Results): string {
  const rows: string[][] = [['metric', 'workload', 'arm', 'accel', 'n', 'failed', 'median', 'p90', 'CoV', 'unit']]
  const accel = new Map(results.arms.map((a) => [a.name, a.accel]))
  const groups = new Map<string, {metric: string; workload: string; arm: string; unit: string; values: number[]; failed: number}>()
  for (const s of results.samples) {
    if (s.warmup) continue
    const params = Object.entries(s.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
    const metric = `${s.metric}${s.figure && s.figure !== s.metric ? `.${s.figure}` : ''}${params ? `[${params}]` : ''}`
    const key = `${metric}|${s.workload}|${s.arm}`
    const g = groups.get(key) ?? {metric, workload: s.workload, arm: s.arm, unit: s.unit, values: [], failed: 0}
    if (s.ok && s.value !== null) g.values.push(s.value)
    else g.failed++
    groups.set(key, g)
  }
  for (const g of groups.values()) {
    const v = [...g.values].sort((a, b) => a - b)
    const q = (p: number) => (v.length ? v[Math.min(v.length - 1, Math.floor(p * (v.length - 1) + 0.5))]! : NaN)
    const mean = v.reduce((a, b) => a + b, 0) / (v.length || 1)
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1))
    const a = accel.get(g.arm) ?? 'none'
    rows.push([
      g.metric,
      g.workload,
      g.arm,
      a === 'none' ? '' : a,
      String(v.length),
      String(g.failed),
      fmt(q(0.5)),
      fmt(q(0.9)),
      v.length > 1 ? `${((sd / mean) * 100).toFixed(1)}%` : '',
      g.unit,
    ])
  }
  for (const r of rows) r.forEach((c, i) => (r[i] = oneLine(c))) // names and params: one visible line each
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  )
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))
  for (const c of results.comparisons) lines.push(`${c.verdict.padEnd(12)} ${c.text}`)
  for (const r of results.regressions ?? []) lines.push(`${'marginal'.padEnd(12)} ${r.text}`)
  if (results.precision) {
    const {target, cells} = results.precision
    const reached = cells.filter((c) => c.reached).length
    lines.push(
      `${'precision'.padEnd(12)} target ±${(target * 100).toFixed(1)}%: reached in ${reached} of ${cells.length} cells; run stopped by ${results.stopReason ?? 'complete'}`,
    )
  }
  for (const w of results.warnings) lines.push(`warning: ${w.message}`)
  return lines.map(oneLine).join('\n')
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–'
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
}
