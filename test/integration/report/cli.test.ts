/**
 * report, compare and export as a user runs them (the built CLI), and `isobench run` writing its
 * report next to results.json for a real run of the process arm.
 */
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {isobench, tempDir} from '../../helpers/cli.js'

const out = tempDir('isobench-report-cli-')
afterAll(() => rmSync(out, {recursive: true, force: true}))

const FIX = 'test/fixtures/results'
const BASE = `${FIX}/compare-base.json`
const NEW = `${FIX}/compare-new.json`

describe('isobench compare (a CI gate)', () => {
  it('exits 1 on a significant regression beyond the threshold and names it', async () => {
    const r = await isobench(['compare', BASE, NEW])
    expect(r.exitCode, r.all).toBe(1)
    expect(r.stdout).toMatch(/regression\s+startup\.ready idle \[cache=warm\] @ container: regression: up \d+% \[\d+–\d+%\]/)
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^FAIL: 1 significant regression beyond 5%/)
  })

  it('exits 0 when nothing regressed (a run against itself; a threshold above the change)', async () => {
    expect((await isobench(['compare', BASE, BASE])).exitCode).toBe(0)
    const r = await isobench(['compare', BASE, NEW, '--threshold', '60%'])
    expect(r.exitCode, r.all).toBe(0)
    expect(r.stdout).toMatch(/OK: no significant regression beyond 60%/)
  })

  it('writes markdown, junit and json', async () => {
    const md = await isobench(['compare', BASE, NEW, '--format', 'markdown'])
    expect(md.stdout).toMatch(/^### isobench compare: FAIL/)
    expect(md.stdout).toContain('🔴 regression')
    const junit = await isobench(['compare', BASE, NEW, '--format', 'junit'])
    expect(junit.exitCode).toBe(1)
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="isobench compare" tests="\d+" failures="1"/)
    const json = await isobench(['compare', BASE, NEW, '--json'])
    expect(json.exitCode).toBe(1)
    const parsed = JSON.parse(json.stdout) as {counts: {regression: number}; changes: unknown[]}
    expect(parsed.counts.regression).toBe(1)
  })

  it('exits 2 with one line for bad input: missing file, broken JSON with line:column, bad threshold, bad format', async () => {
    const missing = await isobench(['compare', join(out, 'nope.json'), NEW])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain(`${join(out, 'nope.json')}: results file not found`)
    const broken = join(out, 'broken.json')
    writeFileSync(broken, '{\n  "schemaVersion": 1\n  "runId": "x"\n}\n')
    const b = await isobench(['compare', broken, NEW])
    expect(b.exitCode).toBe(2)
    expect(b.stderr).toMatch(new RegExp(`${broken.replace(/[.]/g, '\\.')}:3:3: not valid JSON`))
    expect(b.stderr).not.toMatch(/\n\s+at /)
    const wrong = join(out, 'wrong.json')
    writeFileSync(wrong, JSON.stringify({schemaVersion: 1, runId: 'x', startedAt: 'now', arms: [], samples: [{metric: 'startup'}]}, null, 2))
    const w = await isobench(['compare', wrong, NEW])
    expect(w.exitCode).toBe(2)
    expect(w.stderr).toMatch(/wrong\.json:\d+:\d+: samples\[0\]\.arm: expected a string/)
    const t = await isobench(['compare', BASE, NEW, '--threshold', 'lots'])
    expect(t.exitCode).toBe(2)
    expect(t.stderr).toContain('--threshold: expected a percentage like 5%, got "lots"')
    expect((await isobench(['compare', BASE, NEW, '--format', 'pdf'])).exitCode).toBe(2)
  })
})

describe('isobench report and export', () => {
  it('writes a self-contained HTML report, with a baseline section', async () => {
    const file = join(out, 'r.html')
    const r = await isobench(['report', `${FIX}/full.json`, '--baseline', BASE, '--out', file])
    expect(r.exitCode, r.all).toBe(0)
    expect(r.stdout).toContain(`report: ${file}`)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('<section id="baseline">')
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
  })

  it('exports every sample as CSV', async () => {
    const r = await isobench(['export', `${FIX}/full.json`, '--csv'])
    expect(r.exitCode, r.all).toBe(0)
    const samples = (JSON.parse(readFileSync(`${FIX}/full.json`, 'utf8')) as {samples: unknown[]}).samples.length
    expect(r.stdout.split('\r\n').filter(Boolean)).toHaveLength(samples + 1)
    expect(r.stdout.split('\r\n')[0]).toMatch(/^run_id,metric,figure,arm,accel,workload,/)
    expect((await isobench(['export', `${FIX}/full.json`, '--format', 'csv'])).stdout).toBe(r.stdout)
    const none = await isobench(['export', `${FIX}/full.json`])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('choose a format: --format csv|customSmallerIsBetter|customBiggerIsBetter|bmf')
  })

  it('exports the JSON CI dashboards read: github-action-benchmark (one file per direction) and Bencher BMF', async () => {
    const file = join(out, 'smaller.json')
    const smaller = await isobench(['export', `${FIX}/full.json`, '--format', 'customSmallerIsBetter', '--out', file])
    expect(smaller.exitCode, smaller.all).toBe(0)
    expect(smaller.stdout).toMatch(/^customSmallerIsBetter: .*smaller\.json \(\d+ entries\)/)
    const entries = JSON.parse(readFileSync(file, 'utf8')) as Array<{name: string; value: number; unit: string}>
    expect(entries.find((e) => e.name === 'startup.ready idle · qemu[tcg]')!.unit).toBe('ms')
    const bigger = JSON.parse((await isobench(['export', `${FIX}/full.json`, '--format', 'customBiggerIsBetter'])).stdout) as Array<{unit: string}>
    expect(bigger.length).toBeGreaterThan(0)
    expect(bigger.some((e) => e.unit === 'ms')).toBe(false)
    const bmf = JSON.parse((await isobench(['export', `${FIX}/full.json`, '-f', 'bmf'])).stdout) as Record<string, Record<string, {value: number}>>
    expect(bmf['memory.pss idle [n=1, settleMs=200] · container']!['pss (MiB)']!.value).toBeGreaterThan(0)
    const bad = await isobench(['export', `${FIX}/full.json`, '--format', 'xml'])
    expect(bad.exitCode).toBe(2)
  })
})

describe('isobench run writes report.html next to results.json (real process arm)', () => {
  it('prints the report path; the report holds the run', async () => {
    const scenario = join(out, 'quick.yaml')
    writeFileSync(scenario, 'name: report-e2e\nreps: 4\nwarmup: 1\nmetrics:\n  - metric: startup\n    workload: idle\n')
    const r = await isobench(['run', scenario, '--arms', 'process', '--out', out])
    expect(r.exitCode, r.all).toBe(0)
    const results = /results: (.*results\.json)/.exec(r.stdout)![1]!
    const report = /report: +(.*report\.html)/.exec(r.stdout)![1]!
    expect(report).toBe(join(results, '..', 'report.html'))
    expect(existsSync(report)).toBe(true)
    const html = readFileSync(report, 'utf8')
    const runId = (JSON.parse(readFileSync(results, 'utf8')) as {runId: string}).runId
    expect(html).toContain(runId)
    expect(html).toMatch(/<figure class="chart answer" id="c1" data-chart="c1" data-metric="startup"><svg /) // the answer first
    expect(html).toMatch(/<figure class="chart" id="c2" data-chart="c2"><svg /)
  })
})
