/**
 * Nothing left behind: `isobench run` is interrupted at random moments on every arm — the process
 * arm, our container runtime, runc, crun and qemu — in every phase of a run (CLI loading and arm
 * probes, prepare, an instance starting, instances running between samples):
 *   - 20 SIGKILLs, one per (arm, phase), in a shuffled order with random delays; after each, no
 *     process of the run may be left (every arm's instances die with isobench); after all of them,
 *     one `isobench prune` must leave no process, mount, cgroup, link, state entry or temp file, and
 *     every killed run's results.json must read "interrupted (killed)";
 *   - 5 SIGINTs and 5 SIGTERMs (one per arm, while it runs): nothing is left even without prune.
 * Everything is looked up from /proc, /sys and the state dir (leftovers.ts), not from isobench's
 * own records. Set-up is shared: one warm run builds the images and the VM's initramfs first.
 * ISOBENCH_KILL_SEED=<n> replays a sequence; the seed is in every failure message.
 */
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa, type ResultPromise} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {shuffled} from '../../../src/engine/plan.js'
import {mulberry32} from '../../../src/stats/random.js'
import {loadResultsFile} from '../../../src/report/load-results.js'
import {BIN, ROOT, tempDir} from '../../helpers/cli.js'
import {findLeftovers, total, type Leftovers} from './leftovers.js'
import {isRoot} from './helpers.js'

const ARMS = ['process', 'container', 'runc', 'crun', 'qemu'] as const
type ArmName = (typeof ARMS)[number]
const PHASES = ['load', 'prepare', 'start', 'running'] as const
type Phase = (typeof PHASES)[number]

const seed = Number(process.env.ISOBENCH_KILL_SEED ?? Date.now() % 1_000_000)
const random = mulberry32(seed)
const base = tempDir('isobench-hostile-kill-')
const stateDir = join(base, 'state')
const out = join(base, 'out')
const tag = `kill-${process.pid}-${seed}`
const haveQemu = existsSync('/usr/bin/qemu-system-x86_64')

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Cells that keep a run busy in every metric's code path, then one that runs until killed. */
const SCENARIO = `name: kill
reps: 2
warmup: 0
limits: {cpus: 1, memoryMiB: 128}
readyTimeoutSeconds: 60
metrics:
  - metric: startup
    workload: idle
  - metric: scaleout
    workload: idle
    params: {n: 2}
  - metric: memory
    workload: idle
    params: {n: 2, settleMs: 100}
  - metric: startup
    workload: idle
    reps: 100000
`

function run(arms: readonly string[], outDir: string): ResultPromise {
  return execa('node', [BIN, 'run', join(base, 'kill.yaml'), '--arms', arms.join(','), '--out', outDir, '--state-dir', stateDir, '--quiet'], {
    cwd: ROOT,
    reject: false,
    all: true,
    env: {CI: 'true', ISOBENCH_TEST_TAG: tag},
  })
}

function samplesIn(outDir: string): number {
  try {
    const dir = readdirSync(outDir).find((d) => d !== 'latest')
    return dir ? (JSON.parse(readFileSync(join(outDir, dir, 'results.json'), 'utf8')) as {samples: unknown[]}).samples.length : -1
  } catch {
    return -1
  }
}

const ls = (dir: string) => (existsSync(dir) ? readdirSync(dir) : [])

/** The entries that mark an instance of this arm: run scratch dirs with the process arm's init, container dirs, bundles, VM instance dirs. */
function instanceTraces(arm: ArmName): string[] {
  switch (arm) {
    case 'process':
      return ls(join(stateDir, 'runs')).flatMap((r) =>
        ls(join(stateDir, 'runs', r))
          .filter((f) => f.startsWith('process-') && ls(join(stateDir, 'runs', r, f)).includes('init'))
          .map((f) => `${r}/${f}`),
      )
    case 'container':
      return ls(join(stateDir, 'containers'))
    case 'runc':
    case 'crun':
      return ls(join(stateDir, 'oci')).filter((b) => b.startsWith(`${arm}-`))
    case 'qemu':
      return ls(join(stateDir, 'vm', 'instances'))
  }
}

async function waitUntil(ok: () => boolean, child: ResultPromise, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (ok()) return true
    if (child.exitCode !== null) return false
    await sleep(3)
  }
  return false
}

/** Start a run, wait for `phase`, wait a random delay, send `signal`; what happened, in one line. */
async function interrupt(
  arm: ArmName,
  phase: Phase,
  signal: NodeJS.Signals,
  outDir: string,
): Promise<{line: string; runIds: string[]; exit: string; pid: number}> {
  const before = new Set(instanceTraces(arm)) // earlier killed runs' traces stay until the prune
  const child = run([arm], outDir)
  const results = () => existsSync(outDir) && ls(outDir).some((d) => d !== 'latest' && existsSync(join(outDir, d, 'results.json')))
  let reached = true
  let delay = 0
  switch (phase) {
    case 'load':
      delay = Math.floor(random() * 900)
      break
    case 'prepare':
      reached = await waitUntil(results, child, 60_000)
      delay = Math.floor(random() * 40)
      break
    case 'start':
      reached = await waitUntil(() => instanceTraces(arm).some((t) => !before.has(t)), child, 60_000)
      delay = Math.floor(random() * (arm === 'qemu' ? 1500 : 25))
      break
    case 'running': {
      const k = 1 + Math.floor(random() * (arm === 'qemu' ? 2 : 6))
      reached = await waitUntil(() => samplesIn(outDir) >= k, child, 120_000)
      delay = Math.floor(random() * 100)
      break
    }
  }
  await sleep(delay)
  const alive = child.exitCode === null
  child.kill(signal)
  const r = await child
  const runIds = ls(outDir).filter((d) => d !== 'latest')
  const exit = r.signal ?? String(r.exitCode)
  const line = `${signal} ${arm} ${phase}${reached ? '' : ' (phase not reached)'} +${delay} ms: ${alive ? '' : 'already exited, '}exit ${exit}${alive ? '' : `\n${(r.all ?? '').slice(-600)}`}`
  return {line, runIds, exit, pid: child.pid ?? 0}
}

/** Leftovers of these runs, after giving the kernel a moment to deliver parent-death signals. */
async function leftoversOf(runIds: string[], runPids: number[], settleMs = 5000): Promise<Leftovers> {
  const end = Date.now() + settleMs
  let l = findLeftovers(stateDir, runIds, tag, runPids)
  while (l.processes.length > 0 && Date.now() < end) {
    await sleep(100)
    l = findLeftovers(stateDir, runIds, tag, runPids)
  }
  return l
}

const describeFields = (l: Leftovers) =>
  Object.entries(l)
    .filter(([k, v]) => k !== 'zombies' && v.length > 0)
    .map(([k, v]) => `${k}: ${(v as string[]).join('\n    ')}`)
    .join('\n  ')

describe.skipIf(!isRoot || !existsSync(BIN))('killing `isobench run` leaves nothing behind', () => {
  const allRunIds: string[] = []
  const allPids: number[] = []
  const log: string[] = []
  const tally = new Map<string, {sent: number; leftBefore: number; leftAfter: number}>()
  const count = (signal: string, left: boolean) => {
    const t = tally.get(signal) ?? {sent: 0, leftBefore: 0, leftAfter: 0}
    t.sent++
    if (left) t.leftBefore++
    tally.set(signal, t)
  }
  const arms = ARMS.filter((a) => a !== 'qemu' || haveQemu)

  beforeAll(async () => {
    mkdirSync(stateDir, {recursive: true})
    writeFileSync(join(base, 'kill.yaml'), SCENARIO)
    // The guest kernel that `isobench setup` fetched, linked in (no download per test state dir).
    const setupKernel = join(process.env.ISOBENCH_STATE_DIR || '/var/lib/isobench', 'vm', 'kernel')
    if (existsSync(setupKernel)) {
      try {
        cpSync(setupKernel, join(stateDir, 'vm', 'kernel'), {recursive: true, preserveTimestamps: true})
      } catch {
        // the arm fetches it
      }
    }
    // Warm: images, bundles' rootfs, the VM's initramfs exist, so kills land in the run itself.
    writeFileSync(
      join(base, 'warm.yaml'),
      'name: warm\nreps: 1\nwarmup: 0\nlimits: {cpus: 1, memoryMiB: 128}\nmetrics:\n  - metric: startup\n    workload: idle\n',
    )
    const warm = await execa(
      'node',
      [BIN, 'run', join(base, 'warm.yaml'), '--arms', arms.join(','), '--out', join(base, 'warm'), '--state-dir', stateDir, '--quiet'],
      {cwd: ROOT, reject: false, all: true, env: {CI: 'true'}},
    )
    expect(warm.exitCode, warm.all).toBe(0)
    const results = loadResultsFile(join(base, 'warm', 'latest', 'results.json'))
    expect(results.arms.filter((a) => !a.available).map((a) => `${a.name}: ${a.reason}`)).toEqual([])
  }, 600_000)

  afterAll(async () => {
    if (process.env.ISOBENCH_TEST_VERBOSE) console.log(log.join('\n'))
    await execa('node', [BIN, 'prune', '--all', '--state-dir', stateDir], {cwd: ROOT, reject: false})
    rmSync(base, {recursive: true, force: true})
  })

  it('SIGINT and SIGTERM while a run measures: exit 130/143, samples kept, nothing left even before prune', async () => {
    const failures: string[] = []
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const arm of arms) {
        const outDir = join(out, `${signal}-${arm}`)
        const r = await interrupt(arm, 'running', signal, outDir)
        log.push(r.line)
        allRunIds.push(...r.runIds)
        allPids.push(r.pid)
        const left = await leftoversOf(r.runIds, [r.pid])
        count(signal, total(left) > 0)
        if (total(left) > 0) failures.push(`${r.line}\n  ${describeFields(left)}`)
        if (r.exit !== (signal === 'SIGINT' ? '130' : '143')) failures.push(`${r.line}: expected exit ${signal === 'SIGINT' ? 130 : 143}`)
        const results = loadResultsFile(join(outDir, 'latest', 'results.json'))
        if (results.status !== 'interrupted' || results.stopReason !== 'interrupted' || results.samples.length === 0)
          failures.push(`${r.line}: results ${results.status}/${results.stopReason} with ${results.samples.length} samples`)
      }
    }
    expect(failures, `seed ${seed}\n${log.join('\n')}`).toEqual([])
  }, 900_000)

  it('20 SIGKILLs over every arm and phase, then one prune: no process, mount, cgroup, link, state entry or temp file', async () => {
    const trials = shuffled(
      ARMS.flatMap((arm) => PHASES.map((phase) => ({arm, phase}))),
      random,
    ).map((t) => (t.arm === 'qemu' && !haveQemu ? {...t, arm: 'process' as const} : t))
    expect(trials).toHaveLength(20)
    const killedRuns: Array<{line: string; outDir: string}> = []
    const seen = new Set<string>()
    const failures: string[] = []
    for (const [i, {arm, phase}] of trials.entries()) {
      const outDir = join(out, `kill-${i}`)
      const r = await interrupt(arm, phase, 'SIGKILL', outDir)
      log.push(r.line)
      allRunIds.push(...r.runIds)
      allPids.push(r.pid)
      if (r.runIds.length > 0) killedRuns.push({line: r.line, outDir})
      // The instances die with isobench (PR_SET_PDEATHSIG in every arm): no process, even before prune.
      const left = await leftoversOf(r.runIds, [r.pid])
      const newEntries = [...left.stateEntries, ...left.tempFiles].filter((e) => !seen.has(e))
      for (const e of newEntries) seen.add(e)
      count('SIGKILL', left.processes.length + left.mounts.length + left.cgroups.length + left.links.length + newEntries.length > 0)
      if (left.processes.length > 0) failures.push(`${r.line}: processes left before prune:\n    ${left.processes.join('\n    ')}`)
    }
    const prune = await execa('node', [BIN, 'prune', '--state-dir', stateDir], {cwd: ROOT, reject: false, all: true})
    expect(prune.exitCode, prune.all).toBe(0)
    log.push(`prune:\n${prune.all}`)
    const left = await leftoversOf(allRunIds, allPids)
    tally.get('SIGKILL')!.leftAfter = total(left) > 0 ? 1 : 0
    if (total(left) > 0) failures.push(`after prune:\n  ${describeFields(left)}`)
    // A killed run's file still says "running": every reader says interrupted (killed).
    for (const {line, outDir} of killedRuns) {
      const results = loadResultsFile(join(outDir, 'latest', 'results.json'))
      if (results.status !== 'interrupted' || results.stopReason !== 'killed') failures.push(`${line}: results read ${results.status}/${results.stopReason}`)
    }
    const report = await execa('node', [BIN, 'report', join(killedRuns[0]!.outDir, 'latest', 'results.json'), '--out', join(base, 'killed.html')], {
      cwd: ROOT,
      reject: false,
      all: true,
    })
    expect(report.all).toMatch(/interrupted \(killed\)/)
    expect(readFileSync(join(base, 'killed.html'), 'utf8')).toMatch(/interrupted \(killed\)/)
    const again = await execa('node', [BIN, 'prune', '--state-dir', stateDir], {cwd: ROOT, reject: false, all: true})
    expect(again.stdout.trim()).toBe('nothing to prune')
    console.log(
      `interruptions (seed ${seed}):\n` +
        [...tally.entries()]
          .map(([s, t]) => `  ${s}: sent ${t.sent}, left something before prune ${t.leftBefore}, left something after prune ${t.leftAfter}`)
          .join('\n'),
    )
    expect(failures, `seed ${seed}\n${log.join('\n')}`).toEqual([])
  }, 1_800_000)
})
