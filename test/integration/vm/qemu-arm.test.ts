/**
 * The qemu arm for real: TCG guests (KVM where a probe boot works) booting the idle image's rootfs —
 * the same digest the container arms use — with markers on the serial console, QMP, user-mode
 * networking with a loopback port forward, and a guest that misses its deadline. Three guest boots.
 */
import {existsSync, readdirSync, rmSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {InstanceSpec, WorkloadSpec} from '../../../src/core/arm.js'
import {QemuArm} from '../../../src/arms/qemu.js'
import {configSchema} from '../../../src/core/config.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {silentLogger} from '../../../src/core/log.js'
import {ArmError} from '../../../src/core/errors.js'
import {ensureImage, openImageStore, unpackRootfs} from '../../../src/images/rootfs.js'
import {findVmProcesses} from '../../../src/vm/instances.js'
import {instancesDir} from '../../../src/vm/paths.js'
import {tempDir} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64')
const base = tempDir('isobench-vm-arm-')
const stateDir = `${base}/state`
const cleanup = new CleanupRegistry()
const arm = new QemuArm({config: configSchema.parse({stateDir, vm: {accel: 'auto'}}), cleanup, log: silentLogger, runId: 'vmtest'})

const idle: WorkloadSpec = {name: 'idle', argv: ['sleep', '3600'], ready: {kind: 'marker'}, image: 'idle'}
const spec = (id: string, over: Partial<InstanceSpec> = {}): InstanceSpec => ({
  id,
  workload: idle,
  limits: {cpus: 1, memoryMiB: 192},
  network: 'none',
  readyTimeoutMs: 90_000,
  ...over,
})

const ours = () => [...findVmProcesses().values()].filter((id) => id.startsWith('vmtest-'))

afterAll(async () => {
  await arm.cleanup()
  await cleanup.runAll()
  rmSync(base, {recursive: true, force: true})
})

describe.skipIf(!isRoot || !hasQemu)('qemu arm (real guests)', () => {
  beforeAll(async () => {
    expect((await arm.available()).ok).toBe(true)
    await arm.prepare([idle]) // fetches the cloud kernel, builds the idle image and its initramfs
  }, 300_000)

  it('boots the same rootfs digest as the containers, reports phases in order and labels the accelerator', async () => {
    const store = openImageStore(stateDir)
    const {digest} = await unpackRootfs(store, await ensureImage(store, 'idle'))
    expect(arm.rootfsDigest('idle')).toBe(digest)
    const info = arm.info()
    expect(['kvm', 'tcg']).toContain(info.accel)
    expect(info.notes).toContain(`accel: ${info.accel}`)
    expect(info.versions.qemu).toMatch(/^\d+\.\d+/)

    // Pinned to CPU 0, as interference's cpuset isolation asks: every qemu thread may run there only.
    const instance = await arm.start(spec('vmtest-ready', {limits: {cpus: 1, memoryMiB: 192, cpuset: '0'}}))
    const ready = await arm.waitReady(instance)
    const names = ready.phases.map((p) => p.phase)
    for (const p of ['spawn', 'qmp', 'kernel', 'init', 'ready']) expect(names).toContain(p)
    expect(names.indexOf('kernel')).toBeLessThan(names.indexOf('init'))
    expect(names.indexOf('init')).toBeLessThan(names.indexOf('ready'))
    for (let i = 1; i < ready.phases.length; i++) expect(ready.phases[i]!.at).toBeGreaterThanOrEqual(ready.phases[i - 1]!.at)
    expect(ready.readyAt).toBeGreaterThan(instance.startedAt)
    expect(instance.output()).toContain('Linux version')

    const s = await arm.sample(instance)
    expect(instance.pids()).toHaveLength(1)
    expect(s.pssBytes!).toBeGreaterThan(20 * 2 ** 20)
    expect(s.rssBytes!).toBeGreaterThanOrEqual(s.pssBytes!)
    expect(s.cpuSeconds!).toBeGreaterThan(0)

    const pid = instance.pids()[0]!
    const {readdirSync: tasks, readFileSync: read} = await import('node:fs')
    for (const tid of tasks(`/proc/${pid}/task`)) expect(/Cpus_allowed_list:\s*(\S+)/.exec(read(`/proc/${pid}/task/${tid}/status`, 'utf8'))![1]).toBe('0')
    await arm.stop(instance)
    expect(existsSync(`/proc/${pid}`)).toBe(false)
    expect(ours()).toEqual([])
    expect(existsSync(`${instancesDir(stateDir)}/vmtest-ready`)).toBe(false)
  })

  it('user-mode networking: an HTTP workload is ready by a host-side probe through a loopback forward', async () => {
    const web: WorkloadSpec = {
      name: 'httpd',
      argv: ['httpd', '-f', '-p', '8080', '-h', '/isobench'],
      ready: {kind: 'http', port: 8080, path: '/init'},
      ports: [8080],
      image: 'idle',
    }
    const instance = await arm.start(spec('vmtest-http', {workload: web, network: 'user'}))
    try {
      expect(instance.endpoint?.host).toBe('127.0.0.1')
      const hostPort = instance.endpoint!.ports[8080]!
      expect(hostPort).toBeGreaterThan(0)
      await arm.waitReady(instance)
      const res = await fetch(`http://127.0.0.1:${hostPort}/init`)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('ISOBENCH init') // the init script itself, served from the guest
    } finally {
      await arm.stop(instance)
    }
  })

  it('a guest that never gets ready fails at the deadline with its last serial output, and is killed', async () => {
    // Readiness by HTTP on a port nothing in the guest listens on: never ready, on KVM as on TCG.
    const never: WorkloadSpec = {name: 'never', argv: ['sleep', '3600'], ready: {kind: 'http', port: 8081, path: '/'}, ports: [8081], image: 'idle'}
    const instance = await arm.start(spec('vmtest-never', {workload: never, network: 'user', readyTimeoutMs: 8000}))
    const err = await arm.waitReady(instance).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ArmError)
    expect((err as ArmError).code).toBe('not-ready')
    expect((err as ArmError).detail?.lastOutput).toMatch(/Linux version|ISOBENCH|\[\s*\d/)
    await arm.stop(instance)
    expect(ours()).toEqual([])
    expect(existsSync(instancesDir(stateDir)) ? readdirSync(instancesDir(stateDir)) : []).toEqual([])
  })
})
