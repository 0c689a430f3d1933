/**
 * containerd with a private root, state and socket, driven by `ctr` with `--runc-binary`: the
 * io.containerd.runc.v2 shim then calls that binary with containerd's global flags
 * (`--root R --log F --log-format json create|start|delete …`). ctr's FIFOs, runc root and
 * cgroups are made private too (--fifo-dir, --runc-root, --cgroup <parent>/<id>). The shim's
 * socket directory (/run/containerd/s in containerd 1.6) is not configurable: stop() removes it
 * when it made it and left it empty.
 */
import {existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {startDaemon, type Daemon} from './daemon.js'
import {client, ok, type ClientEngine, type EngineRun, type LocalImage, type OciRuntimeRef} from './engine.js'
import {removeCgroupTree, removeNewEmptyDirs, traces, type Traces} from './host-traces.js'

/** Directories containerd and its shim create outside their configured root and state. */
const SHIM_DIRS = ['/run/containerd/s', '/run/containerd/fifo', '/run/containerd/runc', '/run/containerd']

export class Containerd implements ClientEngine {
  readonly name = 'containerd'
  readonly socket: string
  readonly namespace = 'isobench'
  private daemon: Daemon | null = null
  private readonly preexisting: Set<string>

  /**
   * dir: private directory (made); cgroupParent: e.g. /isobench-engines/<tag> (every container's cgroup
   * goes under it); socket: a running containerd to use instead of starting one (start() then only checks it).
   */
  constructor(
    readonly dir: string,
    readonly cgroupParent: string,
    readonly external?: string,
  ) {
    this.socket = external ?? join(dir, 'containerd.sock')
    this.preexisting = new Set(SHIM_DIRS.filter((d) => existsSync(d)))
  }

  async start(): Promise<this> {
    mkdirSync(this.dir, {recursive: true})
    if (this.external) {
      ok(await this.ctr(['version'], 10_000), `ctr version (containerd at ${this.external})`)
      return this
    }
    const config = join(this.dir, 'config.toml')
    writeFileSync(
      config,
      [
        'version = 2',
        `root = "${join(this.dir, 'root')}"`,
        `state = "${join(this.dir, 'state')}"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${this.socket}"`,
        '[ttrpc]',
        `  address = "${this.socket}.ttrpc"`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
      ].join('\n') + '\n',
    )
    this.daemon = await startDaemon({
      name: 'containerd',
      argv: ['containerd', '--config', config],
      logFile: join(this.dir, 'containerd.log'),
      ready: async () => existsSync(this.socket) && (await this.ctr(['version'], 5000)).exitCode === 0,
    })
    return this
  }

  ctr(args: string[], timeoutMs?: number): Promise<EngineRun> {
    return client(this.argv(args), {timeoutMs})
  }

  /** The full command line of `ctr --address SOCKET --namespace NS ARGS` (for a client the caller spawns itself). */
  argv(args: string[]): string[] {
    return ['ctr', '--address', this.socket, '--namespace', this.namespace, ...args]
  }

  async importImage(image: LocalImage): Promise<string> {
    const ref = 'docker.io/isobench/engine-test:latest'
    ok(await this.ctr(['images', 'import', '--index-name', ref, image.ociArchive]), 'ctr images import')
    return ref
  }

  /** ctr run's flags that keep a container's runtime root, FIFOs and cgroup private (cgroup: `<cgroupParent>/<id>` unless given). */
  runFlags(runtime: OciRuntimeRef, id: string, cgroup = `${this.cgroupParent}/${id}`): string[] {
    return ['--runc-binary', runtime.path, '--runc-root', join(this.dir, 'runc-root', runtime.name), '--fifo-dir', join(this.dir, 'fifo'), '--cgroup', cgroup]
  }

  async run(runtime: OciRuntimeRef, ref: string, argv: string[], opts: {rm?: boolean; id?: string} = {}): Promise<EngineRun> {
    const id = opts.id ?? `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
    return this.ctr(['run', ...(opts.rm === false ? [] : ['--rm']), ...this.runFlags(runtime, id), ref, id, ...argv])
  }

  async runDetached(runtime: OciRuntimeRef, ref: string, argv: string[], id: string): Promise<void> {
    ok(await this.ctr(['run', '-d', '--null-io', ...this.runFlags(runtime, id), ref, id, ...argv]), 'ctr run -d')
  }

  async kill(id: string, signal: string): Promise<void> {
    ok(await this.ctr(['task', 'kill', '--signal', signal, id]), 'ctr task kill')
  }

  async wait(id: string): Promise<number> {
    // `ctr task wait` is not in 1.6's ctr; poll the task's status instead.
    for (;;) {
      const r = await this.ctr(['task', 'ls'])
      const line = r.stdout.split('\n').find((l) => l.split(/\s+/)[0] === id)
      if (!line || /STOPPED/.test(line)) break
      await new Promise((res) => setTimeout(res, 50))
    }
    // ctr reports a non-zero exit only as a warning: "task ID exit with non-zero exit code N"
    const d = ok(await this.ctr(['task', 'delete', id]), 'ctr task delete')
    const m = /exit code (\d+)/.exec(d.stdout + d.stderr)
    return m ? Number(m[1]) : 0
  }

  async remove(id: string): Promise<void> {
    await this.ctr(['task', 'delete', '--force', id])
    ok(await this.ctr(['containers', 'delete', id]), 'ctr containers delete')
  }

  async stop(): Promise<void> {
    await this.daemon?.stop()
    this.daemon = null
    removeCgroupTree(this.cgroupParent)
    removeNewEmptyDirs(SHIM_DIRS, this.preexisting)
    rmSync(this.dir, {recursive: true, force: true})
  }

  daemons(): number[] {
    return this.daemon ? [this.daemon.pid] : []
  }

  traces(): Traces {
    return traces(this.dir, this.cgroupParent)
  }
}
