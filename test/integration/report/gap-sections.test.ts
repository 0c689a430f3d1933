/// <reference lib="dom" />
/**
 * The "explain the gap" sections as a person sees them, in headless Chromium (Debian's, driven by
 * playwright-core), from results files real runs on these machines wrote (test/fixtures/results/gap-*.json,
 * the results.json of, in turn:
 *   isobench run scenarios/explain.yaml --arms process,container,qemu
 *   isobench calibrate --arms process,container,qemu --reps 6
 *   isobench capacity --slo 'startup.p99<10s' --arms process,container,qemu --max-instances 32 --reps 2
 * on 2026-11-30, TCG, with other builds busy on the host; the first after the cgroup CPU-runtime change): where the time and memory go, provenance,
 * calibration and capacity — every chart drawn, the tables filled, every arm's column on screen, no
 * console error, no request, and hostile text kept as text.
 */
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Page} from 'playwright-core'
import {describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {buildReport} from '../../../src/report/index.js'
import {loadResultsFile} from '../../../src/report/load-results.js'
import {hostile} from '../../helpers/hostile.js'
import {CHROMIUM, OUTPUT, useChromium} from '../../helpers/chromium.js'

const fixture = (name: string) => loadResultsFile(`test/fixtures/results/gap-${name}.json`)

describe.skipIf(!existsSync(CHROMIUM))('explain-the-gap report sections in headless Chromium', () => {
  const {browser, dir} = useChromium('isobench-gap-report-')

  async function open(results: Results, name: string, csp = true): Promise<{page: Page; errors: string[]; requests: string[]; close(): Promise<void>}> {
    const {html, failedCharts} = await buildReport([results])
    expect(failedCharts).toEqual([])
    const file = join(dir, `${name}.html`)
    writeFileSync(file, csp ? html : html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''))
    const context = await browser().newContext({viewport: {width: 1200, height: 900}, offline: true})
    const requests: string[] = []
    await context.route('**/*', async (route) => {
      requests.push(route.request().url())
      if (route.request().url().startsWith('file:')) await route.continue()
      else await route.abort('blockedbyclient')
    })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(`file://${file}`, {waitUntil: 'load'})
    return {page, errors, requests, close: () => context.close()}
  }

  /** The charts inside a section: each an SVG with marks and a real size. */
  async function charts(page: Page, section: string): Promise<Array<{id: string; marks: number; width: number; height: number}>> {
    return page.$$eval(`${section} figure.chart`, (els) =>
      els.map((el) => {
        const svg = el.querySelector('svg')
        const box = svg?.getBoundingClientRect()
        return {id: el.id, marks: svg ? svg.querySelectorAll('path, rect, line, text, circle').length : 0, width: box?.width ?? 0, height: box?.height ?? 0}
      }),
    )
  }

  function drawn(list: Array<{id: string; marks: number; width: number; height: number}>): void {
    for (const c of list) {
      expect(c.marks, c.id).toBeGreaterThan(10)
      expect(c.width, c.id).toBeGreaterThan(100)
      expect(c.height, c.id).toBeGreaterThan(40)
    }
  }

  it('where the time and memory go: memory parts per arm, each comparison split by its counters, what is not counted here', async () => {
    const results = fixture('attribution')
    const v = await open(results, 'attribution')
    try {
      const section = v.page.locator('#r0-attribution')
      const list = await charts(v.page, '#r0-attribution')
      expect(list.length).toBe(1 + results.attribution!.cells!.length) // memory parts, then one per comparison cell
      drawn(list)
      const text = await section.innerText()
      expect(text).toContain('Where the time and memory go')
      expect(text).toMatch(/vCPU threads \d+% of qemu's VMM CPU/)
      expect(text).toContain('not available: the VM runs under TCG')
      expect(await section.locator('.attribution-cell').count()).toBe(results.attribution!.cells!.length)
      await section.locator('details summary', {hasText: 'Memory per instance by part'}).click()
      expect(await section.locator('table', {hasText: 'guest-touched RAM'}).first().innerText()).toContain('TCG translation cache')
      expect(await v.page.locator('nav a[href="#r0-attribution"]').count()).toBe(1)
      expect(v.errors).toEqual([])
      expect(v.requests.filter((u) => !u.startsWith('file:'))).toEqual([])
      await section.screenshot({path: join(OUTPUT, 'report-gap-attribution.png')})
    } finally {
      await v.close()
    }
  })

  it('provenance: the preflight with its fixes, host and arms side by side, the differences judged', async () => {
    const results = fixture('attribution')
    const v = await open(results, 'provenance')
    try {
      const section = v.page.locator('#provenance')
      const text = await section.innerText()
      expect(text).toContain('Provenance: preflight and arm diff')
      for (const arm of Object.keys(results.provenance!.arms)) expect(await section.locator('thead th', {hasText: arm}).count()).toBeGreaterThan(0)
      expect(text).toContain(results.provenance!.arms.qemu!.facts['kernel.version']!)
      expect(text).toContain('CPU limit in force')
      for (const w of results.provenance!.preflight.warnings) expect(text).toContain(w.fix)
      expect(await section.locator('td.differs').count()).toBeGreaterThan(0) // the VM's own kernel
      expect(await section.locator('.badge', {hasText: 'recorded'}).count()).toBeGreaterThan(0)
      // Every arm's column is on screen: long facts (command lines) wrap instead of pushing arms out of view.
      expect(await section.locator('table.facts').evaluate((t) => t.scrollWidth <= t.clientWidth + 1)).toBe(true)
      expect(v.errors).toEqual([])
      await section.screenshot({path: join(OUTPUT, 'report-gap-provenance.png')})
    } finally {
      await v.close()
    }
  })

  it('calibration: the noise floor chart and the table, with the false-positive rate and its CI', async () => {
    const results = fixture('calibration')
    const v = await open(results, 'calibration')
    try {
      const section = v.page.locator('#r0-calibration')
      const list = await charts(v.page, '#r0-calibration')
      expect(list).toHaveLength(1)
      drawn(list)
      const text = await section.innerText()
      expect(text).toMatch(/False-positive rate of the verdict rule on this host: \d+ of \d+ A\/A tests/)
      expect(await section.locator('tbody tr').count()).toBe(results.calibration!.entries.length)
      expect(v.errors).toEqual([])
      await section.screenshot({path: join(OUTPUT, 'report-gap-calibration.png')})
    } finally {
      await v.close()
    }
  })

  it('capacity: N per arm with its CI and what bound it, a chart per SLO, every step', async () => {
    const results = fixture('capacity')
    const v = await open(results, 'capacity')
    try {
      const section = v.page.locator('#r0-capacity')
      const list = await charts(v.page, '#r0-capacity')
      expect(list).toHaveLength(results.capacity!.slos.length)
      drawn(list)
      const rows = await section.locator('table').first().locator('tbody tr').allInnerTexts()
      expect(rows).toHaveLength(results.capacity!.results.length)
      for (const r of results.capacity!.results) expect(rows.some((row) => row.includes(String(r.n)) && row.includes(`${r.ci[0]}–${r.ci[1]}`))).toBe(true)
      await section.locator('details summary', {hasText: 'Every step'}).click()
      expect(await section.locator('details tbody tr').count()).toBe(results.capacity!.results.reduce((n, r) => n + r.steps.length, 0))
      expect(v.errors).toEqual([])
      await section.screenshot({path: join(OUTPUT, 'report-gap-capacity.png')})
    } finally {
      await v.close()
    }
  })

  it('hostile text in these sections stays text: nothing executes, no element is injected', async () => {
    for (const name of ['attribution', 'calibration', 'capacity']) {
      const v = await open(hostile(fixture(name)), `hostile-${name}`, false)
      try {
        const state = await v.page.evaluate(() => ({pwned: (window as unknown as {__pwned?: number}).__pwned, imgs: document.querySelectorAll('img').length}))
        expect(state, name).toEqual({pwned: undefined, imgs: 0})
        expect(await v.page.locator('body').innerText()).toContain('<script>window.__pwned=1</script>')
      } finally {
        await v.close()
      }
    }
  })
})
