/// <reference lib="dom" />
/**
 * The report as a person sees it: headless Chromium (Debian's, driven by playwright-core) opens the
 * generated file offline. Every chart must be drawn (an SVG with marks and a real size), no console
 * error, no request other than the file itself, and hostile text must stay text — with the page's
 * Content-Security-Policy removed, so the escaping alone is what is tested.
 */
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Page} from 'playwright-core'
import {describe, expect, it} from 'vitest'
import {buildReport} from '../../../src/report/index.js'
import {loadResultsFile} from '../../../src/report/load-results.js'
import {hostile, PAYLOAD} from '../../helpers/hostile.js'
import {isobench} from '../../helpers/cli.js'
import {CHROMIUM, OUTPUT, useChromium} from '../../helpers/chromium.js'

interface Visit {
  page: Page
  requests: string[]
  consoleErrors: string[]
  dialogs: string[]
  close(): Promise<void>
}

describe.skipIf(!existsSync(CHROMIUM))('report in headless Chromium (needs Debian chromium: isobench setup)', () => {
  const {browser, dir} = useChromium('isobench-report-')

  async function visit(file: string): Promise<Visit> {
    const context = await browser().newContext({viewport: {width: 1200, height: 900}, offline: true})
    const requests: string[] = []
    const consoleErrors: string[] = []
    const dialogs: string[] = []
    await context.route('**/*', async (route) => {
      const url = route.request().url()
      requests.push(url)
      if (url.startsWith('file:')) await route.continue()
      else await route.abort('blockedbyclient')
    })
    const page = await context.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })
    page.on('pageerror', (e) => consoleErrors.push(String(e)))
    page.on('dialog', async (d) => {
      dialogs.push(d.message())
      await d.dismiss()
    })
    await page.goto(`file://${file}`, {waitUntil: 'load'})
    return {page, requests, consoleErrors, dialogs, close: () => context.close()}
  }

  it('draws every chart of the full fixture offline, with no request and no console error', async () => {
    const {html, charts, failedCharts} = await buildReport([loadResultsFile('test/fixtures/results/full.json')], {
      baseline: loadResultsFile('test/fixtures/results/compare-base.json'),
    })
    expect(failedCharts).toEqual([])
    const file = join(dir, 'report.html')
    writeFileSync(file, html)
    const v = await visit(file)
    try {
      const figures = await v.page.$$eval('figure.chart', (els) =>
        els.map((el) => {
          const svg = el.querySelector('svg')
          const box = svg?.getBoundingClientRect()
          return {
            id: el.id,
            hasSvg: !!svg,
            marks: svg ? svg.querySelectorAll('path, rect, line, text, circle').length : 0,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
          }
        }),
      )
      expect(figures).toHaveLength(charts)
      expect(figures.length).toBeGreaterThanOrEqual(15)
      for (const f of figures) {
        expect(f.hasSvg, f.id).toBe(true)
        expect(f.marks, f.id).toBeGreaterThan(10)
        expect(f.width, f.id).toBeGreaterThan(100)
        expect(f.height, f.id).toBeGreaterThan(40)
      }
      const sections = await v.page.$$eval('section[id]', (els) => els.map((e) => e.id))
      expect(sections).toEqual(
        expect.arrayContaining([
          'headline',
          'verdicts',
          'baseline',
          'host',
          'arms',
          'parity',
          'warnings',
          'claims',
          'r0-startup',
          'r0-scaleout',
          'r0-memory',
          'r0-cpu',
          'r0-interference',
          'r0-drift',
          'failures',
          'data',
        ]),
      )
      expect(await v.page.locator('.banner.tcg').innerText()).toContain('TCG')
      expect(await v.page.locator('td.mismatch').count()).toBeGreaterThan(0)
      const embedded = await v.page.evaluate(() => JSON.parse(document.getElementById('isobench-specs')!.textContent!))
      expect(Object.keys(embedded)).toHaveLength(charts)
      expect(v.consoleErrors).toEqual([])
      expect(v.requests.filter((u) => !u.startsWith('file:'))).toEqual([])
      await v.page.screenshot({path: join(OUTPUT, 'report-full.png'), fullPage: true})
    } finally {
      await v.close()
    }
  })

  it('answers first: the headline section leads the run and holds one chart per metric, every arm on it, the reference marked', async () => {
    const results = loadResultsFile('test/fixtures/results/full.json')
    const metrics = ['startup', 'scaleout', 'memory', 'cpu', 'interference']
    expect([...new Set(results.samples.map((s) => s.metric))].sort()).toEqual([...metrics].sort())
    const {html, failedCharts} = await buildReport([results])
    expect(failedCharts).toEqual([])
    const file = join(dir, 'answer.html')
    writeFileSync(file, html)
    const v = await visit(file)
    try {
      const first = await v.page.$eval('article.run', (a) => a.querySelector('section')!.id)
      expect(first).toBe('headline')
      const charts = await v.page.$$eval('#headline figure.chart', (els) =>
        els.map((el) => {
          const svg = el.querySelector('svg')!
          const box = svg.getBoundingClientRect()
          return {
            metric: el.getAttribute('data-metric'),
            marks: svg.querySelectorAll('path, rect, line, text, circle').length,
            width: box.width,
            height: box.height,
            text: Array.from(svg.querySelectorAll('text'), (t) => t.textContent).join('|'),
          }
        }),
      )
      expect(charts.map((c) => c.metric)).toEqual(metrics)
      for (const c of charts) {
        expect(c.marks, c.metric!).toBeGreaterThan(10)
        expect(c.width, c.metric!).toBeGreaterThan(300)
        expect(c.height, c.metric!).toBeGreaterThan(100)
      }
      // Every arm on the startup chart's one axis, the reference named, each other arm's ratio to it with its CI.
      for (const arm of ['process', 'container', 'runc', 'crun', 'qemu (TCG)']) expect(charts[0]!.text).toContain(arm)
      expect(charts[0]!.text).toContain('vs container (reference)')
      expect(charts[0]!.text.match(/\d× \[[\d.]+–[\d.]+\]/g)).toHaveLength(4)
      expect(charts[4]!.text).toContain('vs solo (same arm)')
      // Then the verdicts, expected ones neutral: none of "As expected" is red.
      expect(await v.page.$eval('article.run', (a) => Array.from(a.querySelectorAll('section'), (s) => s.id).slice(0, 2))).toEqual(['headline', 'verdicts'])
      expect(await v.page.locator('#verdicts details:has(summary:text-matches("^As expected")) .badge.bad').count()).toBe(0)
      expect(await v.page.locator('#verdicts details:has(summary:text-matches("^As expected")) .badge.neutral').count()).toBeGreaterThan(0)
      expect(v.consoleErrors).toEqual([])
      await v.page.locator('#headline').screenshot({path: join(OUTPUT, 'report-answer.png')})
    } finally {
      await v.close()
    }
  })

  it('opens the report `isobench run` wrote for a real run (process arm), every chart drawn, no console error', async () => {
    writeFileSync(join(dir, 's.yaml'), 'name: chromium-e2e\nreps: 4\nwarmup: 1\nmetrics:\n  - metric: startup\n    workload: idle\n')
    const r = await isobench(['run', join(dir, 's.yaml'), '--arms', 'process', '--out', dir])
    expect(r.exitCode, r.all).toBe(0)
    const report = /report: +(.*report\.html)/.exec(r.stdout)![1]!
    const v = await visit(report)
    try {
      const figures = await v.page.$$eval('figure.chart svg', (els) => els.map((el) => el.querySelectorAll('path, rect, line, text').length))
      expect(figures.length).toBeGreaterThanOrEqual(4) // the answer, distribution, phases, drift
      expect(await v.page.$$eval('#headline figure.chart', (els) => els.map((e) => e.getAttribute('data-metric')))).toEqual(['startup'])
      for (const marks of figures) expect(marks).toBeGreaterThan(10)
      expect(v.consoleErrors).toEqual([])
      expect(v.requests.filter((u) => !u.startsWith('file:'))).toEqual([])
      await v.page.screenshot({path: join(OUTPUT, 'report-real-run.png'), fullPage: true})
    } finally {
      await v.close()
    }
  })

  it('hostile text in every user-sourced field stays text: nothing executes, no element is injected', async () => {
    const {html, failedCharts} = await buildReport([hostile(loadResultsFile('test/fixtures/results/full.json'))])
    expect(failedCharts).toEqual([])
    // Test the escaping itself, not the CSP behind it.
    const withoutCsp = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
    expect(withoutCsp).not.toContain('Content-Security-Policy')
    const file = join(dir, 'hostile.html')
    writeFileSync(file, withoutCsp)
    const v = await visit(file)
    try {
      const state = await v.page.evaluate(() => ({
        pwned: (window as unknown as {__pwned?: number}).__pwned,
        imgs: document.querySelectorAll('img').length,
        scripts: Array.from(document.querySelectorAll('script'), (s) => s.type),
        svgOnload: document.querySelectorAll('svg[onload]').length,
        text: document.body.innerText,
        title: document.title,
      }))
      expect(state.pwned).toBeUndefined()
      expect(v.dialogs).toEqual([])
      expect(state.imgs).toBe(0)
      expect(state.svgOnload).toBe(0)
      expect(state.scripts).toEqual(['application/json', 'application/json'])
      expect(state.text).toContain('<script>window.__pwned=1</script>')
      expect(state.title).toContain('<script>')
      expect(v.requests.filter((u) => !u.startsWith('file:'))).toEqual([])
      // The embedded data still parses back to the hostile strings.
      const arm = await v.page.evaluate(() => JSON.parse(document.getElementById('isobench-results')!.textContent!)[0].arms[0].name)
      expect(arm).toBe(`process${PAYLOAD}`)
      await v.page.screenshot({path: join(OUTPUT, 'report-hostile.png')})
    } finally {
      await v.close()
    }
  })
})
