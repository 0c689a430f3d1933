/**
 * The engine end to end through the hidden fake arm (src/arms/fake.ts): plan → randomized blocks →
 * metrics → samples in results.json → analysis, with no process started, as hyperfine tests its
 * pipeline with a mock executor. Real arms are tested in test/integration.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {FakeArm} from '../../../src/arms/fake.js'
import {configSchema} from '../../../src/core/config.js'
import {silentLogger, type Logger} from '../../../src/core/log.js'
import type {Results} from '../../../src/core/results.js'
import {analyze} from '../../../src/engine/analyze.js'
import {expandPlan} from '../../../src/engine/plan.js'
import {Progress} from '../../../src/engine/progress.js'
import {runScenario} from '../../../src/engine/run.js'
import {runCells, specOf} from '../../../src/engine/runner.js'
import {catalog} from '../../../src/workloads/catalog.js'
import {ResultsStore} from '../../../src/engine/store.js'
import {parseScenario} from '../../../src/scenario/load.js'
import {mulberry32} from '../../../src/stats/random.js'
import {resultsOf} from '../../helpers/results.js'

const out = mkdtempSync(join(tmpdir(), 'isobench-engine-'))
afterAll(() => rmSync(out, {recursive: true, force: true}))
const config = configSchema.parse({outDir: out, stateDir: join(out, 'state'), seed: 7})

function emptyResults(): Results {
  return resultsOf([], {runId: `t-${Math.random().toString(16).slice(2, 8)}`, status: 'running'})
}

/** runCells on these arms for a scenario text, with a fresh store; the results after analysis. */
async function runOn(
  arms: FakeArm[],
  scenarioText: string,
  opts: {budgetMs?: number; startedAt?: number; signal?: AbortSignal; seed?: number; progress?: Progress; log?: Logger} = {},
) {
  const {scenario} = parseScenario(scenarioText, 's.yaml')
  const cells = expandPlan(scenario, config, () => 'idle', {arms: arms.map((a) => a.name)})
  const store = new ResultsStore(emptyResults(), out)
  const reason = await runCells({
    cells,
    workloads: new Map([...catalog().values()].map((p) => [p.name, {spec: specOf(p), profile: p}])),
    arms: new Map(arms.map((a) => [a.name, a])),
    store,
    log: opts.log ?? silentLogger,
    progress: opts.progress ?? new Progress({cells: [], budgetMs: 60_000}, false),
    random: mulberry32(opts.seed ?? 1),
    budgetMs: opts.budgetMs ?? 60_000,
    startedAt: opts.startedAt,
    readyTimeoutMs: 1000,
    network: 'none',
    signal: opts.signal ?? new AbortController().signal,
  })
  store.flush()
  analyze(store.results, {equivalenceDelta: 0.05, seed: 1, baseline: arms[0]!.name, pairs: []})
  return {reason, results: store.results, file: store.file}
}

describe('runner (fake arm)', () => {
  it('interleaves the arms in randomized blocks, warm-ups first and marked, every sample kept', async () => {
    const a = new FakeArm({}, 'fake-a')
    const b = new FakeArm({}, 'fake-b')
    const {reason, results} = await runOn([a, b], 'name: s\nreps: 6\nwarmup: 2\nmetrics:\n  - metric: startup\n')
    expect(reason).toBe('complete')
    expect(results.samples).toHaveLength(16)
    for (let block = 0; block < 8; block++) {
      const inBlock = results.samples.filter((s) => s.block === block)
      expect(inBlock.map((s) => s.arm).sort()).toEqual(['fake-a', 'fake-b']) // both arms in every block
      expect(inBlock.every((s) => s.warmup === block < 2)).toBe(true)
    }
    // Not all-A-then-all-B: the order within blocks varies (seeded).
    const firsts = new Set(Array.from({length: 8}, (_, block) => results.samples.find((s) => s.block === block)!.arm))
    expect(firsts.size).toBe(2)
    expect(results.samples.every((s) => s.ok && s.value! > 0 && s.unit === 'ms')).toBe(true)
    expect(a.stopped.size + b.stopped.size).toBe(16) // every instance stopped
  })

  it('the same seed gives the same block order', async () => {
    const order = async () =>
      (
        await runOn([new FakeArm({}, 'x'), new FakeArm({}, 'y')], 'name: s\nreps: 5\nwarmup: 0\nmetrics:\n  - metric: startup\n', {seed: 42})
      ).results.samples.map((s) => s.arm)
    expect(await order()).toEqual(await order())
  })

  it('analysis: an 8× slower arm is called worse against the reference, with a CI that excludes 1', async () => {
    // real timers: 5 vs 40 ms keeps the two apart when a loaded host delays a timer by a few ms (2 vs 8 did not)
    const fast = new FakeArm({ready: () => 5}, 'fast')
    const slow = new FakeArm({ready: () => 40}, 'slow')
    const {results} = await runOn([fast, slow], 'name: s\nreps: 8\nwarmup: 0\nmetrics:\n  - metric: startup\n')
    const c = results.comparisons.find((x) => x.arm === 'slow' && x.baseline === 'fast')!
    expect(c.verdict).toBe('worse')
    expect(c.ratio).toBeGreaterThan(2)
    expect(c.ci[0]).toBeGreaterThan(1)
    expect(results.summaries.map((s) => s.arm).sort()).toEqual(['fast', 'slow'])
  })

  it('failed starts are kept as failed samples (value null) and counted in the analysis warnings', async () => {
    const flaky = new FakeArm({failStart: (i) => i % 2 === 1}, 'flaky')
    const {results} = await runOn([flaky], 'name: s\nreps: 4\nwarmup: 0\nmetrics:\n  - metric: startup\n')
    const failed = results.samples.filter((s) => !s.ok)
    expect(failed).toHaveLength(2)
    expect(failed.every((s) => s.value === null && s.error?.code === 'failed')).toBe(true)
    expect(results.warnings.some((w) => w.code === 'failed-samples' && w.message.includes('2 of 4'))).toBe(true)
    expect(results.summaries[0]!.n).toBe(2)
  })

  it('says a kind of failure once per arm and cell while running (messages name instances), and counts them all', async () => {
    const warned: string[] = []
    const log: Logger = {...silentLogger, warn: (m) => warned.push(m)}
    const flaky = new FakeArm({failStart: (i) => i % 2 === 1}, 'flaky')
    const {results} = await runOn([flaky], 'name: s\nreps: 6\nwarmup: 0\nmetrics:\n  - metric: startup\n', {log})
    expect(results.samples.filter((s) => !s.ok)).toHaveLength(3)
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatch(/^flaky startup\/idle\S*: failed sample: start 1 failed .*further ones of this kind are counted at the end\)$/)
    expect(results.warnings.some((w) => w.code === 'failed-samples' && w.message.includes('3 of 6'))).toBe(true)
  })

  it('memory over n: the marginal cost per instance is the slope the metric declares', async () => {
    const MiB = 1024 * 1024
    const arm = new FakeArm({sample: () => ({pssBytes: 5 * MiB, ussBytes: MiB, rssBytes: 6 * MiB})}, 'mem')
    const {results} = await runOn([arm], 'name: s\nreps: 3\nwarmup: 0\nmetrics:\n  - metric: memory\n    params: {n: [1, 2, 3], settleMs: 0}\n')
    const slope = results.regressions!.find((r) => r.figure === 'pss_total')!
    expect(slope.slope).toBeCloseTo(5, 6)
    expect(slope.x).toBe('n')
  })

  it('stops adding samples when the budget is spent, and says so', async () => {
    const {reason, results} = await runOn([new FakeArm({ready: () => 5}, 'f')], 'name: s\nreps: 50\nwarmup: 0\nmetrics:\n  - metric: startup\n', {budgetMs: 40})
    expect(reason).toBe('budget')
    expect(results.samples.length).toBeLessThan(50)
    expect(results.warnings.some((w) => w.code === 'budget-exhausted')).toBe(true)
  })

  it('starts no measurement that would overrun the budget at the duration this arm took so far', async () => {
    const plan = {cells: [{key: 'startup/idle', metric: 'startup', arms: ['f'], perArm: 4}], budgetMs: 60_000}
    const progress = new Progress(plan, false)
    progress.step(0, 'f', 120_000) // this arm took 2 minutes a measurement so far: more than the whole budget
    const {reason, results} = await runOn([new FakeArm({ready: () => 1}, 'f')], 'name: s\nreps: 4\nwarmup: 0\nmetrics:\n  - metric: startup\n', {progress})
    expect(reason).toBe('budget')
    expect(results.samples).toHaveLength(0)
    expect(results.warnings.find((w) => w.code === 'budget-exhausted')!.message).toContain('the next f measurement takes ≈ 120.0 s')
  })

  it('counts the budget from the start of the run: time spent preparing the arms is spent budget', async () => {
    const text = 'name: s\nreps: 4\nwarmup: 0\nmetrics:\n  - metric: startup\n'
    // preparation took 61 s of a 60 s budget: nothing is measured
    const late = await runOn([new FakeArm({ready: () => 1}, 'f')], text, {budgetMs: 60_000, startedAt: performance.now() - 61_000})
    expect(late.reason).toBe('budget')
    expect(late.results.samples).toHaveLength(0)
    // preparation took 1 s: every rep runs, and sample times count from the run's start
    const early = await runOn([new FakeArm({ready: () => 1}, 'f')], text, {budgetMs: 60_000, startedAt: performance.now() - 1000})
    expect(early.reason).toBe('complete')
    expect(early.results.samples).toHaveLength(4)
    expect(Math.min(...early.results.samples.map((s) => s.t))).toBeGreaterThanOrEqual(1000)
  })

  it('an aborted run returns interrupted and keeps what it measured', async () => {
    const ac = new AbortController()
    const arm = new FakeArm({ready: (i) => (i === 3 ? (ac.abort(), 1) : 1)}, 'f')
    const {reason, results} = await runOn([arm], 'name: s\nreps: 20\nwarmup: 0\nmetrics:\n  - metric: startup\n', {signal: ac.signal})
    expect(reason).toBe('interrupted')
    expect(results.samples.length).toBe(3)
  })
})

describe('runScenario with --arms fake', () => {
  it('writes a complete results.json: samples, summaries, the arm record, the arms it used', async () => {
    const loaded = parseScenario(
      'name: fake-run\nreps: 3\nwarmup: 1\nmetrics:\n  - metric: startup\n  - metric: scaleout\n    params: {n: 2}\n  - metric: cpu\n    params: {windowMs: 20, settleMs: 0}\n',
      'fake.yaml',
    )
    const {results, resultsFile} = await runScenario({loaded, config, log: silentLogger, arms: ['fake'], progress: false, handleSignals: false})
    expect(results.status).toBe('complete')
    const onDisk = JSON.parse(readFileSync(resultsFile, 'utf8')) as Results
    expect(onDisk.samples).toHaveLength(results.samples.length)
    expect(onDisk.arms).toEqual([expect.objectContaining({name: 'fake', available: true})])
    expect(new Set(results.samples.map((s) => s.metric))).toEqual(new Set(['startup', 'scaleout', 'cpu']))
    expect(results.samples.filter((s) => s.metric === 'startup')).toHaveLength(4)
    expect(results.summaries.length).toBeGreaterThan(0)
    expect((results.config as {arms: string[]}).arms).toEqual([
      'process',
      'chroot',
      'container',
      'runc',
      'crun',
      'runsc',
      'kata',
      'lxc',
      'podman',
      'ctr',
      'docker',
      'qemu',
      'firecracker',
      'cloud-hypervisor',
    ]) // the default arms (fake is hidden)
  })

  it('an unknown arm is bad input that lists the arms, without the hidden one', async () => {
    const loaded = parseScenario('name: x\nmetrics:\n  - metric: startup\n', 'x.yaml')
    await expect(runScenario({loaded, config, log: silentLogger, arms: ['nope'], progress: false, handleSignals: false})).rejects.toThrow(
      /unknown arm "nope"; expected one of process, chroot, container, runc, crun, runsc, kata, lxc, podman, ctr, docker, qemu, firecracker, cloud-hypervisor$/,
    )
  })
})
