/**
 * The process arm under the same placement as the other arms (#21): a cpuset pins the workload
 * (sched_setaffinity in isobench-launch, read back from /proc/PID/status), a CPU quota, memory or
 * pids limit puts it in a cgroup of its own with that limit (read back from the cgroup files the
 * kernel shows), gone once the instance is stopped; a killed run's instance cgroups go with
 * `isobench prune`. The launcher's timing: a spawn mark first, the harness floor positive.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {WorkloadSpec} from '../../../src/core/arm.js'
import {ProcessArm} from '../../../src/arms/process.js'
import {configSchema} from '../../../src/core/config.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {silentLogger} from '../../../src/core/log.js'
import {hostCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {pruneRuns} from '../../../src/runtime/prune-runs.js'
import {listRunDirs} from '../../../src/host/runs.js'

const root = process.getuid?.() === 0
const stateDir = mkdtempSync(join(tmpdir(), 'isobench-placement-'))
const cleanup = new CleanupRegistry()
const ctx = {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: 'placement-test'}
const sleeper: WorkloadSpec = {name: 'sleeper', argv: ['sleep', '30'], ready: {kind: 'marker'}}

/** The instance's init (the launcher's child: busybox sh running the init script), from pids(). */
function initPid(pids: number[]): number {
  if (!pids[0]) throw new Error('the instance has no processes')
  return pids[0]
}

/** The cgroup a pid is in, in the v1 hierarchy of `controller` (from /proc/PID/cgroup). */
function cgroupOf(pid: number, controller: string): string | undefined {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':')
    if (controllers?.split(',').includes(controller)) return path
  }
  return undefined
}

describe.skipIf(!root)('process arm placement', () => {
  afterAll(async () => {
    await cleanup.runAll()
    rmSync(stateDir, {recursive: true, force: true})
  })

  it('cpuset pins the workload and all it starts (sched_setaffinity), with no cgroup of its own', async () => {
    const arm = new ProcessArm(ctx)
    await arm.prepare()
    const inst = await arm.start({id: 'pin', workload: sleeper, limits: {cpuset: '0'}, network: 'none', readyTimeoutMs: 20_000})
    try {
      const ready = await arm.waitReady(inst)
      expect(ready.phases[0]!.phase).toBe('spawn') // the launcher's mark, on the kernel's clock
      for (const pid of inst.pids()) expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Cpus_allowed_list:\s+0$/m)
      expect(cgroupOf(initPid(inst.pids()), 'memory')).not.toMatch(/placement-test|\.pin$/)
    } finally {
      await arm.stop(inst)
      await arm.cleanup()
    }
  })

  it('a CPU quota, memory and pids limit: a cgroup of its own with those limits, removed at stop', async () => {
    const layout = hostCgroups()
    const arm = new ProcessArm(ctx)
    await arm.prepare()
    const inst = await arm.start({id: 'limited', workload: sleeper, limits: {cpus: 0.5, memoryMiB: 96, pids: 64}, network: 'none', readyTimeoutMs: 20_000})
    let dirs: string[] = []
    try {
      await arm.waitReady(inst)
      const pid = initPid(inst.pids())
      const memory = cgroupOf(pid, 'memory')
      expect(memory).toMatch(/^\/isobench\/process_.*\.limited$/)
      if (layout.mode !== 'v2') {
        dirs = [join(layout.v1.memory!, memory!), join(layout.v1.cpu!, cgroupOf(pid, 'cpu')!), join(layout.v1.pids!, cgroupOf(pid, 'pids')!)]
        expect(readFileSync(join(dirs[0]!, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(96 * 2 ** 20))
        expect(readFileSync(join(dirs[1]!, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe(
          String(Number(readFileSync(join(dirs[1]!, 'cpu.cfs_period_us'), 'utf8')) / 2),
        )
        expect(readFileSync(join(dirs[2]!, 'pids.max'), 'utf8').trim()).toBe('64')
      }
      const sample = await arm.sample(inst)
      expect(sample.cgroupMemoryBytes).toBeGreaterThan(0) // read as a container's is
    } finally {
      await arm.stop(inst)
      await arm.cleanup()
    }
    await new Promise((r) => setTimeout(r, 200)) // the exit's handler releases the placement
    for (const d of dirs) expect(existsSync(d), d).toBe(false)
  })

  it("a killed run's instance cgroups go with prune", async () => {
    const own = mkdtempSync(join(tmpdir(), 'isobench-placement-prune-'))
    const c = new CleanupRegistry()
    const arm = new ProcessArm({config: configSchema.parse({stateDir: own}), cleanup: c, log: silentLogger, runId: 'placement-prune'})
    try {
      await arm.prepare()
      const inst = await arm.start({id: 'left', workload: sleeper, limits: {memoryMiB: 64}, network: 'none', readyTimeoutMs: 20_000})
      await arm.waitReady(inst)
      const memory = cgroupOf(initPid(inst.pids()), 'memory')!
      const dir = join(hostCgroups().v1.memory ?? hostCgroups().v2!, memory)
      expect(existsSync(dir)).toBe(true)
      // As if this run had been killed: its owner record names a process that no longer runs.
      const [run] = listRunDirs(own)
      const file = join(run!.dir, 'owner.json')
      const record = JSON.parse(readFileSync(file, 'utf8')) as {owner: {startTicks: number}}
      record.owner.startTicks = 1
      writeFileSync(file, JSON.stringify(record))
      const r = pruneRuns(own)
      expect(r.cgroups).toContain(dir)
      expect(existsSync(dir)).toBe(false)
      await arm.stop(inst)
    } finally {
      await c.runAll()
      rmSync(own, {recursive: true, force: true})
    }
  })

  it('the harness floor (launcher → /bin/true → reaped) is a positive figure on the kernel clock', async () => {
    const arm = new ProcessArm(ctx)
    const floor = await arm.harnessFloor()
    expect(floor).toBeGreaterThan(0)
    expect(floor).toBeLessThan(1000)
  })
})
