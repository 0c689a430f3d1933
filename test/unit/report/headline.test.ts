/**
 * The headline (the terminal summary and the report's first section): blocks in the metric registry's
 * order, arms in the arm registry's, every number read from the stored analysis (a ratio to the
 * reference stored the other way round is read inverted, exactly), one screen of text.
 */
import {describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {analyze} from '../../../src/engine/analyze.js'
import {headline} from '../../../src/report/headline.js'
import {expectation} from '../../../src/report/versus.js'
import {ensureAnalysis} from '../../../src/report/index.js'
import {loadResultsFile} from '../../../src/report/load-results.js'
import {clean, headlineLines, valueText, verboseLines, warningsLine} from '../../../src/report/terminal.js'

async function full(): Promise<Results> {
  const r = loadResultsFile('test/fixtures/results/full.json')
  await ensureAnalysis(r)
  return r
}

describe('expectation: what isolation predicts', () => {
  it.each([
    ['worse', 1, 0, 'expected'], // container slower than process
    ['equivalent', 2, 1, 'expected'], // a VM as fast as a container
    ['better', 2, 1, 'finding'], // a VM faster than a container
    ['better', 0, 1, 'expected'], // process faster than container
    ['worse', 0, 1, 'finding'], // process slower than container
    ['worse', 1, 1, 'finding'], // runc slower than container: same kind, apart
    ['equivalent', 1, 1, 'expected'],
    ['inconclusive', 2, 0, 'inconclusive'],
    ['worse', undefined, 1, 'finding'], // a kind the table does not know predicts nothing
  ] as const)('%s with levels %s vs %s is %s', (verdict, a, b, want) => {
    expect(expectation(verdict, a, b)).toBe(want)
  })

  it('calls any change next to an aggressor a finding, none expected', () => {
    expect(expectation('worse', 1, 1, 'interference')).toBe('finding')
    expect(expectation('equivalent', 1, 1, 'interference')).toBe('expected')
  })
})

describe('headline', () => {
  it('has one block per metric in registry order, the arms in registry order, the reference marked', async () => {
    const r = await full()
    const blocks = headline(r)
    expect(blocks.map((b) => b.metric)).toEqual(['startup', 'scaleout', 'memory', 'cpu', 'interference'])
    const startup = blocks[0]!
    expect(startup.rows.map((x) => x.arm)).toEqual(['process', 'container', 'runc', 'crun', 'qemu'])
    expect(startup.rows.map((x) => x.label)).toContain('qemu (TCG)')
    expect(startup.rows.filter((x) => x.reference).map((x) => x.arm)).toEqual(['container'])
    expect(startup.figure).toBe('ready')
    // memory: per instance at the smallest N, and the marginal slope beside it
    const memory = blocks[2]!
    expect(memory.params.n).toBe(1)
    expect(memory.extraColumns[0]!.title).toBe('marginal pss')
    expect(memory.rows.every((x) => x.extras[0] !== undefined)).toBe(true)
    // interference: co-located vs solo, the solo median beside it
    expect(blocks[4]!.against).toBe('solo')
    expect(blocks[4]!.extraColumns[0]!.title).toBe('solo')
  })

  it('reads process vs container as the stored container vs process, inverted exactly', async () => {
    const r = await full()
    const row = headline(r)[0]!.rows.find((x) => x.arm === 'process')!
    const stored = r.comparisons.find((c) => c.metric === 'startup' && c.arm === 'container' && c.baseline === 'process')!
    expect(row.versus!.inverted).toBe(true)
    expect(row.versus!.ratio).toBeCloseTo(1 / stored.ratio, 12)
    expect(row.versus!.ci![0]).toBeCloseTo(1 / stored.ci[1], 12)
    expect(row.versus!.ci![1]).toBeCloseTo(1 / stored.ci[0], 12)
    expect(row.versus!.verdict).toBe(stored.verdict === 'worse' ? 'better' : stored.verdict)
    const qemu = headline(r)[0]!.rows.find((x) => x.arm === 'qemu')!
    expect(qemu.versus!.inverted).toBe(false)
    expect(qemu.versus!.comparison.baseline).toBe('container')
  })

  it('follows another reference arm', async () => {
    const r = await full()
    analyze(r, {equivalenceDelta: 0.05, seed: 1, reference: 'process'})
    const startup = headline(r)[0]!
    expect(startup.reference).toBe('process')
    expect(startup.rows.find((x) => x.reference)!.arm).toBe('process')
    expect(startup.rows.find((x) => x.arm === 'container')!.versus!.inverted).toBe(false)
  })

  it('headlines idle CPU burn when the cell has no throughput (the fallback figure)', async () => {
    const r = await full()
    for (const s of r.samples) if (s.metric === 'cpu' && s.figure !== 'cpu_per_s') s.metric = 'gone'
    analyze(r, {equivalenceDelta: 0.05, seed: 1})
    expect(headline(r).find((b) => b.metric === 'cpu')!.figure).toBe('cpu_per_s')
  })
})

describe('terminal text', () => {
  it('fits one screen for the full fixture and prints every number from the analysis', async () => {
    const r = await full()
    const lines = headlineLines(r)
    expect(lines.length).toBeLessThanOrEqual(40)
    expect(lines[0]).toMatch(/^fixture-all-sections: complete in \d+m\d+s · 5 arms · reference container · qemu under TCG/)
    const startup = lines.indexOf(lines.find((l) => l.startsWith('Startup · ready · idle'))!)
    expect(lines.slice(startup + 1, startup + 6).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['process', 'container', 'runc', 'crun', 'qemu (TCG)'])
    const s = r.summaries.find((x) => x.metric === 'startup' && x.arm === 'runc')!
    expect(lines[startup + 3]).toContain(valueText({value: s.median, ci: s.medianCi!, unit: 'ms'}))
    expect(lines[startup + 2]).toContain('reference')
    expect(lines.some((l) => /^warnings: \d+ outlier flags in \d+ cells/.test(l))).toBe(true)
    expect(lines.join('\n')).not.toContain('timeoutMs') // no default nobody set
  })

  it('prints ± the half-width of the median CI at the median precision, – for an undefined CoV', async () => {
    expect(valueText({value: 4.1, ci: [3.97, 4.23], unit: 'ms'})).toBe('4.10 ± 0.13 ms')
    expect(valueText({value: 2558, ci: [2114, 3002], unit: 'ms'})).toBe('2558 ± 444 ms')
    expect(valueText({value: 204.1, ci: [204.0, 204.2], unit: 'MiB'})).toBe('204 ± 0.1 MiB')
    expect(valueText({value: 3, ci: null, unit: 'ms'})).toBe('3.00 ms')
    const r = await full()
    const startup = (arm: string) => r.summaries.find((x) => x.metric === 'startup' && x.arm === arm)!
    startup('process').cov = Number.NaN
    startup('container').cov = null as unknown as number // as JSON gives NaN back
    const verbose = verboseLines(r)
    const row = (arm: string) => verbose.find((l) => l.startsWith('startup.ready') && l.split(/\s+/)[2] === arm)!
    expect(row('process')).toMatch(/\s–\s+ms$/)
    expect(row('container')).toMatch(/\s–\s+ms$/)
    expect(row('runc')).toMatch(/\s\d+\.\d%\s+ms$/)
    // rows of a cell in the arm order
    expect(verbose.filter((l) => l.startsWith('startup.ready ')).map((l) => l.split(/\s+/)[2])).toEqual(['process', 'container', 'runc', 'crun', 'qemu'])
  })

  it('counts warnings instead of listing them', async () => {
    const r = await full()
    r.warnings.push({code: 'arm-unavailable', arm: 'lxc', message: 'lxc skipped: not installed'})
    r.warnings.push({code: 'budget-exhausted', message: 'budget spent'})
    expect(warningsLine(r)).toMatch(
      /^warnings: \d+ outlier flags in \d+ cells \(kept\) · \d+ failed samples? in \d+ cells? · skipped: lxc · budget-exhausted — /,
    )
  })

  it('makes terminal control sequences in names visible (core/text.ts oneLine), never raw', () => {
    expect(clean('qemu\x1b[2J\x1b]0;pwned\x07\u202e')).toBe('qemu\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}')
  })
})
