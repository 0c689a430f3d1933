/**
 * README "Benchmark your own workload" runs verbatim: every `sh` block of the section, in order, in an
 * empty directory, with `isobench` on PATH (this checkout's bin/run.js) and a state dir of its own
 * (ISOBENCH_STATE_DIR). Then the results it wrote hold what the README says they hold.
 */
import {chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {BIN, ROOT, tempDir} from '../../helpers/cli.js'

const base = tempDir('isobench-readme-byo-')
const stateDir = join(base, 'state')
afterAll(async () => {
  await pruneContainers(stateDir, {all: true}).catch(() => {})
  rmSync(base, {recursive: true, force: true})
})

/** The `sh` code blocks of a README section, in order. */
function sectionScripts(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`README has no section "${heading}"`)
  const end = readme.indexOf('\n## ', start + 4)
  const section = readme.slice(start, end < 0 ? undefined : end)
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!)
}

describe.skipIf(process.getuid?.() !== 0)('README: Benchmark your own workload', () => {
  it('runs verbatim and measures the service in the container and the VM', {timeout: 600_000}, async () => {
    const scripts = sectionScripts(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'Benchmark your own workload')
    expect(scripts.length).toBeGreaterThanOrEqual(2)
    const bin = join(base, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'isobench'), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`)
    chmodSync(join(bin, 'isobench'), 0o755)
    const work = join(base, 'work')
    mkdirSync(work)
    for (const script of scripts) {
      const r = await execa('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: work,
        reject: false,
        all: true,
        env: {PATH: `${bin}:${process.env.PATH}`, ISOBENCH_STATE_DIR: stateDir, CI: 'true'},
      })
      expect(r.exitCode, `${script}\n---\n${r.all?.slice(-4000)}`).toBe(0)
    }
    const runs = readdirSync(join(work, 'reports'))
      .filter((d) => d !== 'latest')
      .sort()
      .map((d) => JSON.parse(readFileSync(join(work, 'reports', d, 'results.json'), 'utf8')) as Results)
    expect(runs).toHaveLength(2)
    const [scenario, oneLiner] = runs as [Results, Results]
    const ok = (r: Results, figure: string) => [...new Set(r.samples.filter((s) => s.figure === figure && s.ok && !s.warmup).map((s) => s.arm))].sort()
    const failures = (r: Results) =>
      JSON.stringify(r.samples.filter((s) => !s.ok).map((s) => [s.arm, s.figure, s.error?.message, s.error?.lastOutput?.slice(-500)]))
    expect(ok(scenario, 'ready'), failures(scenario)).toEqual(['container', 'qemu'])
    expect(ok(scenario, 'req_per_s'), failures(scenario)).toEqual(['container', 'qemu'])
    expect(scenario.workloads!.map((w) => [w.name, w.origin.kind, w.ready])).toEqual([['my-web', 'file', 'http GET :8080/health → 200']])
    // the example reaches a verdict: container against qemu (TCG) is a gap of two orders of magnitude in startup and throughput
    const verdicts = scenario.comparisons
      .filter((c) => (c.figure === 'ready' || c.figure === 'req_per_s') && [c.arm, c.baseline].sort().join() === 'container,qemu')
      .map((c) => [c.figure, c.verdict])
    expect(verdicts.length, JSON.stringify(scenario.comparisons)).toBeGreaterThan(0)
    for (const [figure, verdict] of verdicts) expect(verdict, figure).not.toBe('inconclusive')
    expect(ok(oneLiner, 'ready'), failures(oneLiner)).toEqual(['container'])
    expect(oneLiner.workloads![0]).toMatchObject({origin: {kind: 'command line'}, ready: 'http GET :8080/health → 200'})
  })
})
