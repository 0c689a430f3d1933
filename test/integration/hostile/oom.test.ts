/**
 * The OOM killer is reported: a container killed for its memory limit shows `exited (137,
 * OOM-killed)` in `container ls`, its state (the exit file, --json's oomKilled) and a run's
 * results (the failed sample says so), not a bare 137 — as Docker's State.OOMKilled. The same for
 * the runc and crun arms, read from their memory cgroup. `dd bs=64M` touches a 64 MiB buffer: with
 * a 16 MiB limit the kernel kills it; with 128 MiB it finishes (the control: no false positive).
 */
import {rmSync} from 'node:fs'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import {OciArm} from '../../../src/arms/oci-arm.js'
import {ContainerArm} from '../../../src/arms/container.js'
import type {Arm, InstanceSpec} from '../../../src/core/arm.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {configSchema} from '../../../src/core/config.js'
import {silentLogger} from '../../../src/core/log.js'
import {runToCompletion} from '../../../src/metrics/instances.js'
import type {WorkloadProfile} from '../../../src/workloads/profile.js'
import {BIN, ROOT} from '../../helpers/cli.js'
import {isRoot, newStateDir} from './helpers.js'

const stateDir = newStateDir('oom')
const cli = (args: string[]) => execa('node', [BIN, ...args], {cwd: ROOT, reject: false, all: true, env: {CI: 'true', ISOBENCH_STATE_DIR: stateDir}})
const DD = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']

/** A finite workload with one figure, so a run reports its end as a failed sample. */
const ddProfile: WorkloadProfile = {
  name: 'dd-64m',
  version: 1,
  description: 'test: touch a 64 MiB buffer',
  argv: DD,
  ready: {kind: 'marker'},
  figures: [{name: 'records', unit: 'records', direction: 'higher', description: 'records copied'}],
  parse: (out) => ({records: Number(/(\d+)\+\d+ records out/.exec(out)?.[1])}),
}

const spec = (id: string, memoryMiB: number): InstanceSpec => ({
  id,
  workload: {name: 'dd-64m', argv: DD, ready: {kind: 'marker'}},
  limits: {memoryMiB},
  network: 'none',
  readyTimeoutMs: 30_000,
})

describe.skipIf(!isRoot)('the OOM killer is reported', () => {
  const cleanup = new CleanupRegistry()
  afterAll(async () => {
    await cleanup.runAll()
    await cli(['prune', '--all'])
    rmSync(stateDir, {recursive: true, force: true})
  })

  it('container run, container ls and the state say exited (137, OOM-killed)', async () => {
    const r = await cli(['container', 'run', '--name', 'oom-16m', '--memory', '16m', '--network', 'none', 'idle', '--', ...DD])
    expect(r.exitCode, r.all).toBe(137)
    expect(r.stderr).toMatch(/warning: container oom-16m exited \(137, OOM-killed\)/)
    const ls = await cli(['container', 'ls', '--all'])
    expect(ls.stdout).toMatch(/oom-16m\s+exited \(137, OOM-killed\)/)
    const json = JSON.parse((await cli(['container', 'ls', '--all', '--json'])).stdout) as {
      containers: Array<{id: string; exitCode: number; oomKilled: boolean}>
    }
    expect(json.containers.find((c) => c.id === 'oom-16m')).toMatchObject({exitCode: 137, oomKilled: true})
    // The control: enough memory, no OOM kill, a plain exit 0.
    const ok = await cli(['container', 'run', '--name', 'oom-128m', '--memory', '128m', '--network', 'none', 'idle', '--', ...DD])
    expect(ok.exitCode, ok.all).toBe(0)
    expect((await cli(['container', 'ls', '--all'])).stdout).toMatch(/oom-128m\s+exited \(0\)\s/)
  })

  const arms: Array<[string, () => Arm]> = [
    ['container', () => new ContainerArm({config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: 'oom'})],
    ['runc', () => new OciArm('runc', {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: 'oom'})],
    ['crun', () => new OciArm('crun', {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: 'oom'})],
  ]
  for (const [name, make] of arms) {
    it(`${name} arm: the instance's end and the run's failed sample say OOM-killed`, async () => {
      const arm = make()
      const available = await arm.available()
      if (!available.ok) return expect.soft(available.reason, `${name} unavailable`).toBeUndefined()
      // crun 1.8 removes its cgroups as the container ends and has no --keep: the arm reads them at the
      // init's exit mark, which usually (≈ 80% here) arrives first. Best effort: up to 5 tries for crun.
      const tries = name === 'crun' ? 5 : 1
      let message: string | undefined
      for (let i = 0; i < tries && !/OOM-killed/.test(message ?? ''); i++) {
        const drafts = await runToCompletion(arm, spec(`oom-${name}-16-${i}`, 16), ddProfile, 60_000)
        expect(drafts).toHaveLength(1)
        expect(drafts[0]!.value).toBeNull()
        message = drafts[0]!.error?.message
      }
      expect(message).toMatch(/exited with code 137 \(OOM-killed: the memory limit\)/)
      const fine = await runToCompletion(arm, spec(`oom-${name}-128`, 128), ddProfile, 60_000)
      expect(fine[0]).toMatchObject({value: 1})
      // The instance's own end (Instance.exited) says it too.
      let oomKilled = false
      for (let i = 0; i < tries && !oomKilled; i++) {
        const instance = await arm.start(spec(`oom-${name}-end-${i}`, 16))
        oomKilled = Boolean((await instance.exited).oomKilled)
        await arm.stop(instance).catch(() => {})
      }
      expect(oomKilled).toBe(true)
    })
  }
})
