/**
 * The readiness rules on a real arm (the process arm: the injected init and the host clock are the same
 * in every arm): `log` is the first output line containing a text, `exit` the init's exit marker,
 * `http` a host-side GET answered with the given status, never before it is answered. Each ready time is
 * on the host clock, after the init's marker.
 */
import {createServer} from 'node:net'
import {afterAll, describe, expect, it} from 'vitest'
import {ProcessArm} from '../../../src/arms/process.js'
import type {InstanceSpec, WorkloadSpec} from '../../../src/core/arm.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {configSchema} from '../../../src/core/config.js'
import {ArmError} from '../../../src/core/errors.js'
import {silentLogger} from '../../../src/core/log.js'

const cleanup = new CleanupRegistry()
const arm = new ProcessArm({config: configSchema.parse({}), cleanup, log: silentLogger, runId: 'ready'})
let n = 0
const spec = (workload: WorkloadSpec, readyTimeoutMs = 10_000): InstanceSpec => ({id: `ready-${++n}`, workload, limits: {}, network: 'none', readyTimeoutMs})

afterAll(async () => {
  await arm.cleanup()
  await cleanup.runAll()
})

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address() as {port: number}
      s.close(() => resolve(port))
    })
  })
}

async function readyOf(workload: WorkloadSpec) {
  const inst = await arm.start(spec(workload))
  try {
    const ready = await arm.waitReady(inst)
    return {inst, ready}
  } finally {
    await arm.stop(inst)
  }
}

describe('readiness rules (process arm)', () => {
  it('log: the first output line containing the text, stderr included, on the host clock', async () => {
    const {ready} = await readyOf({
      name: 'log',
      argv: ['/bin/busybox', 'sh', '-c', 'echo starting; /bin/busybox usleep 300000; echo "server listening on 1234" >&2; sleep 30'],
      ready: {kind: 'log', text: 'listening on'},
    })
    const init = ready.phases.find((p) => p.phase === 'init')!
    expect(ready.readyAt).toBeGreaterThan(init.at)
    // spawn: the launcher's clock read right before it forks the init (the origin every figure counts from)
    expect(ready.phases.map((p) => p.phase)).toEqual(['spawn', 'init', 'ready'])
  })

  it('exit: startup is start-to-exit, the init reports the code', async () => {
    const {inst, ready} = await readyOf({name: 'exit', argv: ['/bin/busybox', 'sh', '-c', '/bin/busybox usleep 200000; exit 3'], ready: {kind: 'exit'}})
    expect(inst.marks.find((m) => m.phase === 'exit')).toMatchObject({code: 3, at: ready.readyAt})
    expect(ready.readyAt).toBeGreaterThan(inst.marks.find((m) => m.phase === 'init')!.at)
  })

  it('http with a status: a 404 is not ready; the path that answers 200 is', async () => {
    const port = await freePort()
    const serve = (path: string) => ({
      name: 'http',
      argv: ['/bin/busybox', 'sh', '-c', `mkdir -p www && echo ok > www/health && exec /bin/busybox httpd -f -p 127.0.0.1:${port} -h www`],
      ready: {kind: 'http' as const, port, path, status: 200},
      ports: [port],
    })
    const {ready} = await readyOf(serve('/health'))
    expect(ready.phases.at(-1)!.phase).toBe('ready')
    const inst = await arm.start(spec(serve('/missing'), 1500))
    await expect(arm.waitReady(inst)).rejects.toBeInstanceOf(ArmError)
    await arm.stop(inst)
  })
})
