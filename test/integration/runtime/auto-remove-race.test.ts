/**
 * Instances that exit as soon as they are ready (`true`), ten in flight at once on 2 cores, so that
 * isobench is often descheduled at the worst moment:
 * - the helper removes an auto-removed container's dir while isobench may still be writing its
 *   state.json (≈ 1 sample in 40 was lost to `ENOENT …/state.json.tmp-…`): a dir already gone is the
 *   container having finished, not a failed start;
 * - Node may report a child's exit before the last bytes of its output pipe are read: an instance
 *   that printed its ready marker and exited looked as if it had exited before being ready.
 * 200 `true` instances per arm: 0 failures, and nothing left in the state dir.
 */
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Arm, WorkloadSpec} from '../../../src/core/arm.js'
import {ContainerArm} from '../../../src/arms/container.js'
import {OciArm} from '../../../src/arms/oci-arm.js'
import {ProcessArm} from '../../../src/arms/process.js'
import {configSchema} from '../../../src/core/config.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {silentLogger} from '../../../src/core/log.js'
import {pruneContainers} from '../../../src/runtime/prune.js'

const root = process.getuid?.() === 0
const stateDir = mkdtempSync(join(tmpdir(), 'isobench-race-'))
const cleanup = new CleanupRegistry()
const ctx = {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: 'race-test'}
const workload: WorkloadSpec = {name: 'true', argv: ['true'], ready: {kind: 'marker'}}
const N = 200
const IN_FLIGHT = 10

const arms: Array<[string, () => Arm]> = [
  ['container', () => new ContainerArm(ctx)],
  ['process', () => new ProcessArm(ctx)],
  ['runc', () => new OciArm('runc', ctx)],
  ['crun', () => new OciArm('crun', ctx)],
]

describe.skipIf(!root)('instances that exit at once', () => {
  afterAll(async () => {
    await cleanup.runAll()
    await pruneContainers(stateDir, {all: true})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it.each(arms)(`%s: ${N} \`true\` instances, every one ready and exited 0, none failed, nothing left`, async (name, make) => {
    const arm = make()
    const avail = await arm.available()
    if (!avail.ok && name !== 'container') return // runc/crun are apt packages setup installs; the container arm must run
    expect(avail.ok).toBe(true)
    await arm.prepare([workload])
    const failures: string[] = []
    const one = async (i: number) => {
      try {
        const inst = await arm.start({id: `race-${name}-${i}`, workload, limits: {memoryMiB: 64}, network: 'none', readyTimeoutMs: 20_000})
        try {
          await arm.waitReady(inst)
          const exit = await inst.exited
          if (exit.code !== 0) failures.push(`#${i}: exit ${exit.code} ${inst.output().slice(-300)}`)
        } finally {
          await arm.stop(inst)
        }
      } catch (error) {
        failures.push(`#${i}: ${(error as Error).message}`)
      }
    }
    let next = 0
    await Promise.all(
      Array.from({length: IN_FLIGHT}, async () => {
        while (next < N) await one(next++)
      }),
    )
    await arm.cleanup()
    expect(failures).toEqual([])
    for (const sub of ['containers', 'oci']) {
      const dir = join(stateDir, sub)
      expect(existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : []).toEqual([])
    }
  })
})
