/** Renderings of a run comparison: a terminal table, Markdown (CI job summaries), JUnit XML, JSON. */
import {oneLine} from '../core/text.js'
import {changeCi, changePct, num, paramsText} from './charts/format.js'
import {cellLabel, type Change, type RunComparison} from '../engine/compare-runs.js'

export const FORMATS = ['table', 'markdown', 'json', 'junit'] as const
export type Format = (typeof FORMATS)[number]

export function formatComparison(c: RunComparison, format: Format): string {
  return FORMATTERS[format](c)
}

const FORMATTERS: Record<Format, (c: RunComparison) => string> = {
  table: toTable,
  markdown: toMarkdown,
  json: (c) => JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2),
  junit: toJUnit,
}

const pct = (t: number) => `${(t * 100).toFixed(t * 100 >= 10 || Number.isInteger(t * 100) ? 0 : 1)}%`
const fmtP = (p: number) => (!Number.isFinite(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3))

export function headline(c: RunComparison): string {
  const {regression, improvement, equivalent, inconclusive} = c.counts
  const verdict =
    regression > 0
      ? `FAIL: ${regression} significant regression${regression > 1 ? 's' : ''} beyond ${pct(c.threshold)}`
      : `OK: no significant regression beyond ${pct(c.threshold)}`
  const incomparable = c.notComparable ? `, ${c.notComparable} not comparable (provenance)` : ''
  return `${verdict} (${improvement} improved, ${equivalent} equivalent, ${inconclusive} inconclusive${incomparable}; ${c.changes.length} cells compared)`
}

/** The runs' provenance differences, one line each: "host kernel.version: 6.1 → 6.2 (material: …)". */
export function provenanceLines(c: RunComparison): string[] {
  return (c.provenance ?? []).flatMap((d) =>
    d.diffs
      .filter((x) => !x.key.startsWith('vuln.'))
      .map((x) => `provenance: ${d.arm === '*' ? 'host' : d.arm} ${x.key}: ${x.values.base} → ${x.values.new}${x.material ? ` (material: ${x.why})` : ''}`),
  )
}

function rows(c: RunComparison): string[][] {
  return c.changes.map((x) => [
    `${x.metric}.${x.figure}`,
    x.workload,
    paramsText(x.params),
    x.arm,
    `${num(x.baseMedian)} ${x.unit}`.trim(),
    `${num(x.newMedian)} ${x.unit}`.trim(),
    changeText(x),
    fmtP(x.pValue),
    x.direction === 'higher' ? '↑' : '↓',
    x.notComparable ? `${x.verdict} (not comparable)` : x.verdict,
  ])
}

/** "+5.0% [−1.0% … +9.0%]", or for a base median of 0 the difference: "Δ +0.040 cores [0.030 … 0.050]". */
export function changeText(x: Change): string {
  if (x.basis === 'difference' && x.difference !== undefined) {
    const ci = x.differenceCi && Number.isFinite(x.differenceCi[0]) ? ` [${num(x.differenceCi[0])} … ${num(x.differenceCi[1])}]` : ''
    return `Δ ${x.difference >= 0 ? '+' : ''}${num(x.difference)} ${x.unit}${ci}`
  }
  return `${changePct(x.ratio)} ${changeCi(x.ci)}`
}

const HEAD = ['figure', 'workload', 'params', 'arm', 'base median', 'new median', 'change [95% CI]', 'p', 'better', 'verdict']

function toTable(c: RunComparison): string {
  const all = [HEAD, ...rows(c).map((r) => r.map(oneLine))] // names and params from results files: one visible line each
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)))
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  const out = [
    `base ${c.base.runId}${c.base.file ? ` (${c.base.file})` : ''}  →  new ${c.new.runId}${c.new.file ? ` (${c.new.file})` : ''}  · threshold ${c.thresholdSource?.startsWith('calibration') ? `per cell from ${c.thresholdSource}` : `±${pct(c.threshold)}`}`,
    '',
    line(HEAD),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...all.slice(1).map(line),
    '',
  ]
  for (const x of c.changes.filter((x) => x.verdict === 'regression' || x.verdict === 'improvement')) out.push(`${x.verdict.padEnd(12)} ${x.text}`)
  for (const w of c.warnings) out.push(`warning: ${w}`)
  out.push(...provenanceLines(c))
  if (c.onlyInBase.length) out.push(`only in base: ${c.onlyInBase.join('; ')}`)
  if (c.onlyInNew.length) out.push(`only in new: ${c.onlyInNew.join('; ')}`)
  out.push(headline(c))
  return out.map(oneLine).join('\n')
}

/** Markdown cell text: no table breaks, no HTML (job summaries render HTML). */
function md(s: string): string {
  return oneLine(s)
    .replace(/[\\`*_[\]|<>&]/g, (ch) => ({'|': '\\|', '<': '&lt;', '>': '&gt;', '&': '&amp;'})[ch] ?? `\\${ch}`)
    .replace(/\r?\n/g, ' ')
}

const ICON: Record<string, string> = {regression: '🔴 regression', improvement: '🟢 improvement', equivalent: '⚪ equivalent', inconclusive: '🟡 inconclusive'}

function toMarkdown(c: RunComparison): string {
  const out = [
    `### isobench compare: ${md(headline(c))}`,
    '',
    `Base \`${md(c.base.runId)}\` → new \`${md(c.new.runId)}\`, threshold ±${pct(c.threshold)}; change = median(new)/median(base) − 1 with a 95% bootstrap CI; p from a permutation test.`,
    '',
  ]
  const table = (rs: string[][]) => [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i >= 4 && i <= 7 ? '---:' : '---')).join('|')}|`,
    ...rs.map((r) => `| ${r.map((cell, i) => (i === 9 ? (ICON[cell] ?? md(cell)) : md(cell))).join(' | ')} |`),
  ]
  const all = rows(c)
  const notable = all.filter((r) => r[9] !== 'equivalent')
  const equivalent = all.filter((r) => r[9] === 'equivalent')
  if (notable.length) out.push(...table(notable))
  if (equivalent.length)
    out.push(
      '',
      `<details><summary>${equivalent.length} equivalent cells (CI within ±${pct(c.threshold)})</summary>`,
      '',
      ...table(equivalent),
      '',
      '</details>',
    )
  if (c.warnings.length) out.push('', ...c.warnings.map((w) => `> ⚠️ ${md(w)}`))
  const prov = provenanceLines(c)
  if (prov.length) out.push('', ...prov.map((w) => `> ${md(w)}`))
  if (c.onlyInBase.length || c.onlyInNew.length)
    out.push('', `Only in base: ${md(c.onlyInBase.join('; ') || 'none')}. Only in new: ${md(c.onlyInNew.join('; ') || 'none')}.`)
  return out.join('\n')
}

function xml(s: string): string {
  return oneLine(s).replace(/[<>&"']/g, (ch) => ({'<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;'})[ch]!)
}

function toJUnit(c: RunComparison): string {
  const failures = c.counts.regression
  const skipped = c.counts.inconclusive + (c.notComparable ?? 0)
  const cases = c.changes.map((x: Change) => {
    const name = xml(cellLabel(x))
    const classname = xml(`isobench.${x.metric}.${x.figure}`)
    const body = x.notComparable
      ? `<skipped message="${xml(x.text)}"/>`
      : x.verdict === 'regression'
        ? `<failure type="regression" message="${xml(x.text)}">${xml(`base median ${num(x.baseMedian)} ${x.unit}, new median ${num(x.newMedian)} ${x.unit}, change ${changeText(x)}, p=${fmtP(x.pValue)}`)}</failure>`
        : x.verdict === 'inconclusive'
          ? `<skipped message="${xml(x.text)}"/>`
          : `<system-out>${xml(x.text)}</system-out>`
    return `    <testcase name="${name}" classname="${classname}">${body}</testcase>`
  })
  const props = c.warnings.map((w, i) => `      <property name="warning.${i + 1}" value="${xml(w)}"/>`)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="isobench compare" tests="${c.changes.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(`isobench compare ${c.base.runId} → ${c.new.runId}`)}" tests="${c.changes.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
    `    <properties>\n      <property name="threshold" value="${c.threshold}"/>\n${props.join('\n')}${props.length ? '\n' : ''}    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
