/**
 * `container exec` right after a detached start enters the container as it will be, never halfway
 * set up. The root cause of a flake in seccomp.test.ts ("applies the container's profile to exec'd
 * processes too" printed nothing): the helper wrote the init's pid file — what makes a container
 * "running" and exec-able — as soon as the init was in its cgroups, while the init was still
 * building its rootfs and joining its network namespace. An exec in that window joined the init's
 * mount namespace at the host's root (no /probe: exec failed, stdout empty) and the host's
 * network namespace. Now the pid file is written only after the init reports that it is set up.
 * 10 start+exec pairs back to back, each checked from inside (hostname, network namespace, /probe).
 */
import {readlinkSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {deleteContainer, execInContainer} from '../../../src/runtime/container/lifecycle.js'
import {runContainer} from '../../../src/runtime/container/run.js'
import {buildProbe, isRoot, newStateDir} from './helpers.js'
import {rmSync} from 'node:fs'

const stateDir = newStateDir('exec-race')
let probe = ''
/**
 * The window, widened as load widens it: a CPU quota of 1% (1 ms per 100 ms period) applies from the
 * moment the init joins its cgroups, which is before it has finished its rootfs, so a throttled init
 * stays halfway set up for up to ≈ 100 ms; many bind mounts give it more to do in that state.
 */
const SLOW_SETUP = Array.from({length: 48}, (_, i) => `type=bind,src=/usr/share,dst=/mnt/m${i},ro`)

describe.skipIf(!isRoot)('exec right after a detached start', () => {
  beforeAll(async () => {
    probe = await buildProbe(stateDir)
  })
  afterAll(() => rmSync(stateDir, {recursive: true, force: true}))

  it('lands in the finished container every time: its rootfs, hostname and network namespace', async () => {
    const hostNet = readlinkSync('/proc/self/ns/net')
    const problems: string[] = []
    for (let i = 0; i < 10; i++) {
      const name = `exec-race-${i}`
      const cleanup = new CleanupRegistry()
      await runContainer({
        stateDir,
        image: 'idle',
        command: ['sleep', '30'],
        name,
        rm: false,
        detach: true,
        network: 'none',
        publish: [],
        mounts: [`type=bind,src=${probe},dst=/probe,ro`, ...SLOW_SETUP],
        cpus: 0.01,
        env: [],
        cleanup,
      })
      try {
        const child = await execInContainer(stateDir, name, ['/bin/sh', '-c', 'hostname; readlink /proc/self/ns/net; test -x /probe && echo probe-here'])
        let out = ''
        let err = ''
        child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
        child.stderr!.on('data', (b: Buffer) => (err += b.toString()))
        const code = await new Promise<number | null>((res) => child.once('close', (c) => res(c)))
        const [hostname, net, here] = out.trim().split('\n')
        if (code !== 0 || hostname !== name || net === hostNet || here !== 'probe-here')
          problems.push(`${name}: exit ${code}, ${JSON.stringify(out)} ${JSON.stringify(err.slice(0, 200))}`)
      } finally {
        await deleteContainer(stateDir, name, true)
        await cleanup.runAll()
      }
    }
    expect(problems).toEqual([])
  })
})
