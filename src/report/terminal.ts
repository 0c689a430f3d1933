/**
 * What `isobench run` prints when it is done. By default the headline (report/headline.ts): one block
 * per metric, arms in registry order, median ± the half-width of its 95% CI, the ratio to the
 * reference arm with its CI, and the warnings summarised in one line — one screen for the default
 * scenario. `--verbose` adds the full detail: every summary (median, p90, CoV), every comparison,
 * slope and warning. Every number comes from the stored analysis; nothing is computed here.
 */
import type {Comparison, Results, Summary} from '../core/results.js'
import {comparativeWords} from '../stats/verdict.js'
import {labelledParamsOf, paramsLabel} from '../metrics/index.js'
import {num} from './charts/format.js'
import {headline, referenceOf, type HeadlineBlock, type HeadlineRow, type HeadlineValue} from './headline.js'
import type {Versus} from './versus.js'
import {oneLine} from '../core/text.js'
import {ladderLines} from '../engine/summary-table.js'

export interface TerminalOptions {
  /** ANSI colours (a TTY, and NO_COLOR unset). */
  color?: boolean
  /** Wall-clock duration of the run, ms (results carry only start and finish times). */
  elapsedMs?: number
}

/**
 * Text from results.json for a terminal, on one line: the project's one sanitiser (core/text.ts
 * oneLine), so an arm, workload or param name cannot move the cursor or recolour the screen, and
 * what was there shows as \xNN / \u{NNNN}.
 */
export const clean: (text: string) => string = oneLine

const COLORS = {finding: '\x1b[1m', bad: '\x1b[31m', good: '\x1b[32m', warn: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m'}

/** Decimals that give `x` three significant digits (none from 100 up). */
function decimals(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0
  return Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))))
}

/** Three significant digits, no exponent: 4.10, 0.343, 77.7, 2558. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return '–'
  if (x === 0) return '0'
  return x.toFixed(Math.min(decimals(x), 20))
}

/** "4.10 ± 0.13 ms" (± the half-width of the median's 95% CI, to the median's decimals); "4.10 ms" without a CI. */
export function valueText(v: HeadlineValue | undefined): string {
  if (!v) return '–'
  const unit = v.unit ? ` ${v.unit}` : ''
  if (!v.ci) return `${sig3(v.value)}${unit}`
  const hw = (v.ci[1] - v.ci[0]) / 2
  const d = Math.min(decimals(v.value), 20)
  const pm = hw > 0 && Number(hw.toFixed(d)) === 0 ? hw.toPrecision(1) : hw.toFixed(d)
  return `${sig3(v.value)} ± ${pm}${unit}`
}

/** "0.343× [0.325–0.354]", or "Δ +0.040 cores [0.033–0.046]" when a median is 0. */
export function versusText(v: Versus | undefined, unit: string): string {
  if (!v) return '–'
  if (v.basis === 'difference' && typeof v.difference === 'number') {
    const ci = v.differenceCi ? ` [${sig3(v.differenceCi[0])}–${sig3(v.differenceCi[1])}]` : ''
    return `Δ ${v.difference > 0 ? '+' : ''}${sig3(v.difference)}${unit ? ` ${unit}` : ''}${ci}`
  }
  if (v.ratio === null) return '–'
  return `${sig3(v.ratio)}×${v.ci ? ` [${sig3(v.ci[0])}–${sig3(v.ci[1])}]` : ' [no CI]'}`
}

/** One word for a verdict: "slower", "smaller", "≈ same", "inconclusive". */
export function verdictWord(v: Versus | undefined, unit: string): string {
  if (!v) return ''
  if (v.verdict === 'inconclusive') return 'inconclusive'
  if (v.verdict === 'equivalent') return '≈ same'
  const up = v.basis === 'difference' ? (v.difference ?? 0) > 0 : (v.ratio ?? 1) > 1
  const words = comparativeWords(unit)
  return up ? words.more : words.less
}

function rowCells(block: HeadlineBlock, row: HeadlineRow): string[] {
  const value: HeadlineValue | undefined = row.summary ? {value: row.summary.median, ci: row.summary.medianCi ?? null, unit: row.summary.unit} : undefined
  const failed = row.summary?.failures ? ` (${row.summary.failures} failed)` : ''
  const few = row.summary && !row.summary.medianCi ? ` (n=${row.summary.n})` : ''
  const versus = row.reference ? 'reference' : versusText(row.versus, block.unit)
  const word = row.reference ? '' : verdictWord(row.versus, block.unit) + (row.versus?.expectation === 'finding' ? ' *' : '')
  const extras = row.extras.map((e, i) => `${block.extraColumns[i]!.title}: ${valueText(e)}`)
  return [`  ${clean(row.label)}`, `${valueText(value)}${few}${failed}`, versus, word, ...extras]
}

/** "Startup · ready · idle: median ± 95% CI, ratio to container [95% CI]". */
function blockTitle(b: HeadlineBlock): string {
  const what = [b.figure, clean(b.workload), clean(b.paramsText)].filter(Boolean).join(' · ')
  const ratio = b.against === 'reference' ? `ratio to ${clean(b.reference)}` : `ratio co-located/${b.reference}`
  return `${b.title} · ${what}: median ± 95% CI, ${ratio} [95% CI]`
}

/** Columns padded to the widest cell (the first column to `first` at least). */
function layout(rows: string[][], first = 0): string[] {
  const widths: number[] = [first]
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)))
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length)))
      .join('  ')
      .trimEnd(),
  )
}

/** The headline blocks as text lines (no trailing newline). */
export function headlineLines(results: Results, opts: TerminalOptions = {}): string[] {
  const blocks = headline(results)
  const paint = (code: keyof typeof COLORS, s: string) => (opts.color && s ? `${COLORS[code]}${s}${COLORS.reset}` : s)
  const lines: string[] = [runLine(results, opts)]
  const labelWidth = Math.max(0, ...blocks.flatMap((b) => b.rows.map((r) => [...clean(r.label)].length + 2)))
  let findings = 0
  for (const b of blocks) {
    lines.push(paint('bold', blockTitle(b)))
    const laid = layout(
      b.rows.map((r) => rowCells(b, r)),
      labelWidth,
    )
    b.rows.forEach((r, i) => {
      const e = r.versus?.expectation
      if (e === 'finding') findings++
      const code = r.reference ? 'dim' : e === 'finding' ? (r.versus!.verdict === 'better' ? 'good' : 'bad') : e === 'inconclusive' ? 'warn' : undefined
      lines.push(code ? paint(code, laid[i]!) : laid[i]!)
    })
    if (b.otherCells > 0) lines.push(paint('dim', `  (+${b.otherCells} more cell${b.otherCells === 1 ? '' : 's'}: --verbose or the report)`))
  }
  if (blocks.length === 0) lines.push('no successful samples to summarise')
  if (findings > 0) lines.push('* not what isolation predicts: a more isolated arm doing better, same-kind arms differing, a victim its neighbour slows')
  const w = warningsLine(results)
  if (w) lines.push(paint('warn', w))
  return lines
}

/** "quick: complete in 4m12s · 5 arms · reference container · qemu under TCG (emulated, not KVM)". */
function runLine(results: Results, opts: TerminalOptions): string {
  const scenario = (results.scenario ?? {}) as {name?: string}
  const tcg = results.arms.filter((a) => a.accel === 'tcg').map((a) => clean(a.name))
  const ran = results.arms.filter((a) => a.available !== false)
  const elapsed = opts.elapsedMs ?? (results.finishedAt ? Date.parse(results.finishedAt) - Date.parse(results.startedAt) : Number.NaN)
  const parts = [
    `${clean(scenario.name ?? 'run')}: ${results.status}${Number.isFinite(elapsed) ? ` in ${duration(elapsed)}` : ''}${results.stopReason && results.stopReason !== 'complete' ? ` (stopped: ${results.stopReason})` : ''}`,
    `${ran.length} arm${ran.length === 1 ? '' : 's'}`,
    `reference ${clean(referenceOf(results))}`,
  ]
  if (tcg.length) parts.push(`${tcg.join(', ')} under TCG (software emulation, not KVM)`)
  return parts.join(' · ')
}

function duration(ms: number): string {
  const s = ms / 1000
  return s < 60 ? `${s.toFixed(0)}s` : `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`
}

/** The warnings in one line, counted: "21 outlier flags in 9 cells · 2 failed samples in 1 cell · skipped: lxc". */
export function warningsLine(results: Results): string | undefined {
  const parts: string[] = []
  const outlierCells = results.summaries.filter((s) => s.outliers > 0)
  const outliers = outlierCells.reduce((n, s) => n + s.outliers, 0)
  if (outliers) parts.push(`${outliers} outlier flag${outliers === 1 ? '' : 's'} in ${outlierCells.length} cell${outlierCells.length === 1 ? '' : 's'} (kept)`)
  const failed = results.samples.filter((s) => !s.warmup && (!s.ok || s.value === null))
  if (failed.length) {
    const cells = new Set(failed.map((s) => `${s.metric}.${s.figure}/${s.workload}[${JSON.stringify(s.params)}]@${s.arm}`)).size
    parts.push(`${failed.length} failed sample${failed.length === 1 ? '' : 's'} in ${cells} cell${cells === 1 ? '' : 's'}`)
  }
  const skipped = results.warnings.filter((w) => (w.code === 'arm-unavailable' || w.code === 'arm-prepare-failed') && w.arm).map((w) => clean(w.arm!))
  if (skipped.length) parts.push(`skipped: ${[...new Set(skipped)].join(', ')}`)
  const counted = new Set(['outliers', 'failed-samples', 'arm-unavailable', 'arm-prepare-failed', 'tcg'])
  const others = new Map<string, number>()
  for (const w of results.warnings) if (!counted.has(w.code)) others.set(w.code, (others.get(w.code) ?? 0) + 1)
  for (const [code, n] of others) parts.push(n === 1 ? clean(code) : `${n} × ${clean(code)}`)
  if (parts.length === 0) return undefined
  return `warnings: ${parts.join(' · ')} — details: --verbose or the report`
}

/** `--verbose`: every summary, comparison, slope, precision record and warning, as stored. */
export function verboseLines(results: Results): string[] {
  const ladder = ladderLines(results)
  const accel = new Map(results.arms.map((a) => [a.name, a.accel]))
  const keysOf = labelledParamsOf(results.summaries)
  const cell = (s: Pick<Summary, 'metric' | 'figure' | 'params'>) => {
    const p = paramsLabel(s.params, keysOf(s.metric))
    return clean(`${s.metric}.${s.figure}${p ? `[${p}]` : ''}`)
  }
  const header = ['cell', 'workload', 'arm', 'accel', 'n', 'failed', 'outliers', 'median', '95% CI', 'p90', 'CoV', 'unit']
  // Cells in the order they were measured, each cell's arms in the arm order (the registry's).
  const armRank = (arm: string) => {
    const i = results.arms.findIndex((a) => a.name === arm)
    return i < 0 ? results.arms.length : i
  }
  const cellKey = (s: Summary) => `${s.metric}.${s.figure}/${s.workload}[${JSON.stringify(s.params)}]`
  const firstSeen = new Map<string, number>()
  results.summaries.forEach((s, i) => firstSeen.set(cellKey(s), firstSeen.get(cellKey(s)) ?? i))
  const ordered = [...results.summaries].sort((a, b) => firstSeen.get(cellKey(a))! - firstSeen.get(cellKey(b))! || armRank(a.arm) - armRank(b.arm))
  const rows = ordered.map((s) => [
    cell(s),
    clean(s.workload),
    clean(s.arm),
    accel.get(s.arm) === 'none' || !accel.get(s.arm) ? '' : accel.get(s.arm)!,
    String(s.n),
    String(s.failures),
    String(s.outliers),
    num(s.median),
    s.medianCi ? `${num(s.medianCi[0])}–${num(s.medianCi[1])}` : '–',
    num(s.p90),
    Number.isFinite(s.cov) && s.cov !== null ? `${(s.cov * 100).toFixed(1)}%` : '–',
    clean(s.unit),
  ])
  const table = layout([header, ...rows])
  table.splice(1, 0, header.map((h, i) => '-'.repeat(Math.max(h.length, ...rows.map((r) => [...r[i]!].length)))).join('  '))
  const lines = [...ladder, ...table]
  const verdict = (c: Comparison) => `${c.verdict.padEnd(12)} ${clean(c.text)}`
  for (const c of results.comparisons) lines.push(verdict(c))
  for (const r of results.regressions ?? []) lines.push(`${'marginal'.padEnd(12)} ${clean(r.text)}`)
  if (results.precision) {
    const {target, cells} = results.precision
    const reached = cells.filter((c) => c.reached).length
    lines.push(
      `${'precision'.padEnd(12)} target ±${(target * 100).toFixed(1)}%: reached in ${reached} of ${cells.length} cells; run stopped by ${results.stopReason ?? 'complete'}`,
    )
  }
  for (const w of results.warnings) lines.push(`warning: ${clean(w.message)}`)
  return lines
}
