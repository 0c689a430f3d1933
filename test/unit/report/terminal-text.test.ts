/**
 * Text that reaches a terminal or Markdown is sanitised (core/text.ts): hostile names and params in
 * results — arm and workload names from plugins or results files, params, warnings — come out of
 * the run's progress lines, its summary table, compare's table and Markdown and the claims tables
 * with every escape sequence, control character and bidi override made visible, one line per row.
 */
import {Writable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isTerminalSafe, oneLine, terminalText} from '../../../src/core/text.js'
import {compareRuns} from '../../../src/engine/compare-runs.js'
import {Progress} from '../../../src/engine/progress.js'
import {claimsMarkdown, claimsText} from '../../../src/papers/table.js'
import {formatComparison} from '../../../src/report/compare-format.js'
import {loadResultsFile} from '../../../src/report/load-results.js'
import {headlineLines, verboseLines} from '../../../src/report/terminal.js'

const EVIL = '\x1b[31mred\x1b]0;title\x07\r\nINJECTED | row\u202eevil\u009b2J'
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/

function hostile(file: string): Results {
  const r = loadResultsFile(file)
  const rename = (s: string) => (s === 'container' ? `container${EVIL}` : s === 'idle' ? `idle${EVIL}` : s)
  for (const s of r.samples) {
    s.arm = rename(s.arm)
    s.workload = rename(s.workload)
    s.params = {...s.params, label: EVIL}
  }
  for (const s of r.summaries) {
    s.arm = rename(s.arm)
    s.workload = rename(s.workload)
    s.params = {...s.params, label: EVIL}
  }
  for (const a of r.arms) a.name = rename(a.name)
  r.warnings.push({code: 'x', message: `warning${EVIL}`})
  return r
}

const noInjectedLine = (text: string) => text.split('\n').every((l) => !l.replace(/^[|\s]+/, '').startsWith('INJECTED'))

describe('terminal and Markdown text', () => {
  it('oneLine and terminalText make escapes, controls and bidi overrides visible, and keep the rest', () => {
    expect(oneLine('a\x1b[2Jb\nc\u202ed')).toBe('a\\x1b[2Jb\\nc\\u{202e}d')
    expect(terminalText('line 1\nline\t2\x07')).toBe('line 1\nline\t2\\x07')
    expect(oneLine('héllo · ✓ 日本')).toBe('héllo · ✓ 日本')
    expect(isTerminalSafe(terminalText(EVIL))).toBe(true)
  })

  it("run's headline and --verbose detail: every row one visible line", () => {
    const results = {...hostile('test/fixtures/results/compare-base.json'), reference: `container${EVIL}`}
    const head = headlineLines(results).join('\n')
    const verbose = verboseLines(results).join('\n')
    for (const text of [head, verbose]) {
      expect(text).not.toMatch(CONTROL)
      expect(noInjectedLine(text)).toBe(true)
    }
    expect(head).toContain('container\\x1b[31mred')
    expect(verbose).toContain('warning\\x1b[31mred')
  })

  it("run's progress, on a terminal and in a log", () => {
    for (const isTTY of [false, true]) {
      let out = ''
      const stream = Object.assign(new Writable({write: (c, _e, cb) => ((out += c.toString()), cb())}), {isTTY, columns: 200}) as unknown as NodeJS.WriteStream
      const saved = process.env.CI
      delete process.env.CI
      const cells = [{key: `startup/idle[label=${EVIL}]`, metric: 'startup', arms: [`container${EVIL}`], perArm: 2}]
      const p = new Progress({cells, budgetMs: 60_000}, true, stream)
      p.start([`container${EVIL}`], `scenario${EVIL}.yaml`)
      p.cellStarted(0)
      p.step(0, `container${EVIL}`, 10)
      p.step(0, `container${EVIL}`, 10)
      if (saved !== undefined) process.env.CI = saved
      // The progress line's own \r and erase-line escape are ours; nothing else may be raw.
      const ours = out.replaceAll('\r\x1b[2K', '')
      expect(ours).not.toMatch(CONTROL)
      expect(noInjectedLine(ours)).toBe(true)
    }
  })

  it('compare: table, Markdown and JUnit', () => {
    const c = compareRuns(hostile('test/fixtures/results/compare-base.json'), hostile('test/fixtures/results/compare-new.json'), {
      threshold: 0.05,
      seed: 1,
      resamples: 200,
    })
    for (const f of ['table', 'markdown', 'junit'] as const) {
      const text = formatComparison(c, f)
      expect(text, f).not.toMatch(CONTROL)
      expect(noInjectedLine(text), f).toBe(true)
    }
    // Markdown rows stay rows: the pipe inside a name is escaped, not a column.
    const md = formatComparison(c, 'markdown')
    expect(md).toContain('INJECTED \\| row')
  })

  it('claims tables (reproduce)', () => {
    const claim = {
      id: `c${EVIL}`,
      claim: `claim${EVIL}`,
      paperFigure: `≥ 10×${EVIL}`,
      expected: '≥ 9',
      verdict: 'reproduced',
      outcome: 'reproduced',
      estimate: 1,
      ci: [1, 2],
      gate: true,
    } as unknown as Parameters<typeof claimsText>[0][number]
    for (const text of [claimsText([claim]), claimsMarkdown([claim])]) {
      expect(text).not.toMatch(CONTROL)
      expect(noInjectedLine(text)).toBe(true)
    }
  })
})
