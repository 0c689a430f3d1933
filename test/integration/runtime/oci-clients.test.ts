/**
 * Real clients drive isobench-runtime as they drive runc: podman (--runtime), containerd's ctr
 * (--runc-binary, through the io.containerd.runc.v2 shim) and dockerd (--add-runtime), each with
 * private directories, socket and cgroup parent, on isobench's busybox image. Exit codes reach the
 * client (exit 3 → 3), kill stops a running container, --rm and rm remove it, and after each
 * client nothing of it is left on the host: no process, mount, cgroup or runtime state.
 */
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Containerd} from '../../../src/runtime/engines/containerd.js'
import {Dockerd} from '../../../src/runtime/engines/dockerd.js'
import type {ClientEngine, LocalImage, OciRuntimeRef} from '../../../src/runtime/engines/engine.js'
import {removeCgroupTree} from '../../../src/runtime/engines/host-traces.js'
import {localImage} from '../../../src/runtime/engines/image.js'
import {Podman} from '../../../src/runtime/engines/podman.js'
import {ensureRuntime} from '../../../src/runtime/native/build.js'
import {settled} from '../../helpers/settle.js'

const root = process.getuid?.() === 0
const have = (bin: string) => ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].some((d) => existsSync(join(d, bin)))
const base = mkdtempSync(join(tmpdir(), 'isobench-clients-'))
const stateDir = join(base, 'state')
/** Every engine's containers go below this cgroup; the tests remove it. */
const cgroupBase = `/isobench-engines/${process.pid}`

let image: LocalImage
let runtime: OciRuntimeRef
const RUNC: OciRuntimeRef = {name: 'runc', path: '/usr/sbin/runc'}

beforeAll(async () => {
  if (!root) return
  runtime = {name: 'isobench', path: await ensureRuntime()}
  image = await localImage(stateDir, 'idle', join(base, 'image'))
}, 300_000)

afterAll(() => {
  removeCgroupTree(cgroupBase)
  removeCgroupTree('/isobench-engines') // only when empty: other runs' trees stay
  rmSync(base, {recursive: true, force: true})
})

/** The same checks for every client. */
/** Container state dirs in a runtime root (its entries but the seccomp cache). */
function stateEntries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((e) => !e.startsWith('.')) : []
}

function clientSuite(name: string, make: () => Promise<ClientEngine>, runtimeStateDir: () => string) {
  describe.skipIf(!root || !have(name === 'containerd' ? 'ctr' : name))(`${name} runs isobench-runtime`, () => {
    let engine: ClientEngine
    let ref: string
    beforeAll(async () => {
      engine = await make()
      ref = await engine.importImage(image)
    }, 120_000)
    afterAll(async () => {
      if (!engine) return
      await engine.stop()
      const left = engine.traces()
      expect(left, `${name} left traces`).toEqual({processes: [], mounts: [], cgroups: []})
    }, 120_000)

    it('exit codes reach the client (exit 3 → 3) and so does the output', async () => {
      const r = await engine.run(runtime, ref, ['sh', '-c', 'echo out-from-$(cat /proc/1/comm); exit 3'])
      expect(r.stderr).not.toMatch(/isobench-runtime:/)
      expect(r.exitCode).toBe(3)
      expect(r.stdout).toContain('out-from-sh')
      const ok = await engine.run(runtime, ref, ['true'])
      expect(ok.exitCode).toBe(0)
    })

    it('a command that is not there, or not executable, fails as it does with runc', async () => {
      for (const argv of [['/no/such/command'], ['no-such-command'], ['/etc/passwd']]) {
        const ours = await engine.run(runtime, ref, argv)
        const theirs = await engine.run(RUNC, ref, argv)
        expect(ours.exitCode, `${argv[0]}: ${ours.stderr}`).toBe(theirs.exitCode)
        expect(ours.exitCode).not.toBe(0)
      }
    })

    it('kill stops a running container and rm removes it: no runtime state is left', async () => {
      const id = `kill-${name}-${process.pid}`
      const before = new Set(stateEntries(runtimeStateDir()))
      await engine.runDetached(runtime, ref, ['sleep', '600'], id)
      await engine.kill(id, 'KILL')
      expect(await engine.wait(id)).toBe(137)
      await engine.remove(id)
      expect(stateEntries(runtimeStateDir()).filter((e) => !before.has(e))).toEqual([])
    })

    it('--rm leaves no container, cgroup or runtime state', async () => {
      const id = `rm-${name}-${process.pid}`
      const before = new Set(stateEntries(runtimeStateDir()))
      const r = await engine.run(runtime, ref, ['true'], {rm: true, id})
      expect(r.exitCode).toBe(0)
      expect(stateEntries(runtimeStateDir()).filter((e) => !before.has(e))).toEqual([])
      // podman's conmon removes the container after run has returned (its exit command runs `podman container cleanup`)
      const daemons = engine.daemons()
      expect(await settled(() => engine.traces().processes.filter((p) => !daemons.includes(p.pid)))).toEqual([])
    })
  })
}

let containerd: Containerd | null = null

clientSuite(
  'podman',
  async () => new Podman(join(base, 'podman'), `${cgroupBase}/podman`),
  () => '/run/isobench-runtime', // podman lets the runtime keep its state in its default root
)

clientSuite(
  'containerd',
  async () => (containerd = await new Containerd(join(base, 'containerd'), `${cgroupBase}/containerd`).start()),
  () => join(base, 'containerd', 'runc-root', 'isobench', 'isobench'), // --runc-root/<runtime>, then the shim's namespace
)

clientSuite(
  'docker',
  async () => {
    // dockerd on its own containerd (the containerd suite stopped its own)
    containerd = await new Containerd(join(base, 'containerd-docker'), `${cgroupBase}/containerd-docker`).start()
    const d = await new Dockerd(join(base, 'docker'), `${cgroupBase}/docker`, containerd, [runtime]).start()
    const c = containerd
    return {
      ...bind(d),
      stop: async () => {
        await d.stop()
        await c.stop()
      },
      daemons: () => [...d.daemons(), ...c.daemons()],
      traces: () => {
        const a = d.traces()
        const b = c.traces()
        return {processes: [...a.processes, ...b.processes], mounts: [...a.mounts, ...b.mounts], cgroups: [...a.cgroups, ...b.cgroups]}
      },
    } as ClientEngine
  },
  () => join(base, 'docker', 'exec', 'runtime-isobench', 'moby'),
)

/** An engine's methods bound to it (to wrap stop/traces). */
function bind(e: ClientEngine): ClientEngine {
  return {
    name: e.name,
    importImage: e.importImage.bind(e),
    run: e.run.bind(e),
    runDetached: e.runDetached.bind(e),
    kill: e.kill.bind(e),
    wait: e.wait.bind(e),
    remove: e.remove.bind(e),
    stop: e.stop.bind(e),
    traces: e.traces.bind(e),
    daemons: e.daemons.bind(e),
  }
}
