/**
 * The container, runc and crun arms through the Arm interface, on the same image: readiness by
 * marker, resource samples with cgroup usage, the same rootfs digest, and nothing left after stop().
 */
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Arm, InstanceSpec, WorkloadSpec} from '../../../src/core/arm.js'
import {ContainerArm} from '../../../src/arms/container.js'
import {OciArm} from '../../../src/arms/oci-arm.js'
import {configSchema} from '../../../src/core/config.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {silentLogger} from '../../../src/core/log.js'
import {OCI_PHASES, RUNTIME_PHASES} from '../../../src/core/markers.js'
import {listContainerCgroups, hostCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {pruneContainers} from '../../../src/runtime/prune.js'

const root = process.getuid?.() === 0
const stateDir = mkdtempSync(join(tmpdir(), 'isobench-arms-'))
const cleanup = new CleanupRegistry()
const ctx = {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: 'arms-test'}
const workload: WorkloadSpec = {name: 'idle', argv: ['sleep', '30'], ready: {kind: 'marker'}}

const arms: Array<[string, () => Arm & {rootfsDigest(image?: string): string | null}]> = [
  ['container', () => new ContainerArm(ctx)],
  ['runc', () => new OciArm('runc', ctx)],
  ['crun', () => new OciArm('crun', ctx)],
]

describe.skipIf(!root)('container, runc and crun arms', () => {
  const digests: Record<string, string | null> = {}
  afterAll(async () => {
    await cleanup.runAll()
    await pruneContainers(stateDir, {all: true})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it.each(arms)('%s: ready by marker, samples cgroup usage, stops clean', async (name, make) => {
    const arm = make()
    const avail = await arm.available()
    if (!avail.ok) {
      // The runtimes are apt packages `isobench setup` installs; a host without them cannot run this arm.
      expect(avail.reason).toBeTruthy()
      return
    }
    await arm.prepare([workload])
    const spec: InstanceSpec = {id: `t-${name}`, workload, limits: {memoryMiB: 64, cpus: 1, pids: 50}, network: 'none', readyTimeoutMs: 20_000}
    const inst = await arm.start(spec)
    const ready = await arm.waitReady(inst)
    expect(ready.readyAt).toBeGreaterThan(inst.startedAt)
    // Every start begins with the launcher's spawn mark; our runtime reports its own phases (namespaces,
    // rootfs, pivot_root, exec), runc what its state files say (created, started); crun's give nothing before the start.
    // runc removes exec.fifo (started) after it has released the init, so the init's markers may come before it.
    const phases = ready.phases.map((p) => p.phase)
    if (name === 'runc') {
      // (and after ready: then it may not have arrived yet when ready is read)
      const [created, started] = OCI_PHASES
      expect(phases.filter((p) => p !== started)).toEqual(['spawn', created, 'init', 'ready'])
      if (phases.includes(started)) expect(phases.indexOf(started)).toBeGreaterThan(phases.indexOf(created))
    } else expect(phases).toEqual(name === 'container' ? ['spawn', ...RUNTIME_PHASES, 'init', 'ready'] : ['spawn', 'init', 'ready'])
    const at = ready.phases.map((p) => p.at)
    expect(at).toEqual([...at].sort((a, b) => a - b))
    const sample = await arm.sample(inst)
    expect(sample.pssBytes).toBeGreaterThan(0)
    expect(sample.cpuSeconds).toBeGreaterThan(0)
    expect(sample.cgroupMemoryBytes).toBeGreaterThan(0)
    const info = arm.info()
    expect(info.name).toBe(name)
    expect(Object.values(info.versions).every((v) => v && v !== 'unknown')).toBe(true)
    digests[name] = arm.rootfsDigest()
    await arm.stop(inst)
    expect((await inst.exited).code).not.toBe(0)
    const leftovers = [...listContainerCgroups(hostCgroups()).keys()].filter((id) => id.includes(`t-${name}`))
    expect(leftovers).toEqual([])
    for (const sub of ['containers', 'oci']) {
      const dir = join(stateDir, sub)
      expect(existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : []).toEqual([])
    }
  })

  it('all arms ran the same rootfs (parity)', () => {
    const seen = Object.values(digests).filter(Boolean)
    expect(seen.length).toBeGreaterThan(0)
    expect(new Set(seen).size).toBe(1)
    expect(seen[0]).toMatch(/^sha256:[0-9a-f]{64}$/)
  })
})
