import {describe, expect, it} from 'vitest'
import {compareRuns, decide} from '../../../src/engine/compare-runs.js'
import {formatComparison} from '../../../src/report/compare-format.js'
import {loadResultsFile} from '../../../src/report/load-results.js'

const base = () => loadResultsFile('test/fixtures/results/compare-base.json')
const next = () => loadResultsFile('test/fixtures/results/compare-new.json')

describe('decide: verdict of one change against a threshold', () => {
  const d = (ratio: number, ci: [number, number], pValue = 0.01, direction: 'lower' | 'higher' = 'lower') =>
    decide({ratio, ci, pValue, direction, threshold: 0.05, alpha: 0.05}).verdict
  it('slower time beyond the threshold is a regression; faster is an improvement', () => {
    expect(d(1.3, [1.2, 1.4])).toBe('regression')
    expect(d(0.7, [0.6, 0.8])).toBe('improvement')
  })
  it('for higher-is-better figures the direction flips', () => {
    expect(d(0.7, [0.6, 0.8], 0.01, 'higher')).toBe('regression')
    expect(d(1.3, [1.2, 1.4], 0.01, 'higher')).toBe('improvement')
  })
  it('a CI inside ±threshold is equivalent; wide or small-but-real changes are inconclusive', () => {
    expect(d(1.01, [0.97, 1.04])).toBe('equivalent')
    expect(d(1.1, [0.9, 1.3], 0.3)).toBe('inconclusive')
    expect(d(1.03, [1.01, 1.06])).toBe('inconclusive')
    expect(d(1.3, [1.2, 1.4], 0.2)).toBe('inconclusive')
    expect(d(1, [Number.NaN, Number.NaN])).toBe('inconclusive')
  })
})

describe('compareRuns on crafted runs', () => {
  it('finds the container startup regression (30% slower) and nothing else beyond 5%', () => {
    const c = compareRuns(base(), next(), {threshold: 0.05, seed: 1, resamples: 400})
    const regressions = c.changes.filter((x) => x.verdict === 'regression')
    expect(regressions.length).toBeGreaterThan(0)
    expect(regressions.every((x) => x.arm === 'container')).toBe(true)
    const startup = c.changes.find((x) => x.metric === 'startup' && x.arm === 'container')!
    expect(startup.verdict).toBe('regression')
    expect(startup.ratio).toBeGreaterThan(1.15)
    expect(startup.ci[0]).toBeGreaterThan(1)
    expect(c.counts.regression).toBe(regressions.length)
    expect(c.warnings.join('\n')).toMatch(/qemu: VM figures emulated \(TCG\)/)
  })

  it('a run compared with itself has no regression and every cell equivalent or inconclusive', () => {
    const c = compareRuns(base(), base(), {threshold: 0.05, seed: 1, resamples: 300})
    expect(c.counts.regression + c.counts.improvement).toBe(0)
    expect(c.counts.equivalent).toBeGreaterThan(c.changes.length / 2)
    expect(c.onlyInBase).toEqual([])
  })

  it('warns when an arm changed acceleration and lists cells present in one run only', () => {
    const b = base()
    const n = next()
    n.arms.find((a) => a.name === 'qemu')!.accel = 'kvm'
    n.samples = n.samples.filter((s) => s.metric !== 'interference')
    const c = compareRuns(b, n, {threshold: 0.05, resamples: 200})
    expect(c.warnings.join('\n')).toMatch(/qemu ran with accel tcg in the base run and kvm in the new run/)
    expect(c.onlyInBase.some((x) => x.startsWith('interference.'))).toBe(true)
  })
})

describe('formats', () => {
  const c = compareRuns(base(), next(), {threshold: 0.05, seed: 1, resamples: 300})
  it('table ends with the gate line', () => {
    expect(formatComparison(c, 'table').trim().split('\n').at(-1)).toMatch(/^FAIL: \d+ significant regressions? beyond 5%/)
  })
  it('markdown is a table whose cells cannot break it or inject HTML', () => {
    const evil = {...c, changes: [{...c.changes[0]!, workload: 'a|b<img src=x>'}]}
    const md = formatComparison(evil, 'markdown')
    expect(md).toContain('| figure | workload |')
    expect(md).toContain('a\\|b&lt;img src=x&gt;')
    expect(md).not.toContain('<img')
  })
  it('junit has one testcase per cell, failures for regressions and escapes text', () => {
    const evil = {...c, changes: c.changes.map((x, i) => (i === 0 ? {...x, arm: '"><x & y'} : x))}
    const xml = formatComparison(evil, 'junit')
    expect(xml.match(/<testcase /g)).toHaveLength(c.changes.length)
    expect(xml.match(/<failure /g)).toHaveLength(c.counts.regression)
    expect(xml).toContain(`failures="${c.counts.regression}"`)
    expect(xml).toContain('&quot;&gt;&lt;x &amp; y')
  })
  it('json round-trips with NaN as null', () => {
    const parsed = JSON.parse(formatComparison(c, 'json'))
    expect(parsed.changes).toHaveLength(c.changes.length)
    expect(parsed.threshold).toBe(0.05)
  })
})

describe('a base median of 0 (idle CPU)', () => {
  it('compares the difference of medians instead of a ratio', () => {
    const b = base()
    const n = next()
    const zero = (r: typeof b, v: (i: number) => number) => {
      let i = 0
      for (const s of r.samples) if (s.metric === 'cpu' && s.figure === 'cpu_per_s' && s.arm === 'process') s.value = v(i++)
    }
    zero(b, () => 0)
    zero(n, (i) => 0.05 + i * 0.001)
    const c = compareRuns(b, n, {threshold: 0.05, resamples: 300})
    const cell = c.changes.find((x) => x.metric === 'cpu' && x.figure === 'cpu_per_s' && x.arm === 'process')!
    expect(cell.basis).toBe('difference')
    expect(cell.difference).toBeGreaterThan(0.04)
    expect(cell.verdict).toBe('regression')
    expect(formatComparison(c, 'table')).toMatch(/Δ \+0\.05\d* cores \[/)
  })
})

describe('a signed figure below 0 (host memory delta)', () => {
  it('compares the difference, so going from −2 MiB to +0.1 MiB is more memory (a regression), not "−105%, improvement"', () => {
    const b = base()
    const n = next()
    const set = (r: typeof b, v: (i: number) => number) => {
      let i = 0
      for (const s of r.samples) if (s.metric === 'cpu' && s.figure === 'cpu_per_s' && s.arm === 'process') s.value = v(i++)
    }
    set(b, (i) => -2 - (i % 3) * 0.05)
    set(n, (i) => 0.1 + (i % 3) * 0.01)
    const c = compareRuns(b, n, {threshold: 0.05, resamples: 300})
    const cell = c.changes.find((x) => x.metric === 'cpu' && x.figure === 'cpu_per_s' && x.arm === 'process')!
    expect(cell.basis).toBe('difference')
    expect(cell.difference).toBeGreaterThan(2)
    expect(cell.verdict).toBe('regression')
    expect(cell.text).toContain('a median below 0')
  })
})
