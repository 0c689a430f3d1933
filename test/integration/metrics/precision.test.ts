import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const out = tempDir()
afterAll(() => rmSync(out, {recursive: true, force: true}))

async function run(args: string[], scenario: string): Promise<Results> {
  const file = join(out, `s-${Math.random().toString(16).slice(2)}.yaml`)
  writeFileSync(file, scenario)
  const r = await isobench(['run', file, '--arms', 'process', '--out', out, ...args])
  expect(r.exitCode, r.all).toBe(0)
  return JSON.parse(readFileSync(/results: (.*results\.json)/.exec(r.stdout)![1]!, 'utf8')) as Results
}

describe('isobench run --precision (adaptive sampling, real process arm)', () => {
  it('stops a cell once the CI half-width is below the target and says so', async () => {
    const r = await run(['--precision', '40%'], 'name: p\nreps: 30\nwarmup: 0\nmetrics:\n  - metric: memory\n    params: {settleMs: 50}\n')
    expect(r.stopReason).toBe('precision')
    const cell = r.precision!.cells[0]!
    expect(r.precision!.target).toBe(0.4)
    expect(cell).toMatchObject({cell: 'memory/idle[settleMs=50]', reached: true, stoppedBy: 'precision'})
    expect(cell.worstRelHalfWidth!).toBeLessThan(0.4)
    expect(cell.reps).toBeLessThan(30) // PSS of an idle busybox barely moves: far fewer than 30 reps
    expect(cell.reps).toBeGreaterThanOrEqual(5)
    expect(r.summaries.find((s) => s.figure === 'pss')!.n).toBe(cell.reps)
  })

  it('keeps sampling past --reps until the budget is spent when the target is out of reach, and says so', async () => {
    const r = await run(['--precision', '0.01%', '--budget', '6s', '--reps', '5'], 'name: p\nwarmup: 0\nmetrics:\n  - metric: startup\n')
    expect(r.stopReason).toBe('budget')
    const cell = r.precision!.cells[0]!
    expect(cell.reached).toBe(false)
    expect(cell.stoppedBy).toBe('budget')
    expect(cell.reps).toBeGreaterThan(5)
    expect(r.warnings.some((w) => w.code === 'precision-not-reached')).toBe(true)
  })

  it('rejects a malformed --precision with exit 2', async () => {
    const file = join(out, 'bad.yaml')
    writeFileSync(file, 'name: p\nmetrics:\n  - metric: startup\n')
    const r = await isobench(['run', file, '--arms', 'process', '--out', out, '--precision', 'lots'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('--precision: expected a percentage like 5%')
  })
})
