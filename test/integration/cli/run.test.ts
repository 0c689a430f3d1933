import {existsSync, readFileSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const out = tempDir()
afterAll(() => rmSync(out, {recursive: true, force: true}))

function scenario(text: string): string {
  const file = join(out, `s-${Math.random().toString(16).slice(2)}.yaml`)
  writeFileSync(file, text)
  return file
}

describe('isobench run (process arm, real processes)', () => {
  it('writes results.json with positive, ordered, plausible startup samples and points latest at it', async () => {
    const file = scenario('name: t\nreps: 8\nwarmup: 1\nmetrics:\n  - metric: startup\n    workload: idle\n')
    const r = await isobench(['run', file, '--arms', 'process', '--out', out])
    expect(r.exitCode, r.all).toBe(0)
    const path = /results: (.*results\.json)/.exec(r.stdout)![1]!
    const results = JSON.parse(readFileSync(path, 'utf8')) as Results
    expect(results.schemaVersion).toBe(1)
    expect(results.status).toBe('complete')
    expect(results.host.cgroupMode).toMatch(/^(v1|v2|hybrid|none)$/)
    expect(results.tool.version).toBe('0.1.0')
    const samples = results.samples.filter((s) => s.metric === 'startup' && s.figure === 'ready')
    expect(samples).toHaveLength(9) // every raw sample kept, warm-up included and marked
    // The harness floor beside each of them (launcher → /bin/true → reaped).
    const floors = results.samples.filter((s) => s.metric === 'startup' && s.figure === 'harness_floor')
    expect(floors).toHaveLength(9)
    for (const f of floors) expect(f.value!).toBeGreaterThan(0)
    expect(samples.filter((s) => s.warmup)).toHaveLength(1)
    for (const s of samples) {
      expect(s.ok).toBe(true)
      expect(s.arm).toBe('process')
      expect(s.unit).toBe('ms')
      expect(s.value!).toBeGreaterThan(0)
      expect(s.value!).toBeLessThan(1000) // a busybox sh init: a few ms, never seconds
      expect(s.phases!.init!).toBeGreaterThan(0)
      expect(s.phases!.init!).toBeLessThanOrEqual(s.phases!.ready!)
      expect(s.phases!.ready!).toBeLessThanOrEqual(s.value! + 1e-6)
    }
    expect(readlinkSync(join(out, 'latest'))).toBe(results.runId)
  })

  it('prints machine-readable output with --json', async () => {
    const file = scenario('name: t\nreps: 2\nwarmup: 0\nmetrics:\n  - metric: startup\n')
    const r = await isobench(['run', file, '--arms', 'process', '--out', out, '--json'])
    expect(r.exitCode, r.all).toBe(0)
    const json = JSON.parse(r.stdout) as {runId: string; resultsFile: string; samples: number; summaries: unknown[]; comparisons: unknown[]}
    expect(json.samples).toBe(4) // 2 startup.ready, each with its harness_floor
    expect(existsSync(json.resultsFile)).toBe(true)
    // the figures, not only where they are: the same summaries and comparisons results.json stores
    const stored = JSON.parse(readFileSync(json.resultsFile, 'utf8')) as {summaries: unknown[]; comparisons: unknown[]}
    expect(json.summaries.length).toBeGreaterThan(0)
    expect(json.summaries).toEqual(stored.summaries)
    expect(json.comparisons).toEqual(stored.comparisons)
  })

  it('takes its state dir from --state-dir, else ISOBENCH_STATE_DIR, as every other command does', async () => {
    const file = scenario('name: t\nreps: 1\nwarmup: 0\nmetrics:\n  - metric: startup\n')
    const stateOf = async (args: string[], env: Record<string, string> = {}) => {
      const r = await isobench(['run', file, '--arms', 'process', '--out', out, '--json', ...args], {env})
      expect(r.exitCode, r.all).toBe(0)
      const {resultsFile} = JSON.parse(r.stdout) as {resultsFile: string}
      return (JSON.parse(readFileSync(resultsFile, 'utf8')) as {config: {stateDir: string}}).config.stateDir
    }
    expect(await stateOf(['--state-dir', join(out, 'flag-state')])).toBe(join(out, 'flag-state'))
    expect(await stateOf([], {ISOBENCH_STATE_DIR: join(out, 'env-state')})).toBe(join(out, 'env-state'))
  })

  it('exits 2 for an unknown --reference arm', async () => {
    const file = scenario('name: t\nreps: 1\nmetrics:\n  - metric: startup\n')
    const r = await isobench(['run', file, '--arms', 'process', '--reference', 'vmware', '--out', out])
    expect(r.exitCode).toBe(2)
    expect(r.stderr.trim()).toMatch(/^error: --reference: unknown arm "vmware"; expected one of .*process/)
  })

  it('exits 2 with one line naming file, line, field and expectation for a bad scenario — no stack trace', async () => {
    const file = scenario('name: t\nmetrics:\n  - metric: startup\n    reps: lots\n')
    const r = await isobench(['run', file, '--out', out])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain(`${file}:4:11: metrics[0].reps: expected a number, got "lots"`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 for an unknown arm, pointing at where it was named', async () => {
    const file = scenario('name: t\narms: [process, vmware]\nmetrics:\n  - metric: startup\n')
    const r = await isobench(['run', file, '--out', out])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`${file}:2:17: arms\\[1\\]: unknown arm "vmware"; expected one of .*process`))
  })

  it('exits 2 for a missing scenario file', async () => {
    const r = await isobench(['run', join(out, 'nope.yaml'), '--out', out])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('nope.yaml: scenario file not found')
  })

  it('exits 2 for an invalid bench.config.ts, naming the field', async () => {
    const cfg = join(out, 'bad.config.mjs')
    writeFileSync(cfg, 'export default {reps: -1}\n')
    const r = await isobench(['run', '--config', cfg, '--out', out])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/bad\.config\.mjs: reps: /)
  })
})
