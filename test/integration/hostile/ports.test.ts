/**
 * Hostile: a published host port that is already taken. Docker refuses the second container
 * ("Bind for …: port is already allocated"; for a port some other process holds, "failed to bind
 * host port …: address already in use"), and so do we: exit 1, and nothing of the refused
 * container exists afterwards (state dir, cgroups, address lease, veth).
 */
import {existsSync, rmSync} from 'node:fs'
import {connect, createServer, type Server} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {listContainerCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {deleteContainer} from '../../../src/runtime/container/lifecycle.js'
import {hostCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {resolveImage} from '../../../src/runtime/container/image.js'
import {hostVethName, listLeases} from '../../../src/runtime/network/bridge.js'
import {PortInUseError} from '../../../src/runtime/network/port-proxy.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {runContainer, type ContainerRunOptions} from '../../../src/runtime/container/run.js'
import {containerDir} from '../../../src/runtime/container/state.js'
import {isobench} from '../../helpers/cli.js'
import {isRoot, newStateDir} from './helpers.js'

const stateDir = newStateDir('ports')

/** A port free right now (bound to 0 and released). */
async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen({host: '127.0.0.1', port: 0}, r))
  const port = (s.address() as {port: number}).port
  await new Promise((r) => s.close(r))
  return port
}

function run(name: string, publish: string[], extra: Partial<ContainerRunOptions> = {}) {
  return runContainer({
    stateDir,
    image: 'idle',
    command: ['httpd', '-f', '-p', '80'],
    name,
    rm: false,
    detach: true,
    network: 'bridge',
    publish,
    mounts: [],
    env: [],
    cleanup: new CleanupRegistry(),
    ...extra,
  })
}

/** Nothing of container `name` exists: state dir, cgroup dirs, address lease, host veth. */
function expectNothingOf(name: string): void {
  expect(existsSync(containerDir(stateDir, name))).toBe(false)
  expect(listContainerCgroups(hostCgroups()).get(name)).toBeUndefined()
  expect([...listLeases(stateDir).values()]).not.toContain(name)
  expect(existsSync(`/sys/class/net/${hostVethName(name)}`)).toBe(false)
}

/** An HTTP request through the published port: the first line of the reply (busybox httpd). */
function httpStatus(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({host: '127.0.0.1', port}, () => s.write('GET / HTTP/1.0\r\n\r\n'))
    let data = ''
    s.on('data', (b) => (data += b.toString()))
    s.on('end', () => resolve(data.split('\r\n')[0] ?? ''))
    s.on('error', reject)
    s.setTimeout(5000, () => s.destroy(new Error('timeout')))
  })
}

describe.skipIf(!isRoot)('hostile: a published host port given twice', () => {
  let port = 0
  beforeAll(async () => {
    await resolveImage(stateDir, 'idle')
    port = await freePort()
    await run('holder', [`${port}:80`])
  }, 300_000)
  afterAll(async () => {
    await deleteContainer(stateDir, 'holder', true).catch(() => {})
    await pruneContainers(stateDir, {all: true})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it("refuses a second container on a port another container holds, with Docker's message, and creates nothing", async () => {
    await expect(run('second', [`${port}:80`])).rejects.toThrow(new PortInUseError(port, 'holder'))
    await expect(run('second', [`${port}:80`])).rejects.toThrow(`Bind for 127.0.0.1:${port} failed: port is already allocated`)
    expectNothingOf('second')
    // The first container still serves its port (through the detached proxy, which inherited the socket).
    expect(await httpStatus(port)).toMatch(/^HTTP\/1\.[01] \d{3}/)
  })

  it('refuses a port any other process on the host holds (not only our containers)', async () => {
    const other = await freePort()
    const server: Server = createServer()
    await new Promise<void>((r) => server.listen({host: '0.0.0.0', port: other}, r))
    try {
      await expect(run('third', [`${other}:80`])).rejects.toThrow(`failed to bind host port 127.0.0.1:${other}/tcp: address already in use`)
      expectNothingOf('third')
    } finally {
      await new Promise((r) => server.close(r))
    }
  })

  it('refuses the same host port twice in one run', async () => {
    const p = await freePort()
    await expect(run('fourth', [`${p}:80`, `${p}:81`])).rejects.toThrow(`127.0.0.1:${p}`)
    expectNothingOf('fourth')
  })

  it('exits 1 from the CLI with the message and no stack trace', async () => {
    const r = await isobench(['container', 'run', '--rm', '--name', 'cli-second', '-p', `${port}:80`, 'idle', '--', 'true'], {
      env: {ISOBENCH_STATE_DIR: stateDir},
    })
    expect(r.exitCode).toBe(1)
    expect(r.all).toContain(`Bind for 127.0.0.1:${port} failed: port is already allocated`)
    expect(r.all).not.toMatch(/\n\s+at /)
    expectNothingOf('cli-second')
  })
})
