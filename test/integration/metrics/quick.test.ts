import {readFileSync, rmSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'
import {sig3} from '../../../src/report/terminal.js'

const out = tempDir()
afterAll(() => rmSync(out, {recursive: true, force: true}))

describe('isobench run scenarios/quick.yaml, the default (real process and container arms)', () => {
  it('measures all five metrics on each arm, prints the plan, the budget and a one-screen headline against the reference arm', async () => {
    const r = await isobench(['run', 'scenarios/quick.yaml', '--arms', 'process,container', '--reference', 'process', '--out', out])
    expect(r.exitCode, r.all).toBe(0)
    const results = JSON.parse(readFileSync(/results: (.*results\.json)/.exec(r.stdout)![1]!, 'utf8')) as Results
    const arms = results.arms.filter((a) => a.available).map((a) => a.name)
    expect(arms).toContain('process')
    for (const arm of arms) {
      for (const [metric, figure, workload] of [
        ['startup', 'ready', 'idle'],
        ['scaleout', 'all_ready', 'idle'],
        ['memory', 'pss', 'idle'],
        ['memory', 'pss_total', 'idle'],
        ['cpu', 'ops_per_s', 'cpu-short'],
        ['cpu', 'cpu_per_s', 'idle'],
        ['interference', 'ops_per_s', 'cpu-short'],
      ]) {
        const s = results.summaries.find((x) => x.arm === arm && x.metric === metric && x.figure === figure && x.workload === workload)
        expect(s, `${arm} ${metric}.${figure} ${workload}`).toBeDefined()
        expect(s!.n).toBeGreaterThanOrEqual(4)
      }
      expect(results.summaries.some((s) => s.arm === arm && s.metric === 'scaleout' && s.params.n === 8)).toBe(true)
      expect(results.regressions!.some((g) => g.arm === arm && g.figure === 'pss_total' && g.points === 8)).toBe(true)
      expect(results.comparisons.some((c) => c.kind === 'interference' && c.arm === arm)).toBe(true)
    }
    // The plan and its budget come first (stderr), then the headline (stdout): the reference asked for, one block per metric.
    expect(r.stderr).toMatch(
      /^plan: 5 metrics, 8 cells, \d+ measurements on \d arms? \(process(, container)?\); budget 4m50s \(scenarios\/quick\.yaml\)(, \d+s of it spent preparing)?$/m,
    )
    expect(results.reference).toBe('process')
    const headline = r.stdout.slice(0, r.stdout.indexOf('results: ')).trimEnd().split('\n')
    expect(headline.length).toBeLessThanOrEqual(40)
    expect(headline[0]).toMatch(/^quick: complete in \d+(s|m\d+s) · \d arms? · reference process/)
    const titles = headline.filter((l) => !l.startsWith(' ')).map((l) => l.split(' · ')[0])
    expect(titles.slice(1, 6)).toEqual(['Startup', 'Scale-out', 'Memory', 'CPU', 'Interference'])
    if (arms.includes('container')) {
      const startup = results.comparisons.find((c) => c.arm === 'container' && c.baseline === 'process' && c.figure === 'ready')!
      expect(startup.verdict).toMatch(/^(better|worse|equivalent|inconclusive)$/)
      expect(startup.ci[0]).toBeLessThanOrEqual(startup.ratio)
      expect(startup.ci[1]).toBeGreaterThanOrEqual(startup.ratio)
      // The headline's container row shows that very ratio and CI (one source of statistics).
      const row = headline[headline.findIndex((l) => l.startsWith('Startup')) + 2]!
      expect(row).toMatch(/^ {2}container\s/)
      expect(row).toContain(`${sig3(startup.ratio)}× [${sig3(startup.ci[0])}–${sig3(startup.ci[1])}]`)
      expect(results.summaries.some((s) => s.arm === 'container' && s.figure === 'cgroup')).toBe(true) // cgroup usage where the arm has one
    } else {
      expect(results.arms.find((a) => a.name === 'container')!.reason).toBeTruthy() // skipped with a reason, not an error
    }
  }, 360_000) // the run ends by its 290 s budget (preparation included), then analyses and writes its report
})
