/**
 * One engine (podman, containerd's ctr, dockerd) as an arm drives it through a run: its daemons
 * started before any timed region with private roots, sockets and cgroups (or, only when told, a
 * running daemon's socket: --engine-socket), the workload's image loaded from isobench's store as an
 * archive we export (a docker-archive for `docker load` and `podman load`, made from our OCI archive
 * by skopeo; the OCI archive itself for `ctr images import`) and the engine's unpacked rootfs hashed
 * with our rootfs digest, and one attached client command per instance, whose stdout carries the
 * init's markers.
 *
 * Everything is labelled with the run (host/run-label.ts): `<stateDir>/engines/<tag>/<engine>/` holds
 * the daemons' roots and sockets, container names are `ib-<tag>-<instance>`, cgroups live under
 * `/isobench-engines/<tag>/<engine>/`: the daemons (and the shims they fork) in `daemon/`, each
 * instance in `<name>/` (podman puts conmon in `<name>/conmon`, the container in `<name>/libpod-<id>`;
 * docker the container in `<name>/<id>`; ctr the container in `<name>` itself).
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import type {Limits, PhaseMark} from '../../core/arm.js'
import {labelDir, runTag} from '../../host/run-label.js'
import {exportImage} from '../../images/export.js'
import {openImageStore} from '../../images/rootfs.js'
import {rootfsDigest} from '../../images/rootfs-digest.js'
import {detectCgroupLayout, type CgroupUsage} from '../cgroups/cgroups.js'
import {resolveImage} from '../container/image.js'
import {removeCgroupTreeNow} from '../lxc/lxc.js'
import {detachMounts, processesUsing} from '../labelled-dirs.js'
import {Containerd} from './containerd.js'
import {Dockerd} from './dockerd.js'
import {ok, client} from './engine.js'
import {EventWatcher, parseContainerdEvent, parseDockerEvent} from './events.js'
import {engineLimitFlags, type EngineCli} from './limits.js'
import {engineBindFlags} from './binds.js'
import {engineImageNames} from './image.js'
import {Podman} from './podman.js'

export const ENGINE_CGROUP_ROOT = '/isobench-engines'

/** Where every run's engine dirs live under a state dir. */
export function enginesParent(stateDir: string): string {
  return join(stateDir, 'engines')
}

/** The runc every engine runs (the Debian package's): the engines compare with the runc arm. */
export const ENGINE_RUNC = {name: 'runc', path: '/usr/sbin/runc'}

export interface EngineRunSpec {
  /** Container name (ib-<tag>-<instance>). */
  name: string
  ref: string
  argv: string[]
  env: Record<string, string>
  limits: Limits
  /** Host files bound read-only into the container (an injected init). */
  binds?: ReadonlyArray<{source: string; target: string}>
}

export interface LoadedImage {
  ref: string
  /** Our rootfs digest of the engine's own unpacked rootfs. */
  digest: string
}

export class EngineSession {
  readonly tag: string
  readonly dir: string
  readonly cgroupParent: string
  private podman: Podman | null = null
  private containerd: Containerd | null = null
  private dockerd: Dockerd | null = null
  private started = false
  private events: EventWatcher | null = null

  constructor(
    readonly engine: EngineCli,
    private readonly stateDir: string,
    private readonly runId: string,
    /** A running daemon's socket (dockerd's for docker, containerd's for ctr) to use instead of a private one. */
    readonly externalSocket?: string,
  ) {
    this.tag = runTag(runId)
    this.dir = join(enginesParent(stateDir), this.tag, engine)
    this.cgroupParent = `${ENGINE_CGROUP_ROOT}/${this.tag}/${engine}`
  }

  /** Container names of this run: `ib-<tag>-<instance id>`, at most 63 characters. */
  containerName(instanceId: string): string {
    return `ib-${this.tag}-${instanceId}`.slice(0, 63)
  }

  /** Start the private daemons (nothing for podman, which has none) and move them into their cgroup. */
  async start(): Promise<void> {
    if (this.started) return
    const runDir = join(enginesParent(this.stateDir), this.tag)
    mkdirSync(runDir, {recursive: true})
    if (!existsSync(join(runDir, 'owner.json'))) labelDir(runDir, this.runId)
    mkdirSync(this.dir, {recursive: true})
    this.started = true
    if (this.engine === 'podman') {
      this.podman = new Podman(this.dir, this.cgroupParent)
    } else if (this.engine === 'ctr') {
      this.containerd = await new Containerd(this.dir, this.cgroupParent, this.externalSocket).start()
    } else {
      if (!this.externalSocket) this.containerd = await new Containerd(join(this.dir, 'containerd'), this.cgroupParent).start()
      this.dockerd = await new Dockerd(
        this.dir,
        this.cgroupParent,
        this.containerd ?? new Containerd(this.dir, this.cgroupParent),
        [],
        this.externalSocket,
      ).start()
    }
    joinCgroup(`${this.cgroupParent}/daemon`, this.daemonPids())
    if (this.engine === 'ctr') this.events = new EventWatcher(this.cli(['events']), parseContainerdEvent)
    if (this.engine === 'docker') this.events = new EventWatcher(this.cli(['events', '--format', '{{json .}}']), parseDockerEvent)
    await this.events?.start()
  }

  /** The engine's own phases of a container's start seen so far (containerd task events, docker container events); [] for podman. */
  phases(name: string): PhaseMark[] {
    return this.events?.take(name) ?? []
  }

  /** The client command line for ARGS (podman with runc as its runtime). */
  cli(args: string[]): string[] {
    if (this.podman) return this.podman.argv(args, ENGINE_RUNC)
    if (this.dockerd) return this.dockerd.argv(args)
    if (this.containerd) return this.containerd.argv(args)
    throw new Error(`${this.engine} engine not started`)
  }

  private run(args: string[], timeoutMs = 120_000) {
    return client(this.cli(args), {timeoutMs})
  }

  /** Versions of the engine's parts, for the arm's record. */
  async versions(): Promise<Record<string, string>> {
    const v = async (argv: string[], re: RegExp) => re.exec((await execa(argv[0]!, argv.slice(1), {reject: false, timeout: 10_000})).stdout)?.[1] ?? 'unknown'
    const runc = await v(['runc', '--version'], /version\s+(\S+)/)
    if (this.engine === 'podman')
      return {podman: await v(['podman', '--version'], /version\s+(\S+)/), conmon: await v(['conmon', '--version'], /version\s+(\S+)/), runc}
    if (this.engine === 'ctr') return {containerd: await v(['containerd', '--version'], /containerd\s+\S+\s+(\S+)/), runc}
    const server = (await this.run(['version', '--format', '{{.Server.Version}}'], 10_000)).stdout.trim()
    return {dockerd: server || 'unknown', containerd: await v(['containerd', '--version'], /containerd\s+\S+\s+(\S+)/), runc}
  }

  /**
   * Load an image from our store into the engine (outside any timed region) and hash the engine's
   * unpacked rootfs: `podman image mount`, `ctr images mount`, or docker's overlay2 layer dirs
   * mounted read-only as one overlay.
   */
  async load(image: string): Promise<LoadedImage> {
    const dir = join(this.dir, 'images', image.replace(/[^A-Za-z0-9_.-]/g, '_'))
    mkdirSync(dir, {recursive: true})
    await resolveImage(this.stateDir, image) // a recipe image (idle, stress) is built on first use, as for every arm
    const store = openImageStore(this.stateDir)
    const {storeRef, repository} = engineImageNames(image)
    const ref = `${repository}:${this.tag}`
    const oci = join(dir, 'oci.tar')
    const exported = await exportImage(store, storeRef, oci)
    if (this.engine === 'ctr') {
      const full = `docker.io/${ref}`
      ok(await this.run(['images', 'import', '--index-name', full, oci]), 'ctr images import')
      return {ref: full, digest: await this.digestMounted(full)}
    }
    const archive = join(dir, 'docker.tar')
    const copy = await execa('skopeo', ['copy', '--quiet', `oci-archive:${oci}:${exported.tag}`, `docker-archive:${archive}:${ref}`], {
      reject: false,
      all: true,
    })
    if (copy.exitCode !== 0) throw new Error(`skopeo copy to a docker-archive failed: ${(copy.all ?? '').slice(-2000)}`)
    ok(await this.run(['load', '-i', archive]), `${this.engine} load`)
    // podman names a docker-archive's image by its fully qualified reference.
    const loaded = this.engine === 'podman' ? `docker.io/${ref}` : ref
    return {ref: loaded, digest: await this.digestMounted(loaded)}
  }

  private async digestMounted(ref: string): Promise<string> {
    const target = join(this.dir, 'rootfs-mount')
    mkdirSync(target, {recursive: true})
    if (this.engine === 'podman') {
      const path = ok(await this.run(['image', 'mount', ref]), 'podman image mount').stdout.trim()
      try {
        return rootfsDigest(path).digest
      } finally {
        await this.run(['image', 'unmount', ref])
      }
    }
    if (this.engine === 'ctr') {
      ok(await this.run(['images', 'mount', '--rw=false', ref, target]), 'ctr images mount')
      try {
        return rootfsDigest(target).digest
      } finally {
        await this.run(['images', 'unmount', '--rm', target])
        detachMounts(target)
      }
    }
    const data = JSON.parse(ok(await this.run(['image', 'inspect', '--format', '{{json .GraphDriver.Data}}', ref]), 'docker image inspect').stdout) as {
      UpperDir?: string
      LowerDir?: string
    }
    const layers = [data.UpperDir, ...(data.LowerDir ? data.LowerDir.split(':') : [])].filter((d): d is string => !!d)
    if (layers.length === 1) return rootfsDigest(layers[0]!).digest
    ok(await client(['mount', '-t', 'overlay', '-o', `ro,lowerdir=${layers.join(':')}`, 'overlay', target]), 'mount the image layers')
    try {
      return rootfsDigest(target).digest
    } finally {
      detachMounts(target)
    }
  }

  /** The attached client command for one instance: its stdout and stderr are the container's. */
  runArgv(spec: EngineRunSpec): string[] {
    const flags = [...engineLimitFlags(this.engine, spec.limits).flags, ...engineBindFlags(this.engine, spec.binds ?? [])]
    const cg = `${this.cgroupParent}/${spec.name}`
    if (this.engine === 'ctr') {
      const env = Object.entries(spec.env).flatMap(([k, v]) => ['--env', `${k}=${v}`])
      return this.cli([
        'run',
        '--rm',
        '--seccomp',
        '--cwd',
        '/',
        ...this.containerd!.runFlags(ENGINE_RUNC, spec.name, cg),
        ...flags,
        ...env,
        spec.ref,
        spec.name,
        ...spec.argv,
      ])
    }
    const env = Object.entries(spec.env).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    // The injected init does the image's WorkingDir and User itself (-w/-u), as in every other arm, so the
    // engine starts it as root in / (ctr run has no user flag: the image's User starts the init, which then drops to the same user).
    const common = ['run', '--rm', '--name', spec.name, '--network', 'none', '--cgroup-parent', cg, '--user', '0:0', '--workdir', '/', ...flags, ...env]
    if (this.engine === 'podman') return this.cli([...common, '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', spec.ref, ...spec.argv])
    return this.cli([...common, spec.ref, ...spec.argv])
  }

  /** The container's own cgroup (relative to a hierarchy's root), once it exists. */
  containerCgroup(name: string): string | null {
    const base = `${this.cgroupParent}/${name}`
    if (this.engine === 'ctr') return base
    const mp = memoryMount()
    if (!mp || !existsSync(join(mp, base))) return null
    const child = readdirSync(join(mp, base), {withFileTypes: true}).find((e) => e.isDirectory() && e.name !== 'conmon')
    return child ? `${base}/${child.name}` : null
  }

  /** Host pids of the container's processes (its cgroup's members). */
  containerPids(name: string): number[] {
    const cg = this.containerCgroup(name)
    return cg ? membersBelow(cg) : []
  }

  /** Pids of the per-instance processes beside the container: podman's conmon; containerd's shim for ctr and docker. */
  shimPids(name: string): number[] {
    if (this.engine === 'podman') return membersBelow(`${this.cgroupParent}/${name}/conmon`)
    const id = this.engine === 'ctr' ? name : null
    const out: number[] = []
    for (const pid of membersBelow(`${this.cgroupParent}/daemon`)) {
      const cmd = cmdline(pid)
      if (!cmd.includes('containerd-shim')) continue
      if (id ? cmd.includes(`-id\0${id}\0`) : this.dockerShimFor(cmd, name)) out.push(pid)
    }
    return out
  }

  private readonly dockerIds = new Map<string, string>()

  /** docker names its shim by the container's id: found once from the container's cgroup dir. */
  private dockerShimFor(cmd: string, name: string): boolean {
    let id = this.dockerIds.get(name)
    if (!id) {
      id = this.containerCgroup(name)?.split('/').pop()
      if (id) this.dockerIds.set(name, id)
    }
    return !!id && cmd.includes(`-id\0${id}\0`)
  }

  /** The daemons this session started (none for podman, or with an external socket). */
  daemonPids(): number[] {
    return [...(this.containerd?.daemons() ?? []), ...(this.dockerd?.daemons() ?? [])]
  }

  /** Memory and CPU of the container's own cgroup. */
  usage(name: string): CgroupUsage {
    const cg = this.containerCgroup(name)
    return cg ? cgroupUsageAt(cg) : {}
  }

  /** Kill the container (the attached client then exits; --rm removes it). */
  async kill(name: string): Promise<void> {
    if (this.engine === 'ctr') await this.run(['task', 'kill', '--signal', 'SIGKILL', name], 30_000)
    else await this.run(['kill', '--signal', 'KILL', name], 30_000)
  }

  /** Remove the container if it is still there, and its cgroup dir. */
  async remove(name: string): Promise<void> {
    if (this.engine === 'ctr') {
      await this.run(['task', 'delete', '--force', name], 30_000)
      await this.run(['containers', 'delete', name], 30_000)
    } else await this.run(['rm', '--force', name], 30_000)
    await removeCgroupTreeNow(`${this.cgroupParent}/${name}`)
  }

  /** Remove what is left of this run's containers, stop the daemons, remove the private dir and cgroups. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.events?.stop()
    this.events = null
    if (this.podman) await this.podman.stop()
    if (this.dockerd) {
      if (this.externalSocket) await this.removeExternal()
      await this.dockerd.stop()
    }
    if (this.containerd) {
      if (this.externalSocket) await this.removeExternal()
      await this.containerd.stop()
    }
    await removeCgroupTreeNow(this.cgroupParent)
    // The run's tag dir (shared by its engine arms) and the root, each only once empty.
    for (const d of [`${ENGINE_CGROUP_ROOT}/${this.tag}`, ENGINE_CGROUP_ROOT]) for (const mp of detectCgroupLayout().allMounts) rmdirQuietly(join(mp, d))
    detachMounts(this.dir)
    rmSync(this.dir, {recursive: true, force: true})
    const runDir = join(enginesParent(this.stateDir), this.tag)
    if (existsSync(runDir) && readdirSync(runDir).every((n) => n === 'owner.json')) rmSync(runDir, {recursive: true, force: true})
  }

  /** On a daemon we did not start: remove only our containers (by name prefix) and our image tag. */
  private async removeExternal(): Promise<void> {
    const prefix = `ib-${this.tag}-`
    if (this.engine === 'ctr') {
      for (const id of (await this.run(['containers', 'ls', '-q'])).stdout.split('\n').filter((l) => l.startsWith(prefix))) {
        await this.run(['task', 'delete', '--force', id])
        await this.run(['containers', 'delete', id])
      }
      for (const img of (await this.run(['images', 'ls', '-q'])).stdout.split('\n').filter((l) => l.endsWith(`:${this.tag}`)))
        await this.run(['images', 'rm', img])
      return
    }
    for (const id of (await this.run(['ps', '-aq', '--filter', `name=${prefix}`])).stdout.split('\n').filter(Boolean)) await this.run(['rm', '--force', id])
    for (const img of (await this.run(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter((l) => l.endsWith(`:${this.tag}`)))
      await this.run(['rmi', img])
  }
}

function memoryMount(): string | null {
  const layout = detectCgroupLayout()
  return layout.mode === 'v2' ? layout.v2 : (layout.v1.memory ?? null)
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}

/** Members of a cgroup and its descendants, read in the memory hierarchy (the whole of a v2 host). */
export function membersBelow(cgroup: string): number[] {
  const mp = memoryMount()
  if (!mp) return []
  const out: number[] = []
  const walk = (dir: string) => {
    try {
      for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (l) out.push(Number(l))
      for (const e of readdirSync(dir, {withFileTypes: true})) if (e.isDirectory()) walk(join(dir, e.name))
    } catch {
      // removed meanwhile
    }
  }
  walk(join(mp, cgroup))
  return out
}

/** Memory usage and CPU time of a cgroup (a path relative to the hierarchies' roots). */
export function cgroupUsageAt(cgroup: string): CgroupUsage {
  const layout = detectCgroupLayout()
  const out: CgroupUsage = {}
  const read = (f: string) => readFileSync(f, 'utf8')
  try {
    if (layout.mode === 'v2' && layout.v2) {
      out.memoryBytes = Number(read(join(layout.v2, cgroup, 'memory.current')).trim())
      const m = /^usage_usec (\d+)/m.exec(read(join(layout.v2, cgroup, 'cpu.stat')))
      if (m) out.cpuSeconds = Number(m[1]) / 1e6
    } else {
      if (layout.v1.memory) out.memoryBytes = Number(read(join(layout.v1.memory, cgroup, 'memory.usage_in_bytes')).trim())
      if (layout.v1.cpuacct) out.cpuSeconds = Number(read(join(layout.v1.cpuacct, cgroup, 'cpuacct.usage')).trim()) / 1e9
    }
  } catch {
    // gone
  }
  return out
}

/** Move pids into a cgroup (made in every hierarchy: v1 controllers, or the v2 tree) so their children follow. */
export function joinCgroup(cgroup: string, pids: number[]): void {
  if (pids.length === 0) return
  const layout = detectCgroupLayout()
  const roots = layout.mode === 'v2' ? (layout.v2 ? [layout.v2] : []) : [...new Set(Object.values(layout.v1))]
  for (const root of roots) {
    const dir = join(root, cgroup)
    mkdirSync(dir, {recursive: true})
    if (root === layout.v1.cpuset) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        // A v1 cpuset dir starts empty: give it its parents' cpus and mems, top down.
        const parts = cgroup.split('/').filter(Boolean)
        for (let i = 1; i <= parts.length; i++) {
          const d = join(root, ...parts.slice(0, i))
          if (read0(join(d, f)) === '') writeFileSync(join(d, f), read0(join(root, ...parts.slice(0, i - 1), f)))
        }
      }
    }
    for (const pid of pids) {
      try {
        writeFileSync(join(dir, 'cgroup.procs'), String(pid))
      } catch {
        // exited
      }
    }
  }
}

function read0(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    return ''
  }
}

/**
 * Prune's part for one run's engine dir `<stateDir>/engines/<tag>`: kill what is in its cgroups and
 * remove them and podman's runroot; and what the killed processes kept outside the dir, from their
 * command lines: a containerd shim's socket (`/run/containerd/s/<sha256 of ADDRESS/NAMESPACE/ID>`,
 * containerd 1.6's shim.SocketAddress) and the runc state of a conmon's container (`/run/runc/<id>`:
 * podman lets runc keep its default root).
 */
export async function pruneEngineRun(dir: string, killed: Array<{pid: number; cmd: string[]}> = []): Promise<void> {
  for (const {cmd} of killed) {
    const arg = (flag: string) => {
      const i = cmd.indexOf(flag)
      return i >= 0 ? cmd[i + 1] : undefined
    }
    if (cmd[0]?.includes('containerd-shim')) {
      const [ns, id, address] = [arg('-namespace'), arg('-id'), arg('-address')]
      if (ns && id && address)
        rmSync(
          join(
            '/run/containerd/s',
            createHash('sha256')
              .update(join(address, ns, id))
              .digest('hex'),
          ),
          {force: true},
        )
    }
    if (cmd[0]?.endsWith('conmon')) {
      const id = arg('-c')
      if (id && /^[0-9a-f]{64}$/.test(id)) rmSync(join('/run/runc', id), {recursive: true, force: true})
    }
  }
  const tag = dir.split('/').pop()!
  for (const engine of ['podman', 'ctr', 'docker']) {
    const runroot = join(dir, engine, 'runroot.path')
    if (existsSync(runroot)) {
      const path = readFileSync(runroot, 'utf8').trim()
      if (path.startsWith('/tmp/') || path.startsWith('/run/')) {
        for (const pid of processesUsing(path)) killQuietly(pid)
        detachMounts(path)
        rmSync(path, {recursive: true, force: true})
      }
    }
  }
  for (const pid of membersBelow(`${ENGINE_CGROUP_ROOT}/${tag}`)) killQuietly(pid)
  await removeCgroupTreeNow(`${ENGINE_CGROUP_ROOT}/${tag}`)
  for (const mp of detectCgroupLayout().allMounts) rmdirQuietly(join(mp, ENGINE_CGROUP_ROOT))
}

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir)
  } catch {
    // not empty, or not there
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone
  }
}
