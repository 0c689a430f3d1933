import {describe, expect, it} from 'vitest'
import type {ClaimResult} from '../../../src/papers/evaluate.js'
import {claimsMarkdown, claimsText, reproduceExitCode} from '../../../src/papers/table.js'

const result = (over: Partial<ClaimResult>): ClaimResult => ({
  id: 'p:c',
  paper: 'p',
  claim: 'claim',
  paperFigure: 'paper',
  ourFigure: 'qemu[tcg]/container = 41×',
  estimate: 41,
  ci: [38, 45],
  expected: '≥ 10.0',
  verdict: 'reproduced',
  outcome: 'reproduced',
  gate: true,
  ...over,
})

describe('claims table', () => {
  it('prints claim | paper figure | our figure [CI] | verdict, with the reasons below', () => {
    const text = claimsText([
      result({}),
      result({
        id: 'p:d',
        ourFigure: '–',
        estimate: null,
        ci: null,
        verdict: 'not applicable: needs KVM',
        outcome: 'not applicable',
        reason: 'qemu unavailable: no qemu',
      }),
    ])
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^claim\s+paper figure\s+our figure \[95% CI\]\s+verdict$/)
    expect(lines[2]).toMatch(/^p:c\s+paper\s+qemu\[tcg\]\/container = 41× \[38.0–45.0\] \(expected ≥ 10.0\)\s+reproduced$/)
    expect(lines[3]).toMatch(/not applicable: needs KVM$/)
    expect(text).toContain('p:d: qemu unavailable: no qemu')
  })

  it('Markdown escapes hostile text so it cannot break the table or inject HTML', () => {
    const md = claimsMarkdown([result({claim: 'a | b <script>alert(1)</script>', paperFigure: 'x\ny'})])
    const row = md.split('\n')[2]!
    expect(row.split(/(?<!\\)\|/)).toHaveLength(6) // 4 cells, bounded by pipes
    expect(row).not.toContain('<script>')
    expect(row).toContain('\\<script\\>')
    expect(md.split('\n')).toHaveLength(3)
  })

  it('exits 1 only for a gating claim that is not reproduced', () => {
    expect(reproduceExitCode([result({}), result({outcome: 'inconclusive'}), result({outcome: 'not applicable'})])).toBe(0)
    expect(reproduceExitCode([result({outcome: 'not reproduced', gate: false})])).toBe(0)
    expect(reproduceExitCode([result({}), result({outcome: 'not reproduced'})])).toBe(1)
  })
})
