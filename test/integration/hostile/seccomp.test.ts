/**
 * Hostile: seccomp. Docker's default profile refuses keyctl, unshare(CLONE_NEWUSER) and bpf with
 * EPERM inside our containers (run and exec) and inside runc/crun containers given the same
 * config.json object; `--security-opt seccomp=unconfined` lifts it (the kernel then answers, as
 * the rest of the isolation permits), and a Docker-format FILE profile is applied as written.
 */
import {existsSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {deleteContainer, execInContainer} from '../../../src/runtime/container/lifecycle.js'
import {resolveImage} from '../../../src/runtime/container/image.js'
import {probeOciRuntime} from '../../../src/runtime/oci/probe.js'
import {prepareOciRun, removeBundle} from '../../../src/runtime/oci/run.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {runContainer} from '../../../src/runtime/container/run.js'
import {containerDir} from '../../../src/runtime/container/state.js'
import {isobench} from '../../helpers/cli.js'
import {buildProbe, isRoot, newStateDir, parseProbe, runWithProbe} from './helpers.js'

const stateDir = newStateDir('seccomp')
let probe = ''
const SYSCALLS = '/probe sys keyctl unshare-user bpf mkdir getpid; grep Seccomp: /proc/self/status'

describe.skipIf(!isRoot)('hostile: seccomp', () => {
  beforeAll(async () => {
    probe = await buildProbe(stateDir)
    await resolveImage(stateDir, 'idle')
  }, 300_000)
  afterAll(async () => {
    await pruneContainers(stateDir, {all: true})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it("refuses keyctl, unshare(CLONE_NEWUSER) and bpf with EPERM under Docker's default profile", async () => {
    const r = await runWithProbe(stateDir, probe, SYSCALLS)
    expect(r.exitCode).toBe(0)
    expect(r.output).toMatch(/Seccomp:\s+2/)
    expect(parseProbe(r.output)).toMatchObject({keyctl: 'EPERM', 'unshare-user': 'EPERM', bpf: 'EPERM', mkdir: 'OK', getpid: 'OK'})
  })

  it('lets them reach the kernel with --security-opt seccomp=unconfined', async () => {
    const r = await runWithProbe(stateDir, probe, SYSCALLS, {securityOpt: ['seccomp=unconfined']})
    expect(r.exitCode).toBe(0)
    expect(r.output).toMatch(/Seccomp:\s+0/)
    // keyctl and a user namespace need no capability; bpf's invalid command is EINVAL from the kernel itself.
    expect(parseProbe(r.output)).toMatchObject({keyctl: 'OK', 'unshare-user': 'OK', bpf: 'EINVAL'})
  })

  it("applies a custom profile FILE in Docker's format as written", async () => {
    const file = join(stateDir, 'custom.json')
    writeFileSync(
      file,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          {names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13},
          {names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: {caps: ['CAP_KILL']}},
        ],
      }),
    )
    const r = await runWithProbe(stateDir, probe, SYSCALLS, {securityOpt: [`seccomp=${file}`]})
    expect(r.exitCode).toBe(0)
    expect(r.output).toMatch(/Seccomp:\s+2/)
    // mkdir refused with the profile's errno; getpid's rule is excluded (the container holds CAP_KILL); the rest allowed.
    expect(parseProbe(r.output)).toMatchObject({mkdir: 'EACCES', getpid: 'OK', keyctl: 'OK', 'unshare-user': 'OK', bpf: 'EINVAL'})
  })

  it('refuses a bad profile FILE with exit 2, naming the file and field, and creates nothing', async () => {
    const file = join(stateDir, 'bad.json')
    writeFileSync(file, JSON.stringify({defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{names: ['mkdir'], action: 'SCMP_ACT_DENY'}]}))
    const r = await isobench(
      ['container', 'run', '--rm', '--name', 'bad-profile', '--network', 'none', '--security-opt', `seccomp=${file}`, 'idle', '--', 'true'],
      {env: {ISOBENCH_STATE_DIR: stateDir}},
    )
    expect(r.exitCode).toBe(2)
    expect(r.all).toContain(`${file}: syscalls[0].action: expected one of SCMP_ACT_KILL`)
    expect(r.all).not.toMatch(/\n\s+at /)
    expect(existsSync(containerDir(stateDir, 'bad-profile'))).toBe(false)
  })

  it("applies the container's profile to exec'd processes too", async () => {
    const cleanup = new CleanupRegistry()
    await runContainer({
      stateDir,
      image: 'idle',
      command: ['sleep', '30'],
      name: 'exec-seccomp',
      rm: false,
      detach: true,
      network: 'none',
      publish: [],
      mounts: [`type=bind,src=${probe},dst=/probe,ro`],
      env: [],
      cleanup,
    })
    try {
      const child = await execInContainer(stateDir, 'exec-seccomp', ['/probe', 'sys', 'keyctl', 'unshare-user', 'getpid'])
      let out = ''
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
      await new Promise((res) => child.once('close', res))
      expect(parseProbe(out)).toMatchObject({keyctl: 'EPERM', 'unshare-user': 'EPERM', getpid: 'OK'})
    } finally {
      await deleteContainer(stateDir, 'exec-seccomp', true)
      await cleanup.runAll()
    }
  })

  for (const name of ['runc', 'crun'] as const) {
    it(`${name} given the same config.json object refuses them too`, async () => {
      const runtime = await probeOciRuntime(name)
      if (!runtime.works) return expect.soft(runtime.reason, `${name} unavailable`).toBeUndefined()
      const image = await resolveImage(stateDir, 'idle')
      const id = `hostile-sec-${name}`
      const {argv} = await prepareOciRun({
        stateDir,
        runtime,
        id,
        lowerDirs: image.lowerDirs,
        argv: ['/bin/sh', '-c', SYSCALLS],
        env: {},
        network: 'none',
        writableLayer: 'memory',
        limits: {},
        binds: [{source: probe, target: '/probe', readonly: true}],
      })
      try {
        const r = await execa(argv[0]!, argv.slice(1), {reject: false, all: true, timeout: 60_000})
        expect(r.exitCode, r.all).toBe(0)
        expect(r.all).toMatch(/Seccomp:\s+2/)
        expect(parseProbe(r.all ?? '')).toMatchObject({keyctl: 'EPERM', 'unshare-user': 'EPERM', bpf: 'EPERM', mkdir: 'OK'})
      } finally {
        removeBundle(stateDir, id)
      }
    })
  }
})
