/**
 * isobench capacity on the real arms: the largest N meeting a startup SLO per arm (process up to the
 * cap, a TCG VM none under 1 s), the memory guard refusing before it starts anything, and a victim
 * degradation SLO through the interference machinery.
 */
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64')
const dir = tempDir('isobench-capacity-')
afterAll(() => rmSync(dir, {recursive: true, force: true}))

async function capacity(args: string[]): Promise<Results> {
  const r = await isobench(['capacity', ...args, '--state-dir', join(dir, 'state'), '--out', join(dir, 'out'), '-q'])
  expect(r.exitCode, r.all).toBe(0)
  return JSON.parse(readFileSync(/results: +(.*results\.json)/.exec(r.stdout)![1]!, 'utf8')) as Results
}

describe.skipIf(!isRoot)('isobench capacity', () => {
  it.skipIf(!hasQemu)('startup.p99<1s per arm: doubling to the cap for processes, N with its CI and what bound it', async () => {
    const results = await capacity(['--slo', 'startup.p99<1s', '--arms', 'process,container,qemu', '--max-instances', '4', '--reps', '2'])
    const by = Object.fromEntries(results.capacity!.results.map((r) => [r.arm, r]))
    expect(by.process).toMatchObject({n: 4, boundBy: 'the instance cap (4)'})
    expect(by.process!.steps.map((s) => s.n)).toEqual([1, 2, 4])
    for (const r of Object.values(by)) {
      expect(r.ci[0]).toBeLessThanOrEqual(r.n)
      expect(r.ci[1]).toBeGreaterThanOrEqual(r.n)
      for (const s of r.steps) {
        const v = s.values['startup.p99']!
        expect(v.ci[0]).toBeLessThanOrEqual(v.value)
        expect(v.ci[1]).toBeGreaterThanOrEqual(v.value)
      }
    }
    expect(by.container!.n).toBeGreaterThanOrEqual(1)
    if (results.arms.find((a) => a.name === 'qemu')?.accel === 'tcg') {
      // A TCG guest boots in seconds: not even one meets a 1 s p99.
      expect(by.qemu).toMatchObject({n: 0})
      expect(by.qemu!.boundBy).toMatch(/^startup\.p99<1s \(\d+ ms/)
    }
    // Every step's samples are kept, as in any run.
    expect(results.samples.filter((s) => s.metric === 'scaleout' && s.figure === 'ready_p99').length).toBeGreaterThanOrEqual(2 * 3)
  })

  it('stops before host memory would run out: nothing is started', async () => {
    const results = await capacity(['--slo', 'startup.p99<1s', '--arms', 'process', '--memory-reserve', '1000T'])
    const r = results.capacity!.results[0]!
    expect(r).toMatchObject({n: 0, steps: []})
    expect(r.boundBy).toMatch(/^host memory: 1 instances × \d+ MiB = \d+ MiB would leave less than the \d+ MiB reserve/)
    expect(results.samples).toEqual([])
  })

  it('victim.degradation through the interference machinery: the victim alone and next to N instances', async () => {
    const results = await capacity(['--slo', 'victim.degradation<1000%', '--arms', 'process', '--max-instances', '2', '--reps', '1'])
    const r = results.capacity!.results[0]!
    expect(r.n).toBe(2)
    for (const s of r.steps) expect(Number.isFinite(s.values['victim.degradation']!.value)).toBe(true)
    const victim = results.samples.filter((s) => s.metric === 'interference' && s.ok)
    expect(new Set(victim.map((s) => s.params.placement))).toEqual(new Set(['solo', 'colocated']))
    expect(new Set(victim.map((s) => s.params.intensity))).toEqual(new Set([1, 2]))
  })
})
