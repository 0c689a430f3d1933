import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const out = tempDir()
afterAll(() => rmSync(out, {recursive: true, force: true}))

async function waitForSamples(dir: string, min: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const latest = JSON.parse(readFileSync(join(dir, 'latest', 'results.json'), 'utf8')) as Results
      if (latest.samples.length >= min) return
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('no samples appeared')
}

/** Processes whose environment carries our tag: every instance the run started inherits it. */
function taggedProcesses(tag: string): number[] {
  const found: number[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`ISOBENCH_TEST_TAG=${tag}`)) found.push(Number(pid))
    } catch {
      // exited meanwhile
    }
  }
  return found
}

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('a run interrupted by %s', (signal, code) => {
  it(`keeps the samples, stops every instance and exits ${code}`, async () => {
    const dir = join(out, signal)
    const scenario = join(out, `${signal}.yaml`)
    // Every process the run starts inherits this tag, so anything left behind can be found.
    const tag = `${signal}-${process.pid}-${Date.now()}`
    writeFileSync(scenario, `name: long\nreps: 100000\nwarmup: 0\nmetrics:\n  - metric: startup\n    workload: idle\n`)
    const child = isobench(['run', scenario, '--arms', 'process', '--out', dir], {env: {ISOBENCH_TEST_TAG: tag}})
    await waitForSamples(dir, 5)
    child.kill(signal)
    const r = await child
    expect(r.exitCode, r.all).toBe(code)
    const results = JSON.parse(readFileSync(join(dir, 'latest', 'results.json'), 'utf8')) as Results
    expect(results.status).toBe('interrupted')
    expect(results.samples.length).toBeGreaterThanOrEqual(5)
    expect(results.samples.every((s) => s.ok)).toBe(true)
    expect(results.warnings.some((w) => w.code === 'interrupted')).toBe(true)
    expect(taggedProcesses(tag)).toEqual([])
  })
})
