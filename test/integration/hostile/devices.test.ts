/**
 * Hostile: a container must not reach host devices. Docker's allowlist (src/runtime/devices.ts)
 * through the device cgroup, tested from inside real containers with mknod + open, on cgroup v1
 * (devices.allow/deny) and on cgroup2 (the BPF device program; this host is hybrid, so its
 * /sys/fs/cgroup/unified takes one, forced with ISOBENCH_DEVICE_CGROUP=v2), and in runc and crun.
 */
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {hostCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {DEFAULT_DEVICE_RULES, DEVICE_CGROUP_ENV, type OciDeviceRule} from '../../../src/runtime/cgroups/devices.js'
import {resolveImage} from '../../../src/runtime/container/image.js'
import {ensureNsexec} from '../../../src/runtime/native/build.js'
import {ociConfig} from '../../../src/runtime/oci/bundle.js'
import {probeOciRuntime} from '../../../src/runtime/oci/probe.js'
import {prepareOciRun, removeBundle} from '../../../src/runtime/oci/run.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {buildProbe, hostRootDevice, isRoot, newStateDir, parseProbe, runWithProbe} from './helpers.js'

const stateDir = newStateDir('devices')
let probe = ''
const [rootMajor, rootMinor] = isRoot ? hostRootDevice() : [0, 0]

/** Device → what an open must answer. */
const REFUSED: Array<[string, string]> = [
  ['c 1 11', '/dev/kmsg: the host kernel log (the reported escape)'],
  ['b 7 0', '/dev/loop0'],
  [`b ${rootMajor} ${rootMinor}`, "the host's root disk"],
  ['c 1 1', '/dev/mem'],
  ['c 10 229', '/dev/fuse (Docker denies it explicitly)'],
  ['b 8 0', '/dev/sda'],
]
const ALLOWED = ['c 1 3', 'c 1 5', 'c 1 7', 'c 1 8', 'c 1 9']

const script = [...REFUSED.map(([d]) => d), ...ALLOWED].map((d) => `echo "${d}: $(/probe dev ${d})"`).join('; ')

/** Each device line → {mknod, read, write}. */
function results(output: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>()
  for (const line of output.split('\n')) {
    const m = /^([bc] \d+ \d+): (.*)$/.exec(line)
    if (m) out.set(m[1]!, parseProbe(m[2]!))
  }
  return out
}

function expectDockerAllowlist(output: string): void {
  const r = results(output)
  for (const [dev, what] of REFUSED) {
    // Docker (runc's AllowedDevices) lets any node be made; opening it is what the list refuses.
    expect.soft(r.get(dev), `${dev} (${what})`).toEqual({mknod: 'OK', read: 'EPERM', write: 'EPERM'})
  }
  for (const dev of ALLOWED) expect.soft(r.get(dev), dev).toEqual({mknod: 'OK', read: 'OK', write: 'OK'})
}

/** The v1 kernel's list for these rules (security/device_cgroup.c), as devices.list prints it. */
function v1List(rules: OciDeviceRule[]): Set<string> {
  let ex = new Map<string, Set<string>>()
  let allowAll = true
  for (const r of rules) {
    if ((r.type ?? 'a') === 'a') {
      allowAll = r.allow
      ex = new Map()
      continue
    }
    const key = `${r.type} ${r.major ?? '*'}:${r.minor ?? '*'}`
    const bits = new Set((r.access ?? 'rwm').split(''))
    if (r.allow !== allowAll) ex.set(key, new Set([...(ex.get(key) ?? []), ...bits]))
    else if (ex.has(key)) {
      const left = new Set([...ex.get(key)!].filter((b) => !bits.has(b)))
      if (left.size) ex.set(key, left)
      else ex.delete(key)
    }
  }
  return new Set([...ex].map(([k, b]) => `${k} ${['r', 'w', 'm'].filter((x) => b.has(x)).join('')}`))
}

describe.skipIf(!isRoot)('hostile: host devices', () => {
  const layout = isRoot ? hostCgroups() : null
  beforeAll(async () => {
    probe = await buildProbe(stateDir)
    await resolveImage(stateDir, 'idle')
  }, 300_000)
  afterAll(async () => {
    delete process.env[DEVICE_CGROUP_ENV]
    await pruneContainers(stateDir, {all: true})
    rmSync(stateDir, {recursive: true, force: true})
  })

  describe.skipIf(!layout?.v1.devices)('cgroup v1 (devices.allow / devices.deny)', () => {
    beforeAll(() => void (process.env[DEVICE_CGROUP_ENV] = 'v1'))

    it('refuses /dev/kmsg, loop0, the root disk, /dev/mem, fuse and sda; null, zero, full, random, urandom work', async () => {
      const r = await runWithProbe(stateDir, probe, script)
      expect(r.exitCode).toBe(0)
      expectDockerAllowlist(r.output)
    })

    it("the kernel's devices.list for the container is the reduced allowlist, and nothing else", async () => {
      const name = 'dev-v1-list'
      const running = runWithProbe(stateDir, probe, 'sleep 1', {name})
      const file = join(layout!.v1.devices!, 'isobench', name, 'devices.list')
      let list = ''
      for (let i = 0; i < 400 && !list; i++) {
        if (existsSync(file)) list = readFileSync(file, 'utf8')
        await new Promise((res) => setTimeout(res, 5))
      }
      await running
      expect(new Set(list.trim().split('\n'))).toEqual(v1List(DEFAULT_DEVICE_RULES))
      expect(list).not.toContain('a *:* rwm')
      expect(existsSync(join(layout!.v1.devices!, 'isobench', name))).toBe(false) // removed at exit
    })

    it("the helper's own reduction of config.json's rules (the one the v2 program is built from) decides as the v1 kernel did", async () => {
      const r = results((await runWithProbe(stateDir, probe, script)).output)
      const config = join(stateDir, 'devices-config.json')
      writeFileSync(
        config,
        JSON.stringify(
          ociConfig({rootPath: '/r', argv: ['true'], env: {}, cwd: '/', hostname: 'h', network: 'none', limits: {}, id: 'x', cgroups: true, seccomp: null}),
        ),
      )
      const requests = [...r.keys()].flatMap((dev) => ['m', 'r', 'w'].map((a) => `${dev} ${a}`))
      const check = await execa(await ensureNsexec(), ['devices-check', config, ...requests])
      const decided = Object.fromEntries(check.stdout.split('\n').map((l) => [l.slice(0, l.lastIndexOf(' ')), l.slice(l.lastIndexOf(' ') + 1)]))
      const kernel = Object.fromEntries(
        [...r].flatMap(([dev, p]) =>
          [
            [`${dev} m`, p.mknod],
            [`${dev} r`, p.read],
            [`${dev} w`, p.write],
          ].map(([k, v]) => [k, v === 'OK' ? 'allow' : 'deny']),
        ),
      )
      expect(Object.keys(kernel)).toHaveLength(requests.length)
      expect(decided).toEqual(kernel)
    })
  })

  describe.skipIf(!layout?.v2Mount)('cgroup2 (BPF_PROG_TYPE_CGROUP_DEVICE program)', () => {
    beforeAll(() => void (process.env[DEVICE_CGROUP_ENV] = 'v2'))

    it('refuses the same devices with only the BPF program in force', async () => {
      const r = await runWithProbe(stateDir, probe, script, {name: 'dev-v2'})
      expect(r.exitCode).toBe(0)
      expectDockerAllowlist(r.output)
    })

    it('puts the container in a cgroup of the cgroup2 mount and none of the v1 devices hierarchy, and removes it at exit', async () => {
      const name = 'dev-v2-dir'
      const running = runWithProbe(stateDir, probe, 'sleep 1', {name})
      const dir = join(layout!.v2Mount!, 'isobench', name)
      const v1Dir = layout!.v1.devices ? join(layout!.v1.devices, 'isobench', name) : null
      let seen = false
      let v1WhileRunning = false
      for (let i = 0; i < 400 && !seen; i++) {
        seen = existsSync(dir) && readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() !== ''
        if (seen && v1Dir) v1WhileRunning = existsSync(v1Dir)
        await new Promise((res) => setTimeout(res, 5))
      }
      await running
      expect(seen).toBe(true)
      expect(v1WhileRunning).toBe(false)
      expect(existsSync(dir)).toBe(false)
    })
  })

  for (const name of ['runc', 'crun'] as const) {
    it(`${name} (the OCI arms' config.json) refuses the same devices`, async () => {
      delete process.env[DEVICE_CGROUP_ENV]
      const runtime = await probeOciRuntime(name)
      if (!runtime.works) return expect.soft(runtime.reason, `${name} unavailable`).toBeUndefined()
      const image = await resolveImage(stateDir, 'idle')
      const id = `hostile-dev-${name}`
      const {argv} = await prepareOciRun({
        stateDir,
        runtime,
        id,
        lowerDirs: image.lowerDirs,
        argv: ['/bin/sh', '-c', script],
        env: {},
        network: 'none',
        writableLayer: 'memory',
        limits: {},
        binds: [{source: probe, target: '/probe', readonly: true}],
      })
      try {
        const r = await execa(argv[0]!, argv.slice(1), {reject: false, all: true, timeout: 60_000})
        expect(r.exitCode, r.all).toBe(0)
        expectDockerAllowlist(r.all ?? '')
      } finally {
        removeBundle(stateDir, id)
      }
    })
  }
})
