import {describe, expect, it} from 'vitest'
import type {HostRecord, Results, Sample} from '../../../src/core/results.js'
import {analyze} from '../../../src/engine/analyze.js'
import {calibrationFromResults, chunkTests, twinName} from '../../../src/engine/calibrate/analyze.js'
import {calibratedThreshold, detectPlan, findEntry} from '../../../src/engine/calibrate/lookup.js'
import {hostKey, loadCalibration, saveCalibration} from '../../../src/engine/calibrate/store.js'
import {mulberry32} from '../../../src/stats/index.js'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {resultsOf, sampleOf} from '../../helpers/results.js'

const host: HostRecord = {
  hostname: 'h',
  os: 'Debian 12',
  kernel: '6.1',
  cpu: {model: 'X', cores: 2, physicalCores: 2},
  memoryBytes: 24 * 2 ** 30,
  cgroupMode: 'hybrid',
  node: 'v20',
}

function sample(arm: string, rep: number, value: number, figure = 'ready'): Sample {
  return sampleOf({figure, arm, params: {cache: 'warm'}, rep, block: rep, value, t: rep})
}

const results = (samples: Sample[]): Results => resultsOf(samples, {runId: 'r1', host, config: {seed: 1}})

function aa(arm: string, n: number, median: number, sigma: number, seed: number): Sample[] {
  const r = mulberry32(seed)
  const v = () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()))
  return Array.from({length: n}, (_, i) => [sample(arm, i, v()), sample(twinName(arm), i, v())]).flat()
}

describe('A/A calibration', () => {
  const cal = calibrationFromResults(results([...aa('process', 12, 10, 0.05, 1), ...aa('container', 12, 30, 0.2, 2)]), host, {
    alpha: 0.05,
    power: 0.8,
    delta: 0.05,
    seed: 1,
    trials: 40,
  })

  it('one entry per figure and arm, never for the twin; the noisier arm has the higher floor', () => {
    expect(cal.entries.map((e) => e.arm)).toEqual(['process', 'container'])
    const [p, c] = cal.entries
    expect(p!.n).toBe(12)
    expect(c!.floor).toBeGreaterThan(p!.floor * 2)
    expect(p!.tests).toBe(4) // the whole run and three chunks of four blocks
  })

  it('orders the table by figure as measured, then by arm as asked for, whatever order the blocks ran in', () => {
    const arm = (name: string): Results['arms'][number] => ({name, kind: 'process', accel: 'none', versions: {}, available: true})
    const samples = [...aa('container', 6, 30, 0.2, 3), ...aa('process', 6, 10, 0.05, 4)]
    samples.push(...samples.map((s) => ({...s, params: {cache: 'cold'}}))) // a second cell, measured after the first
    const r = {...results(samples), arms: ['process', twinName('process'), 'container', twinName('container')].map(arm)}
    const entries = calibrationFromResults(r, host, {alpha: 0.05, power: 0.8, delta: 0.05, seed: 1, trials: 10}).entries
    expect(entries.map((e) => `${e.params.cache}@${e.arm}`)).toEqual(['warm@process', 'warm@container', 'cold@process', 'cold@container'])
  })

  it('counts false positives over every A/A test, with a Wilson CI', () => {
    expect(cal.falsePositives.tests).toBe(8)
    expect(cal.falsePositives.ci[0]).toBeLessThanOrEqual(cal.falsePositives.rate)
    expect(cal.falsePositives.ci[1]).toBeGreaterThan(cal.falsePositives.rate)
  })

  it('chunked A/A tests find a real step change between the halves', () => {
    const a = Array.from({length: 12}, (_, i) => ({rep: i, value: 10 + (i % 3) * 0.01}))
    const b = Array.from({length: 12}, (_, i) => ({rep: i, value: i < 6 ? 10 + (i % 3) * 0.01 : 20 + (i % 3) * 0.01}))
    const [hits, tests] = chunkTests(a, b, 4, {delta: 0.05, alpha: 0.05, seed: 1})
    expect(tests).toBe(3)
    expect(hits).toBeGreaterThanOrEqual(1)
  })

  it('is stored per host, keyed by the host facts, and a different kernel is another host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isobench-cal-'))
    try {
      saveCalibration(dir, cal)
      expect(loadCalibration(dir, host)?.entries).toHaveLength(2)
      expect(loadCalibration(dir, {...host, kernel: '6.2'})).toBeNull()
      expect(hostKey(host)).not.toBe(hostKey({...host, cpu: {...host.cpu, cores: 4}}))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('--detect: samples per cell for a change, fewer for the quiet arm', () => {
    const plan = detectPlan(cal, 0.03, {metrics: ['startup'], workloads: ['idle'], arms: ['process', 'container']})
    const by = Object.fromEntries(plan.rows.map((r) => [r.arm, r.samples]))
    expect(by.process).toBeGreaterThanOrEqual(4)
    expect(by.container).toBeGreaterThan(by.process!)
    expect(detectPlan(null, 0.03, {metrics: [], workloads: [], arms: []}).note).toMatch(/isobench calibrate/)
  })

  it('finds the entry for a cell, and the calibrated threshold shrinks with n', () => {
    const cell = {metric: 'startup', figure: 'ready', workload: 'idle', params: {cache: 'warm'}, arm: 'process'}
    expect(findEntry(cal, cell)?.arm).toBe('process')
    expect(findEntry(cal, {...cell, arm: 'qemu'})).toBeUndefined()
    expect(calibratedThreshold(cal, cell, 40)!).toBeLessThan(calibratedThreshold(cal, cell, 10)!)
  })

  it("sizes an inconclusive verdict's more runs from the calibration, not the rule of thumb", () => {
    const r = mulberry32(9)
    const noisy = (arm: string, m: number) => Array.from({length: 4}, (_, i) => sample(arm, i, m * Math.exp(0.2 * (r() - 0.5))))
    const run = results([...noisy('process', 10), ...noisy('container', 10.3)])
    analyze(run, {equivalenceDelta: 0.05, seed: 1, calibration: cal})
    const c = run.comparisons.find((x) => x.arm === 'container')!
    expect(c.verdict).toBe('inconclusive')
    expect(c.text).toMatch(/more runs per arm needed \(\d+ per arm decide it at 80% power with this host's calibrated noise\)/)
    const plain = results([...noisy('process', 10), ...noisy('container', 10.3)])
    analyze(plain, {equivalenceDelta: 0.05, seed: 1})
    expect(plain.comparisons[0]!.text).not.toMatch(/calibrated/)
  })
})
