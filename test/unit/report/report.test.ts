import {describe, expect, it} from 'vitest'
import {buildReport, ensureAnalysis} from '../../../src/report/index.js'
import {verdictsSection} from '../../../src/report/answer-section.js'
import {loadResultsFile} from '../../../src/report/load-results.js'
import {isMinority} from '../../../src/report/sections.js'
import {hostile, PAYLOAD} from '../../helpers/hostile.js'
import {buildCharts} from '../../../src/report/build-charts.js'

const full = () => loadResultsFile('test/fixtures/results/full.json')

describe('report charts', () => {
  it('draws every section of the full fixture, each chart saying which way is better and its unit', () => {
    const charts = buildCharts(full())
    const sections = new Set(charts.map((c) => c.section))
    expect([...sections]).toEqual(expect.arrayContaining(['startup', 'scaleout', 'memory', 'cpu', 'interference', 'drift']))
    for (const c of charts) {
      const spec = JSON.stringify(c.spec)
      expect(spec, c.title).toMatch(/(lower|higher) is better|depends on the figure/)
      expect(spec, c.title).not.toContain('"url"')
    }
    const titles = charts.map((c) => c.title).join('\n')
    expect(titles).toMatch(/startup phases/)
    expect(titles).toMatch(/marginal memory/)
    expect(titles).toMatch(/relative to the bare process/)
    expect(titles).toMatch(/interference: victim × aggressor/)
    expect(titles).toMatch(/scale-out: creation rate/)
  })

  it('the marginal-memory chart is coloured by arm: a slope is a size, not a verdict (qemu at 154 MiB per instance is not "equivalent")', () => {
    const chart = buildCharts(full()).find((c) => /marginal memory/.test(c.title))!
    const spec = JSON.stringify(chart.spec)
    expect(spec).toContain('"field":"arm"')
    expect(spec).not.toContain('"equivalent"')
    expect(spec).toMatch(/"arm":"qemu[^"]*"/)
  })
})

describe('report HTML', () => {
  it('has the header facts, TCG banner, parity mismatch, claims and an SVG per chart', async () => {
    const {html, charts, failedCharts} = await buildReport([full()])
    expect(failedCharts).toEqual([])
    expect(html).not.toMatch(/="[^"]*NaN/) // no chart coordinate went NaN
    expect(html.match(/<figure class="chart[ "]/g)).toHaveLength(charts)
    expect(html.match(/<figure class="chart[^"]*"[^>]*><svg /g)).toHaveLength(charts)
    expect(html).toContain('Emulated VM figures (TCG)')
    expect(html).toMatch(/qemu slower than container by \d+× \[\d+–\d+×\]<span class="tcg-note">; VM figures emulated \(TCG\)/)
    expect(html).toContain('Parity mismatch')
    expect(html).toMatch(/class="mono mismatch">sha256:99aa3d4c5b6a…/)
    expect(html).toContain('<h2>Paper claims</h2>')
    expect(html).toMatch(/qemu<\/span> 7\.2\.0/)
    expect(html).toContain('Failed samples (1, kept with value null)')
    expect(html).toMatch(/<p class="caveat">qemu: the PSS of a qemu process counts the guest kernel image \(vmlinux\)/)
    expect(html).toContain('<script type="application/json" id="isobench-results">')
    expect(html).toContain('Content-Security-Policy')
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
    const data = /<script type="application\/json" id="isobench-results">([^<]*)<\/script>/.exec(html)![1]!
    expect(JSON.parse(data)[0].samples).toHaveLength(full().samples.length)
  }, 60_000)

  it('degrades gracefully: one arm, startup only, no parity or comparisons', async () => {
    const r = full()
    r.arms = r.arms.filter((a) => a.name === 'process')
    r.samples = r.samples.filter((s) => s.arm === 'process' && s.metric === 'startup')
    r.summaries = []
    r.comparisons = []
    r.regressions = []
    delete r.parity
    delete r.claims
    const {html, failedCharts} = await buildReport([r])
    expect(failedCharts).toEqual([])
    expect(html).toContain('No comparisons in these results')
    expect(html).toContain('No parity record')
    expect(html.match(/Not measured in this run/g)).toHaveLength(4)
    expect(html).not.toContain('Emulated VM figures')
    expect(html).not.toContain('Paper claims')
  }, 60_000)

  it('escapes hostile text in every user-sourced field (string level; the Chromium test proves it live)', async () => {
    const {html} = await buildReport([hostile(full())])
    expect(html).not.toContain('<script>window.__pwned')
    expect(html).not.toContain('<img')
    expect(html).not.toMatch(/<svg onload/i)
    expect(html.match(/<script/g)).toHaveLength(2)
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;')
    expect(PAYLOAD).toContain('<script>')
  }, 60_000)

  it('marks only the parity values that differ from the majority', () => {
    expect(isMinority(['a', 'a', 'b', undefined], 'b')).toBe(true)
    expect(isMinority(['a', 'a', 'b', undefined], 'a')).toBe(false)
    expect(isMinority(['a', 'a', undefined], undefined)).toBe(false)
    expect(isMinority(['a', 'b'], 'a')).toBe(true)
  })
})

describe('several runs in one report', () => {
  it('renders one article per run with unique section and chart ids', async () => {
    const a = full()
    const b = loadResultsFile('test/fixtures/results/compare-new.json')
    const {html} = await buildReport([a, b])
    expect(html.match(/<article class="run"/g)).toHaveLength(2)
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1])
    expect(new Set(ids).size).toBe(ids.length)
    expect(html).toContain(a.runId)
    expect(html).toContain(b.runId)
  }, 60_000)
})

describe('interval charts', () => {
  it('fall back to a linear axis when a bound is not positive (log of a negative is NaN)', async () => {
    const {intervalSpec} = await import('../../../src/report/charts/intervals.js')
    const {renderSvg} = await import('../../../src/report/svg.js')
    const rows = [
      {label: 'a', value: 5, lo: 2, hi: 9, verdict: 'regression', text: 'a'},
      {label: 'b', value: 0.5, lo: -3, hi: 2, verdict: 'inconclusive', text: 'b'},
    ]
    const spec = intervalSpec({title: 't', subtitle: 'lower is better', xTitle: 'ratio', rows, reference: 1, log: true})
    expect(JSON.stringify(spec)).not.toContain('"log"')
    const svg = await renderSvg(spec)
    expect(svg).not.toContain('NaN')
    const positive = intervalSpec({title: 't', subtitle: 'lower is better', xTitle: 'ratio', rows: rows.slice(0, 1), reference: 1, log: true})
    expect(JSON.stringify(positive)).toContain('"log"')
  })
})

describe('paper claims', () => {
  it('renders claim | paper figure | our figure [CI] | verdict, coloured by outcome, TCG flagged', async () => {
    const {claimsSection} = await import('../../../src/report/claims-section.js')
    const html = claimsSection(full()).markup
    expect(html).toMatch(
      /Containers start an order of magnitude faster than VMs.*Felter et al\., ISPASS 2015.*<code>felter2015:startup<\/code> · <b>gate<\/b>/s,
    )
    expect(html).toContain('qemu/container = 328× [316–346]')
    expect(html).toContain('reproduced if ≥ 9.0')
    expect(html).toContain('qemu: VM figures emulated (TCG)')
    expect(html).toContain('<span class="badge good">reproduced</span>')
    expect(html).toContain('<span class="badge bad">not reproduced</span>')
    expect(html).toContain('<span class="badge neutral">not applicable: needs KVM</span>')
    expect(html).toContain('CI below the expected range')
    expect(html).not.toContain('samples:') // machine fields stay in the embedded data
  })
})

describe('report verdicts: the ones that differ from what isolation predicts first', () => {
  it('colours an expected verdict (container slower than process) neutral, a finding red', async () => {
    const r = full()
    await ensureAnalysis(r)
    const html = verdictsSection(r).markup
    const expected = /<details><summary>As expected \(\d+\)<\/summary>(.*?)<\/details>/s.exec(html)![1]!
    expect(expected).toMatch(/<span class="badge neutral"[^>]*>worse<\/span> startup\.ready idle: container slower than process/)
    expect(expected).not.toContain('badge bad')
    // runc slower than container: one kind of arm, apart — a finding, listed first, in red
    const top = html.slice(0, html.indexOf('<details>'))
    expect(top).toMatch(/<span class="badge bad"[^>]*>worse<\/span> startup\.ready idle: runc slower than container/)
    expect(top).not.toContain('container slower than process')
  })

  it('lists the CPU verdicts, idle burn included (its fallback figure), among the headline verdicts', async () => {
    const r = full()
    r.samples = r.samples.filter((s) => !(s.metric === 'cpu' && s.figure !== 'cpu_per_s'))
    r.summaries = []
    await ensureAnalysis(r)
    const html = verdictsSection(r).markup
    const headlinePart = html.slice(0, html.indexOf('All other comparisons'))
    expect(headlinePart).toMatch(/cpu\.cpu_per_s cpu \[windowMs=1000\]: qemu (equivalent to|higher than|lower than) container/)
  })

  it('draws startup phases as shares of each arm own time to ready, its total in the label', () => {
    const spec = JSON.stringify(buildCharts(full()).find((c) => c.title.startsWith('startup phases'))!.spec)
    expect(spec).toContain('share of the time to ready')
    expect(spec).toMatch(/"arm":"qemu \(TCG\) · \d+ ms"/)
    expect(spec).not.toContain('"independent"') // one shared axis, not one per arm
  })
})
