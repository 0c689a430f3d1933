/**
 * The isolation spectrum's arms for real: chroot, runsc (gVisor), lxc, podman, ctr (containerd) and
 * docker (dockerd), each started as an arm on the idle and cpu workloads. Each instance is ready by
 * the marker of the injected init (bound from the host: its inode is checked; the engines' own
 * phases too where they report them), its figures are real (PSS, cgroup memory, CPU; an engine's
 * share apart), the scenario's limits reached the kernel (read from
 * the cgroups of the instance's own processes), the cpu workload reports its throughput, every arm ran
 * the same rootfs (the engines' unpacked layers hashed), the parity manifest names what ctr cannot
 * set, and after stop() and cleanup() nothing of the arms is left: no process, mount, cgroup or dir.
 * Daemons start once for the whole file (prepare in beforeAll). A second part kills a process that
 * runs instances of every kind with SIGKILL and checks that prune removes all it left.
 */
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ChrootArm} from '../../../src/arms/chroot.js'
import {EngineArm} from '../../../src/arms/engine-arm.js'
import {LxcArm} from '../../../src/arms/lxc.js'
import {OciArm} from '../../../src/arms/oci-arm.js'
import {prepareWorkloads} from '../../../src/arms/workload-images.js'
import type {Arm, InstanceSpec, WorkloadSpec} from '../../../src/core/arm.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {configSchema} from '../../../src/core/config.js'
import {silentLogger} from '../../../src/core/log.js'
import {parityRecords} from '../../../src/engine/parity.js'
import {processStartTicks} from '../../../src/host/owner.js'
import {runTag} from '../../../src/host/run-label.js'
import {runToCompletion} from '../../../src/metrics/instances.js'
import {detectCgroupLayout} from '../../../src/runtime/cgroups/cgroups.js'
import {cgroupsBelow} from '../../../src/runtime/engines/host-traces.js'
import {mountsAtOrBelow, processesUsing} from '../../../src/runtime/labelled-dirs.js'
import {INIT_BINARY} from '../../../src/runtime/native/init.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {catalog} from '../../../src/workloads/catalog.js'
import type {WorkloadProfile} from '../../../src/workloads/profile.js'
import {ROOT} from '../../helpers/cli.js'
import {settled} from '../../helpers/settle.js'

const root = process.getuid?.() === 0
const base = mkdtempSync(join(tmpdir(), 'isobench-spectrum-'))
const stateDir = join(base, 'state')
const runId = `spectrum-test-${process.pid}`
const tag = runTag(runId)
const cleanup = new CleanupRegistry()
const ctx = {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId}
const LIMITS = {cpus: 1, memoryMiB: 256, pids: 64}

// The built-in workloads as the runner prepares them (beforeAll): images built, each spec's image the store's manifest digest.
let idle: WorkloadSpec
let cpu: {workload: WorkloadSpec; profile: WorkloadProfile}
let idleDigest: string
let stressDigest: string

const NAMES = ['chroot', 'runsc', 'lxc', 'podman', 'ctr', 'docker'] as const
type Name = (typeof NAMES)[number]
const make: Record<Name, () => Arm> = {
  chroot: () => new ChrootArm(ctx),
  runsc: () => new OciArm('runsc', ctx),
  lxc: () => new LxcArm(ctx),
  podman: () => new EngineArm('podman', ctx),
  ctr: () => new EngineArm('ctr', ctx),
  docker: () => new EngineArm('docker', ctx),
}
/** Arms with a monitor or an engine beside the instance: its share is reported apart. */
const WITH_ENGINE: Name[] = ['lxc', 'podman', 'ctr', 'docker']

const arms = new Map<Name, Arm>()
let counter = 0
/** Instance ids carry this process's pid: another checkout running this file at the same time names its cgroups apart. */
const ID_PREFIX = `sp-${process.pid}-`
const spec = (name: Name, workload: WorkloadSpec): InstanceSpec => ({
  id: `${ID_PREFIX}${name}-${++counter}`,
  workload,
  limits: LIMITS,
  network: 'none',
  readyTimeoutMs: 60_000,
})

/** The memory limit and CPU quota of the cgroups any of these processes are in (v1 hierarchies or v2). */
function limitsOf(pids: number[]): {memory: Set<number>; quota: Set<string>; pids: Set<string>} {
  const layout = detectCgroupLayout()
  const out = {memory: new Set<number>(), quota: new Set<string>(), pids: new Set<string>()}
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8').trim()
    } catch {
      return null
    }
  }
  for (const pid of pids) {
    const lines = read(`/proc/${pid}/cgroup`)?.split('\n') ?? []
    const path = (ctrl: string) => lines.find((l) => l.split(':')[1]!.split(',').includes(ctrl))?.split(':')[2]
    const v2 = lines.find((l) => l.startsWith('0::'))?.slice(3)
    if (layout.mode === 'v2' && v2 && layout.v2) {
      const m = read(join(layout.v2, v2, 'memory.max'))
      if (m && m !== 'max') out.memory.add(Number(m))
      const q = read(join(layout.v2, v2, 'cpu.max'))
      if (q) out.quota.add(q.split(' ')[0]!)
      const p = read(join(layout.v2, v2, 'pids.max'))
      if (p) out.pids.add(p)
      continue
    }
    const mem = path('memory')
    if (mem && layout.v1.memory) out.memory.add(Number(read(join(layout.v1.memory, mem, 'memory.limit_in_bytes'))))
    const cpuPath = path('cpu')
    if (cpuPath && layout.v1.cpu) out.quota.add(read(join(layout.v1.cpu, cpuPath, 'cpu.cfs_quota_us')) ?? '')
    const pidsPath = path('pids')
    if (pidsPath && layout.v1.pids) out.pids.add(read(join(layout.v1.pids, pidsPath, 'pids.max')) ?? '')
  }
  return out
}

/** Everything of this file's arms still on the host (their instances' ids start with idPrefix). */
function leftovers(dir: string, runTagValue: string, idPrefix: string) {
  const layout = detectCgroupLayout()
  const ours = layout.allMounts.flatMap((mp) => {
    const parent = join(mp, 'isobench')
    return existsSync(parent)
      ? readdirSync(parent).filter((n) => n.startsWith(`chroot-${runTagValue}-`) || n.startsWith(`lxc-${runTagValue}-`) || n.startsWith(`runsc-${idPrefix}`))
      : []
  })
  return {
    processes: processesUsing(dir),
    mounts: mountsAtOrBelow(dir),
    cgroups: [...cgroupsBelow(`/isobench-engines/${runTagValue}`), ...ours],
    dirs: ['chroot', 'lxc', 'engines'].flatMap((d) => (existsSync(join(dir, d)) ? readdirSync(join(dir, d)) : [])),
  }
}

describe.skipIf(!root)('the isolation spectrum as arms', () => {
  const digests: Record<string, string | null> = {}
  const figures: Record<string, Record<string, number | string>> = {}

  beforeAll(async () => {
    const prepared = await prepareWorkloads([catalog().get('idle')!, catalog().get('cpu')!], {stateDir, log: silentLogger, cleanup})
    idle = prepared.get('idle')!.spec
    cpu = {workload: prepared.get('cpu')!.spec, profile: prepared.get('cpu')!.profile}
    idleDigest = prepared.get('idle')!.rootfsDigest
    stressDigest = prepared.get('cpu')!.rootfsDigest
    for (const name of NAMES) {
      const arm = make[name]()
      const a = await arm.available()
      expect(a.ok, `${name}: ${a.reason}`).toBe(true)
      arms.set(name, arm)
    }
    // Daemons and images for the whole file, before anything is timed: the arms in parallel, as the runner prepares them.
    await Promise.all([...arms.values()].map((arm) => arm.prepare([idle, cpu.workload])))
  }, 600_000)

  afterAll(async () => {
    for (const arm of arms.values()) await arm.cleanup()
    await cleanup.runAll()
    const left = leftovers(stateDir, tag, ID_PREFIX)
    await pruneContainers(stateDir, {all: true})
    rmSync(base, {recursive: true, force: true})
    console.log(`spectrum figures (idle, limits cpus 1, 256 MiB): ${JSON.stringify(figures)}`)
    expect(left, 'left after cleanup()').toEqual({processes: [], mounts: [], cgroups: [], dirs: []})
  }, 300_000)

  it.each(NAMES)('%s: ready by marker on idle, real figures, the limits in its cgroups, stops clean', async (name) => {
    const arm = arms.get(name)!
    const inst = await arm.start(spec(name, idle))
    const ready = await arm.waitReady(inst)
    const phases = ready.phases.map((p) => p.phase)
    expect(phases).toContain('init')
    expect(phases.at(-1)).toBe('ready')
    expect(ready.phases.map((p) => p.at)).toEqual([...ready.phases.map((p) => p.at)].sort((a, b) => a - b))
    if (name === 'ctr' || name === 'docker') expect(phases[0]).toBe('container-create') // the engine's own events
    const startupMs = ready.readyAt - inst.startedAt
    expect(startupMs).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 300))
    const s = await arm.sample(inst)
    expect(s.pssBytes).toBeGreaterThan(100 * 1024)
    expect(s.cgroupMemoryBytes).toBeGreaterThan(0)
    expect(s.cpuSeconds).toBeGreaterThanOrEqual(0)
    if (WITH_ENGINE.includes(name)) expect(s.enginePssBytes).toBeGreaterThan(100 * 1024)
    else expect(s.enginePssBytes).toBeUndefined()
    // The init that ran is the injected one, bound from the host (the same inode), not a file of the image.
    if (name !== 'runsc') {
      const init = statSync(INIT_BINARY)
      const exes = inst.pids().map((pid) => {
        try {
          return statSync(`/proc/${pid}/exe`)
        } catch {
          return null
        }
      })
      expect(
        exes.some((e) => e?.ino === init.ino && e.dev === init.dev),
        `${name} runs the injected init`,
      ).toBe(true)
    }
    const lim = limitsOf(inst.pids())
    expect([...lim.memory], `${name} memory limit`).toContain(256 * 1024 * 1024)
    expect([...lim.quota], `${name} cpu quota`).toContain('100000')
    // ctr run has no pids flag: the parity manifest says so (below) instead.
    if (name !== 'ctr') expect([...lim.pids], `${name} pids limit`).toContain('64')
    figures[name] = {startupMs: Math.round(startupMs), pssMiB: +(s.pssBytes! / 2 ** 20).toFixed(2), engineMiB: +((s.enginePssBytes ?? 0) / 2 ** 20).toFixed(1)}
    await arm.stop(inst)
    const exit = await inst.exited
    expect(exit.code === 0 && !exit.signal, `${name} was killed, not a clean exit`).toBe(false)
    const layout = detectCgroupLayout()
    const left = layout.allMounts.flatMap((mp) =>
      existsSync(join(mp, 'isobench')) ? readdirSync(join(mp, 'isobench')).filter((n) => n.includes(inst.id)) : [],
    )
    expect(left, `${name} left cgroups`).toEqual([])
    if (name === 'podman' || name === 'ctr' || name === 'docker') expect(cgroupsBelow(`/isobench-engines/${tag}/${name}/ib-${tag}-${inst.id}`)).toEqual([])
    digests[name] = arm.rootfsDigest!(idle.image!)
  })

  it.each(NAMES)('%s: the cpu workload runs to its end and reports its throughput', async (name) => {
    const arm = arms.get(name)!
    const drafts = await runToCompletion(arm, spec(name, cpu.workload), cpu.profile, 60_000)
    const ops = drafts.find((d) => d.figure === 'ops_per_s')
    expect(ops?.error).toBeUndefined()
    expect(ops?.value).toBeGreaterThan(0)
    figures[name] = {...figures[name], cpuOpsPerS: Math.round(ops!.value!)}
  })

  it('every arm ran the same rootfs (the engines: their own unpacked layers), and parity names what ctr cannot set', async () => {
    const ours = idleDigest
    expect(ours).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(digests).toEqual(Object.fromEntries(NAMES.map((n) => [n, ours])))
    for (const name of NAMES) expect(arms.get(name)!.rootfsDigest!(cpu.workload.image!), name).toBe(stressDigest)
    const [record] = parityRecords([{workload: 'idle', limits: {...LIMITS, cpuset: '0'}, arms: [...NAMES]}], arms, new Map([['idle', {spec: idle}]]))
    expect(new Set(Object.values(record!.rootfsDigest!))).toEqual(new Set([ours]))
    expect(record!.mismatches.filter((m) => m.startsWith('ctr:'))).toEqual([
      expect.stringMatching(/^ctr: no cpuset/),
      expect.stringMatching(/^ctr: no pids limit/),
    ])
    expect(record!.mismatches.join('\n')).not.toMatch(/rootfs digests differ/)
  })
})

describe.skipIf(!root)('a killed run of the spectrum arms', () => {
  it('leaves nothing that prune does not remove: daemons, shims, containers, monitors, mounts, cgroups, dirs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isobench-spectrum-kill-'))
    const killState = join(dir, 'state')
    const killRun = `spectrum-kill-${process.pid}`
    try {
      const child = execa(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        [join(ROOT, 'test', 'fixtures', 'spectrum', 'start-and-wait.ts'), killState, killRun, 'chroot', 'lxc', 'podman', 'ctr', 'docker'],
        {
          cwd: ROOT,
          reject: false,
          all: true,
        },
      )
      let out = ''
      child.all!.on('data', (d: Buffer) => (out += d.toString()))
      const deadline = Date.now() + 300_000
      while (!out.includes('ALL READY') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200))
      expect(out).toContain('ALL READY')
      // SIGKILL: no handler runs, the daemons and containers outlive it.
      const pids = (await execa('pgrep', ['-f', `start-and-wait.ts ${killState}`], {reject: false})).stdout.split('\n').filter(Boolean)
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL')
      await child
      const killPid = Number(out.match(/PID (\d+)/)![1])
      const killTag = runTag(killRun, killPid)
      // killed, not still dying: prune keeps the dirs of a run whose process is alive (tsx's exit does not wait for its node child's)
      expect(await settled(() => (processStartTicks(killPid) === null ? [] : [killPid]))).toEqual([])
      expect(processesUsing(killState).length, 'the killed run left processes to prune').toBeGreaterThan(0)
      const pruned = await pruneContainers(killState)
      expect(pruned.runDirs, 'chroot, lxc and engines run dirs').toHaveLength(3)
      await new Promise((r) => setTimeout(r, 500))
      expect(leftovers(killState, killTag, `kill-${killPid}-`)).toEqual({processes: [], mounts: [], cgroups: [], dirs: []})
    } finally {
      await pruneContainers(killState, {all: true})
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
