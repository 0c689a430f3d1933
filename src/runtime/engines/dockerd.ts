/**
 * dockerd with a private data-root, exec-root, socket and config file, on a given containerd (its
 * own namespace there), with every OCI runtime it should know added by `--add-runtime NAME=PATH`
 * (runc stays the default). No bridge and no iptables: containers run with --network none, so the
 * daemon changes nothing in the host's network. Containers' cgroups go under the given parent
 * (cgroupfs driver).
 */
import {existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {mountsBelow} from '../../host/procfs.js'
import type {Containerd} from './containerd.js'
import {startDaemon, type Daemon} from './daemon.js'
import {client, DockerCliEngine, ok, type ClientEngine, type EngineRun, type LocalImage, type OciRuntimeRef} from './engine.js'
import {removeCgroupTree, traces, type Traces} from './host-traces.js'

/**
 * The docker CLI of the docker.io package, matching its dockerd (20.10), when there is one; another
 * `docker` earlier on PATH (a newer CLI installed by hand) is only the fallback.
 */
export const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'

export class Dockerd extends DockerCliEngine implements ClientEngine {
  readonly name = 'docker'
  readonly socket: string
  private daemon: Daemon | null = null

  /** socket: a running dockerd to use instead of starting one (containerd and runtimes are then its own). */
  constructor(
    readonly dir: string,
    readonly cgroupParent: string,
    readonly containerd: Containerd,
    readonly runtimes: OciRuntimeRef[],
    readonly external?: string,
  ) {
    super()
    this.socket = external ?? join(dir, 'docker.sock')
  }

  async start(): Promise<this> {
    mkdirSync(this.dir, {recursive: true})
    if (this.external) {
      ok(await this.docker(['version', '--format', '{{.Server.Version}}'], 10_000), `docker version (dockerd at ${this.external})`)
      return this
    }
    const config = join(this.dir, 'daemon.json')
    writeFileSync(config, '{}\n')
    const tag = this.dir.replace(/[^A-Za-z0-9]/g, '').slice(-12)
    const argv = [
      'dockerd',
      '--config-file',
      config,
      '--data-root',
      join(this.dir, 'data'),
      '--exec-root',
      join(this.dir, 'exec'),
      '--pidfile',
      join(this.dir, 'docker.pid'),
      '--host',
      `unix://${this.socket}`,
      '--containerd',
      this.containerd.socket,
      '--containerd-namespace',
      `moby-${tag}`,
      '--containerd-plugins-namespace',
      `plugins-${tag}`,
      '--bridge',
      'none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      '--userland-proxy=false',
      '--exec-opt',
      'native.cgroupdriver=cgroupfs',
      '--cgroup-parent',
      this.cgroupParent,
      '--storage-driver',
      'overlay2',
      '--log-level',
      'warn',
      ...this.runtimes.flatMap((r) => ['--add-runtime', `${r.name}=${r.path}`]),
    ]
    this.daemon = await startDaemon({
      name: 'dockerd',
      argv,
      logFile: join(this.dir, 'dockerd.log'),
      timeoutMs: 60_000,
      ready: async () => existsSync(this.socket) && (await this.docker(['version', '--format', '{{.Server.Version}}'], 5000)).exitCode === 0,
    })
    return this
  }

  docker(args: string[], timeoutMs?: number, input?: string): Promise<EngineRun> {
    return client(this.argv(args), {timeoutMs, input})
  }

  protected cli(args: string[]): Promise<EngineRun> {
    return this.docker(args)
  }

  /** The full command line of `docker --config DIR --host SOCKET ARGS`, with the CLI of the daemon's own package. */
  argv(args: string[]): string[] {
    return [DOCKER_CLI, '--config', join(this.dir, 'client'), '--host', `unix://${this.socket}`, ...args]
  }

  async importImage(image: LocalImage): Promise<string> {
    const ref = 'isobench/engine-test:latest'
    ok(await this.docker(['import', image.rootfsTar, ref]), 'docker import')
    return ref
  }

  private runtimeFlag(runtime: OciRuntimeRef): string[] {
    return runtime.name === 'runc' ? [] : ['--runtime', runtime.name]
  }

  run(runtime: OciRuntimeRef, ref: string, argv: string[], opts: {rm?: boolean; id?: string} = {}): Promise<EngineRun> {
    return this.docker([
      'run',
      ...(opts.rm === false ? [] : ['--rm']),
      ...(opts.id ? ['--name', opts.id] : []),
      '--network',
      'none',
      ...this.runtimeFlag(runtime),
      ref,
      ...argv,
    ])
  }

  async runDetached(runtime: OciRuntimeRef, ref: string, argv: string[], id: string): Promise<void> {
    ok(await this.docker(['run', '-d', '--name', id, '--network', 'none', ...this.runtimeFlag(runtime), ref, ...argv]), 'docker run -d')
  }

  async stop(): Promise<void> {
    await this.daemon?.stop(20_000)
    this.daemon = null
    // dockerd unmounts its overlay2 layers at shutdown; a crash could leave some
    for (const mp of mountsBelow(this.dir).reverse()) await client(['umount', '--lazy', mp])
    removeCgroupTree(this.cgroupParent)
    rmSync(this.dir, {recursive: true, force: true})
  }

  daemons(): number[] {
    return this.daemon ? [this.daemon.pid] : []
  }

  traces(): Traces {
    return traces(this.dir, this.cgroupParent)
  }
}
