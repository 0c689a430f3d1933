/**
 * The paper claims section: claims rendered generically (claim | paper figure | our figure [CI] |
 * verdict, + notes and any other fields), whatever fields a claim result carries.
 */
import type {Results} from '../core/results.js'
import {num} from './charts/format.js'
import {h, raw, type Safe} from './escape.js'
import {VERDICT_CLASS} from './sections.js'

const CLAIM_FIELDS = {
  claim: ['claim', 'text', 'statement', 'description', 'title'],
  source: ['paper', 'source', 'reference', 'citation'],
  paperFigure: ['paperFigure', 'paperValue', 'claimed', 'published'],
  expected: ['expected'],
  ours: ['ourFigure', 'ours', 'measured', 'observed', 'actual', 'value'],
  ci: ['ci', 'ourCi', 'interval'],
  verdict: ['verdict', 'status', 'result'],
  outcome: ['outcome'],
  notes: ['reason', 'note'],
} as const
/** Fields of a claim result that are for machines (still in the embedded data). */
const CLAIM_HIDDEN = new Set(['id', 'estimate', 'samples', 'accel', 'gate'])

/** Claims rendered generically: claim | paper figure | our figure [CI] | verdict (+ notes and any other fields). */
export function claimsSection(results: Results): Safe {
  const claims = results.claims ?? []
  if (claims.length === 0) return raw('')
  const rows = claims.map((c) => {
    if (c === null || typeof c !== 'object') return h`<tr><td colspan="5">${String(c)}</td></tr>`
    const o = c as Record<string, unknown>
    const used = new Set<string>(CLAIM_HIDDEN)
    const pick = (keys: readonly string[]) => {
      const k = keys.find((key) => o[key] !== undefined && !used.has(key))
      if (k) used.add(k)
      return k === undefined ? undefined : o[k]
    }
    const claim = pick(CLAIM_FIELDS.claim)
    const source = pick(CLAIM_FIELDS.source)
    const paper = pick(CLAIM_FIELDS.paperFigure)
    const expected = pick(CLAIM_FIELDS.expected)
    const ours = pick(CLAIM_FIELDS.ours)
    const ci = pick(CLAIM_FIELDS.ci)
    const verdict = pick(CLAIM_FIELDS.verdict)
    const outcome = pick(CLAIM_FIELDS.outcome)
    const notes = CLAIM_FIELDS.notes.map((k) => (o[k] !== undefined ? (used.add(k), show(o[k])) : undefined)).filter(Boolean)
    const accel =
      o.accel && typeof o.accel === 'object'
        ? Object.entries(o.accel as Record<string, unknown>)
            .filter(([, a]) => a === 'tcg')
            .map(([arm]) => arm)
        : []
    const rest = Object.entries(o).filter(([k]) => !used.has(k))
    const ciText = Array.isArray(ci) && ci.length === 2 ? ` [${show(ci[0])}–${show(ci[1])}]` : ci !== undefined && ci !== null ? ` [${show(ci)}]` : ''
    const verdictText = verdict !== undefined ? show(verdict) : outcome !== undefined ? show(outcome) : undefined
    return h`<tr><td>${show(claim)}${source !== undefined || o.id !== undefined ? h`<div class="dim">${source !== undefined ? show(source) : ''}${o.id !== undefined ? h` · <code>${show(o.id)}</code>` : ''}${o.gate === true ? h` · <b>gate</b>` : ''}</div>` : ''}</td>
<td>${show(paper)}${expected !== undefined ? h`<div class="dim">reproduced if ${show(expected)}</div>` : ''}</td>
<td>${show(ours)}${ciText}${accel.length ? h`<div class="tcg-note">${accel.join(', ')}: VM figures emulated (TCG)</div>` : ''}</td>
<td>${verdictText !== undefined ? claimBadge(verdictText, outcome === undefined ? undefined : show(outcome)) : '–'}</td>
<td class="dim">${notes.map((n) => h`<div>${n}</div>`)}${rest.map(([k, v]) => h`<div>${k}: ${show(v)}</div>`)}</td></tr>`
  })
  return h`<section id="claims"><h2>Paper claims</h2><table><thead><tr><th>claim</th><th>paper figure</th><th>our figure [95% CI]</th><th>verdict</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table></section>`
}

/** The badge's colour comes from the outcome ("not reproduced") when there is one, else from the verdict's first words. */
function claimBadge(text: string, outcome: string | undefined): Safe {
  const key = (outcome ?? text).split(/[:(]/)[0]!.trim().replace(/\s+/g, '-')
  return h`<span class="badge ${VERDICT_CLASS[key] ?? 'warn'}">${text}</span>`
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '–'
  if (typeof v === 'number') return num(v)
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return String(v)
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return `${num(v[0])}–${num(v[1])}`
  return JSON.stringify(v)
}
