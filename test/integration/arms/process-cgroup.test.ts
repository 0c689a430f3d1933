/**
 * The process arm's run cgroup (isobench/process_<run>) is empty between samples, and an empty cgroup
 * is anyone's to remove: a default run lost 4 interference samples to "isobench-launch: join …/
 * cgroup.procs: No such file or directory" (exit 125) when something on the host removed it. The arm
 * makes it again before each start, so the next instance still joins it. Real launcher, real cgroup.
 */
import {mkdtempSync, readFileSync, rmdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ProcessArm} from '../../../src/arms/process.js'
import type {InstanceSpec} from '../../../src/core/arm.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {configSchema} from '../../../src/core/config.js'
import {silentLogger} from '../../../src/core/log.js'
import {specOf} from '../../../src/engine/runner.js'
import {catalog} from '../../../src/workloads/catalog.js'

const stateDir = mkdtempSync(join(tmpdir(), 'isobench-process-cgroup-'))
const cleanup = new CleanupRegistry()
const arm = new ProcessArm({config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: `t${process.pid}`})
afterAll(async () => {
  await arm.cleanup()
  await cleanup.runAll()
  rmSync(stateDir, {recursive: true, force: true})
})

let n = 0
const spec = (): InstanceSpec => ({
  id: `isobench-pcg-${process.pid}-${++n}`,
  workload: specOf(catalog().get('idle')!),
  limits: {},
  network: 'none',
  readyTimeoutMs: 20_000,
})

describe.skipIf(process.getuid?.() !== 0)('process arm: its run cgroup', () => {
  it('is made again when removed between two starts, and the next instance joins it', async () => {
    await arm.prepare()
    const dir = /; cgroup (\S+)\)/.exec(arm.info().notes!.join(' '))?.[1]
    expect(dir, arm.info().notes!.join(' ')).toMatch(/\/isobench\/process_/)
    const first = await arm.start(spec())
    await arm.waitReady(first)
    await arm.stop(first)
    rmdirSync(dir!) // empty now: removable by anyone
    const second = await arm.start(spec())
    await arm.waitReady(second) // rejects (not-ready, exit 125) when the launcher cannot join the cgroup
    const members = readFileSync(join(dir!, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)
    expect(second.pids().every((pid) => members.includes(pid))).toBe(true)
    expect(second.pids().length).toBeGreaterThan(0)
    await arm.stop(second)
  })
})
