/**
 * The plain-text summary a run prints: the isolation ladder (arms by startup, with memory and CPU
 * beside), then one row per (cell, arm) with median and spread, arms in ladder order, then verdicts.
 */
import type {Results} from '../core/results.js'
import {oneLine} from '../core/text.js'
import {isolationLadder, ladderOrder} from './ladder.js'

/** The ladder as text lines: rank, arm, rung, startup, PSS (+ engine share), marginal PSS, CPU overhead. */
export function ladderLines(results: Results): string[] {
  const rows = isolationLadder(results).filter((r) => r.startupMs !== undefined)
  if (rows.length < 2) return []
  const accel = (a: string) => (a === 'tcg' ? ' (TCG)' : a === 'kvm' ? ' (KVM)' : '')
  const table = [
    ['#', 'arm', 'isolation', 'startup ms', 'PSS MiB', '+engine', 'marginal', 'CPU overhead'],
    ...rows.map((r, i) => [
      String(i + 1),
      `${oneLine(r.arm)}${accel(r.accel)}`,
      r.isolation,
      fmt(r.startupMs ?? NaN),
      fmt(r.pssMiB ?? NaN),
      r.enginePssMiB === undefined ? '' : fmt(r.enginePssMiB),
      fmt(r.marginalPssMiB ?? NaN),
      r.cpuLossPct === undefined ? '–' : `${r.cpuLossPct >= 0 ? '+' : '-'}${Math.abs(r.cpuLossPct).toFixed(1)}%`,
    ]),
  ]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
  return [
    'isolation ladder (median startup, fastest first):',
    ...table.map(
      (r) =>
        '  ' +
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
    ),
    '',
  ]
}

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
  const order = ladderOrder(results)
  const rank = (arm: string) => (order.includes(arm) ? order.indexOf(arm) : order.length)
  const sorted = [...groups.values()].sort((a, b) => a.metric.localeCompare(b.metric) || a.workload.localeCompare(b.workload) || rank(a.arm) - rank(b.arm))
  for (const g of sorted) {
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
  lines.unshift(...ladderLines(results))
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
