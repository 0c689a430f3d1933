import {readFileSync, rmSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const out = tempDir()
afterAll(() => rmSync(out, {recursive: true, force: true}))

describe('isobench run scenarios/quick.yaml (real process and container arms)', () => {
  it('measures startup, memory and cpu on each available arm, compares them with process, and regresses memory over n', async () => {
    const r = await isobench(['run', 'scenarios/quick.yaml', '--arms', 'process,container', '--reps', '4', '--out', out])
    expect(r.exitCode, r.all).toBe(0)
    const results = JSON.parse(readFileSync(/results: (.*results\.json)/.exec(r.stdout)![1]!, 'utf8')) as Results
    const arms = results.arms.filter((a) => a.available).map((a) => a.name)
    expect(arms).toContain('process')
    for (const arm of arms) {
      for (const [metric, figure] of [
        ['startup', 'ready'],
        ['memory', 'pss'],
        ['memory', 'pss_total'],
        ['cpu', 'cpu_per_s'],
      ]) {
        const s = results.summaries.find((x) => x.arm === arm && x.metric === metric && x.figure === figure)
        expect(s, `${arm} ${metric}.${figure}`).toBeDefined()
        expect(s!.n).toBeGreaterThanOrEqual(4)
      }
      expect(results.regressions!.some((g) => g.arm === arm && g.figure === 'pss_total' && g.points === 8)).toBe(true)
    }
    if (arms.includes('container')) {
      const startup = results.comparisons.find((c) => c.arm === 'container' && c.baseline === 'process' && c.figure === 'ready')!
      expect(startup.verdict).toMatch(/^(better|worse|equivalent|inconclusive)$/)
      expect(startup.ci[0]).toBeLessThanOrEqual(startup.ratio)
      expect(startup.ci[1]).toBeGreaterThanOrEqual(startup.ratio)
      expect(r.stdout).toContain(startup.text) // the summary prints every verdict
      expect(results.summaries.some((s) => s.arm === 'container' && s.figure === 'cgroup')).toBe(true) // cgroup usage where the arm has one
    } else {
      expect(results.arms.find((a) => a.name === 'container')!.reason).toBeTruthy() // skipped with a reason, not an error
    }
  })
})
