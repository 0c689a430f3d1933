/**
 * A/A calibration on the real process and container arms, then what uses it: run --detect, the
 * inconclusive verdicts' "more runs" and compare's threshold — all through the CLI, with a state
 * dir of the test's own.
 */
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Calibration} from '../../../src/core/calibration.js'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const dir = tempDir('isobench-calibrate-')
const state = join(dir, 'state')
const out = join(dir, 'out')
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe.skipIf(!isRoot)('isobench calibrate (process and container, A/A)', () => {
  let stdout = ''
  let calibration: Calibration
  beforeAll(async () => {
    writeFileSync(
      join(dir, 's.yaml'),
      'name: gap-calibrate\nreps: 6\nwarmup: 1\nlimits: {cpus: 1, memoryMiB: 256}\nmetrics:\n  - metric: startup\n    workload: idle\n',
    )
    const r = await isobench(['calibrate', join(dir, 's.yaml'), '--arms', 'process,container', '--state-dir', state, '--out', out, '--trials', '30', '-q'])
    expect(r.exitCode, r.all).toBe(0)
    stdout = r.stdout
    const file = /calibration: +(.*\.json)/.exec(r.stdout)![1]!
    calibration = JSON.parse(readFileSync(file, 'utf8')) as Calibration
  }, 300_000)

  it('stores a table per host in the state dir: each arm against its twin, its noise floor and the false-positive rate', () => {
    expect(readdirSync(join(state, 'calibration'))).toEqual([`${calibration.hostKey}.json`])
    expect(calibration.entries.map((e) => `${e.metric}.${e.figure}@${e.arm}`)).toEqual(['startup.ready@process', 'startup.ready@container'])
    for (const e of calibration.entries) {
      expect(e.n).toBe(6)
      expect(e.floor).toBeGreaterThan(0)
      expect(e.sigma).toBeGreaterThan(0)
      expect(['equivalent', 'inconclusive', 'better', 'worse']).toContain(e.aa.verdict)
    }
    expect(calibration.falsePositives.tests).toBe(2) // per arm the whole run; six blocks make fewer than two chunks of four
    expect(stdout).toMatch(/false-positive rate of the verdict rule here: \d+ of \d+ A\/A tests/)
    const results = JSON.parse(readFileSync(/results: +(.*results\.json)/.exec(stdout)![1]!, 'utf8')) as Results
    expect(results.calibration?.hostKey).toBe(calibration.hostKey)
    expect(new Set(results.samples.map((s) => s.arm))).toEqual(new Set(['process', 'process~aa', 'container', 'container~aa']))
    expect(results.comparisons.every((c) => c.baseline === c.arm.replace('~aa', '') && c.arm.endsWith('~aa'))).toBe(true)
  })

  it('run --detect 3% says the samples per cell from it; every inconclusive verdict says how many more samples decide it', async () => {
    const r = await isobench([
      'run',
      join(dir, 's.yaml'),
      '--arms',
      'process,container',
      '--reps',
      '2',
      '--warmup',
      '0',
      '--detect',
      '3%',
      '--state-dir',
      state,
      '--out',
      out,
    ])
    expect(r.exitCode, r.all).toBe(0)
    expect(r.stdout).toMatch(/--detect 3\.0%: samples per cell \(per arm\) a 3\.0% difference needs at 80% power, from this host's calibration/)
    expect(r.stdout).toMatch(/startup\.ready +idle +container +\d+/)
    const results = JSON.parse(readFileSync(/results: +(.*results\.json)/.exec(r.stdout)![1]!, 'utf8')) as Results
    expect(results.detect!.rows.map((x) => x.arm).sort()).toEqual(['container', 'process'])
    for (const row of results.detect!.rows) expect(row.samples).toBeGreaterThanOrEqual(4)
    expect(results.calibratedBy?.hostKey).toBe(calibration.hostKey)
    const inconclusive = results.comparisons.filter((c) => c.verdict === 'inconclusive')
    expect(inconclusive.length).toBeGreaterThan(0) // two samples per arm decide nothing
    for (const c of inconclusive) expect(c.text).toMatch(/more runs per arm needed \(\d+ per arm decide it at 80% power with this host's calibrated noise\)/)
  })

  it('compare without --threshold takes the calibrated noise floor per cell', async () => {
    const runs = readdirSync(out).filter((d) => d !== 'latest' && existsSync(join(out, d, 'results.json')))
    const files = runs.map((d) => join(out, d, 'results.json'))
    const r = await isobench(['compare', files[0]!, files.at(-1)!, '--state-dir', state])
    expect([0, 1]).toContain(r.exitCode)
    expect(r.stdout).toContain(`threshold per cell from calibration ${calibration.hostKey}`)
  })
})
