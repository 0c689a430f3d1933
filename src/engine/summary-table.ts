/**
 * The plain-text summary a run prints: the isolation ladder (arms by startup, with memory and CPU
 * beside), then one row per (cell, arm) with median and spread, arms in ladder order, then verdicts.
 * Every figure is results.json's stored summary (analyze → describe()), the one source the HTML,
 * Markdown, JUnit and CSV read too: no statistics of its own (it took an even n's upper middle for
 * the median, its own p90 and a CoV over a signed mean). A cell whose samples all failed has no
 * summary: it is listed from its samples with n 0. Diagnostic figures (memory.host_delta) are left
 * out unless `diagnostics`, with a line saying which and why.
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

export function summaryTable(results: Results, opts: {diagnostics?: boolean} = {}): string {
  const rows: string[][] = [['metric', 'workload', 'arm', 'accel', 'n', 'failed', 'median', 'p90', 'CoV', 'unit']]
  const accel = new Map(results.arms.map((a) => [a.name, a.accel]))
  const label = (metric: string, figure: string | undefined, params: Record<string, unknown>) => {
    const p = Object.entries(params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',')
    return `${metric}${figure && figure !== metric ? `.${figure}` : ''}${p ? `[${p}]` : ''}`
  }
  const entries: Array<{metric: string; workload: string; arm: string; cells: string[]}> = []
  const row = (metric: string, workload: string, arm: string, n: number, failed: number, median: number, p90: number, cov: number | null, unit: string) => {
    const a = accel.get(arm) ?? 'none'
    entries.push({
      metric,
      workload,
      arm,
      cells: [
        metric,
        workload,
        arm,
        a === 'none' ? '' : a,
        String(n),
        String(failed),
        fmt(median),
        fmt(p90),
        cov !== null && Number.isFinite(cov) ? `${(cov * 100).toFixed(1)}%` : '–',
        unit,
      ],
    })
  }
  const hidden = new Map<string, string>()
  const summarized = new Set<string>()
  for (const s of results.summaries) {
    const metric = label(s.metric, s.figure, s.params)
    summarized.add(`${metric}|${s.workload}|${s.arm}`)
    if (s.diagnostic && !opts.diagnostics) {
      hidden.set(`${s.metric}.${s.figure}`, s.diagnostic)
      continue
    }
    row(metric, s.workload, s.arm, s.n, s.failures, s.median, s.p90, s.cov as number | null, s.unit)
  }
  // Cells with no summary (every sample failed): counted from the samples, never left out.
  const failedOnly = new Map<string, {metric: string; workload: string; arm: string; unit: string; failed: number}>()
  for (const s of results.samples) {
    if (s.warmup) continue
    const metric = label(s.metric, s.figure, s.params)
    const key = `${metric}|${s.workload}|${s.arm}`
    if (summarized.has(key)) continue
    const g = failedOnly.get(key) ?? {metric, workload: s.workload, arm: s.arm, unit: s.unit, failed: 0}
    g.failed++
    failedOnly.set(key, g)
  }
  for (const g of failedOnly.values()) row(g.metric, g.workload, g.arm, 0, g.failed, Number.NaN, Number.NaN, null, g.unit)
  // Arms in ladder order within each cell.
  const order = ladderOrder(results)
  const rank = (arm: string) => (order.includes(arm) ? order.indexOf(arm) : order.length)
  entries.sort((x, y) => x.metric.localeCompare(y.metric) || x.workload.localeCompare(y.workload) || rank(x.arm) - rank(y.arm))
  rows.push(...entries.map((e) => e.cells))
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
  for (const [figure, why] of hidden) lines.push(`${'diagnostic'.padEnd(12)} ${figure} not shown (results.json and the report's Diagnostics have it): ${why}`)
  for (const w of results.warnings) lines.push(`warning: ${w.message}`)
  return lines.map(oneLine).join('\n')
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–'
  const m = Math.abs(x) // the same digits for a negative figure as for its magnitude
  return m >= 100 ? x.toFixed(0) : m >= 10 ? x.toFixed(1) : x.toFixed(2)
}
