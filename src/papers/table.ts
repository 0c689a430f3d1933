/**
 * The claims table: claim | paper figure | our figure [95% CI] | verdict, as aligned text for the
 * terminal and as GitHub Markdown (for $GITHUB_STEP_SUMMARY). Cell text is escaped for Markdown.
 */
import {oneLine} from '../core/text.js'
import {fmt, type ClaimResult} from './evaluate.js'

export const CLAIM_COLUMNS = ['claim', 'paper figure', 'our figure [95% CI]', 'verdict'] as const

export function ourFigureText(c: ClaimResult): string {
  return c.ci ? `${c.ourFigure} [${fmt(c.ci[0])}–${fmt(c.ci[1])}]` : c.ourFigure
}

function verdictText(c: ClaimResult): string {
  const gate = c.gate || c.outcome === 'not applicable' || c.outcome === 'not comparable' ? '' : ' (reported, not gating)'
  return `${c.verdict}${gate}`
}

export function claimRows(claims: readonly ClaimResult[]): string[][] {
  return claims.map((c) => [c.id, c.paperFigure, `${ourFigureText(c)} (expected ${c.expected})`, verdictText(c)])
}

/** Aligned text; long cells are cut at `width` characters (the Markdown and the report keep them whole). */
export function claimsText(claims: readonly ClaimResult[], width = 48): string {
  const cut = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s)
  const rows = [CLAIM_COLUMNS.slice(), ...claimRows(claims).map((r) => [oneLine(r[0]!), cut(oneLine(r[1]!)), oneLine(r[2]!), oneLine(r[3]!)])]
  const widths = CLAIM_COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')
  const notes = claims.filter((c) => c.reason && c.reason !== c.verdict).map((c) => oneLine(`  ${c.id}: ${c.reason}`))
  return [line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line), ...(notes.length ? ['', 'why:', ...notes] : [])].join('\n')
}

export function escapeMarkdownCell(s: string): string {
  return oneLine(s).replace(/[\\`*_{}[\]<>|#!~]/g, (ch) => `\\${ch}`)
}

export function claimsMarkdown(claims: readonly ClaimResult[]): string {
  const header = `| ${CLAIM_COLUMNS.join(' | ')} |\n|${CLAIM_COLUMNS.map(() => '---').join('|')}|`
  const rows = claims.map((c) => [
    `**${escapeMarkdownCell(c.id)}** ${escapeMarkdownCell(c.claim)}`,
    escapeMarkdownCell(c.paperFigure),
    escapeMarkdownCell(`${ourFigureText(c)} (expected ${c.expected})`),
    escapeMarkdownCell(verdictText(c)),
  ])
  return [header, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

/** Exit status of `isobench reproduce`: 1 when a gating, applicable claim is not reproduced (CI outside the range). */
export function reproduceExitCode(claims: readonly ClaimResult[]): 0 | 1 {
  return claims.some((c) => c.gate && c.outcome === 'not reproduced') ? 1 : 0
}
