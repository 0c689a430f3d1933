/**
 * podman (no daemon: each command runs conmon, which runs the OCI runtime) with private storage
 * (--root, --runroot, --tmpdir), the cgroupfs manager and containers under a given cgroup parent.
 * conmon calls `RUNTIME create --bundle B --pid-file P ID`, then `start`, `exec --process F
 * --detach`, `kill ID SIG` and `delete --force`, and reaps the container init as a subreaper.
 *
 * Host limit: podman asks for RLIMIT_NOFILE 1048576 and RLIMIT_NPROC 4194304 by default; raising a
 * hard limit needs CAP_SYS_RESOURCE, which sandboxes such as these CI machines drop, so every run
 * passes --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 (any runtime fails otherwise).
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {mountsBelow} from '../../host/procfs.js'
import {client, DockerCliEngine, ok, type ClientEngine, type EngineRun, type LocalImage, type OciRuntimeRef} from './engine.js'
import {removeCgroupTree, traces, type Traces} from './host-traces.js'

export const PODMAN_ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096']

export class Podman extends DockerCliEngine implements ClientEngine {
  readonly name = 'podman'
  /** podman refuses a runroot longer than 50 characters (its sockets live there): a short temp dir then. */
  private readonly runroot: string

  constructor(
    readonly dir: string,
    readonly cgroupParent: string,
  ) {
    super()
    mkdirSync(dir, {recursive: true})
    this.runroot = join(dir, 'runroot').length <= 50 ? join(dir, 'runroot') : mkdtempSync(join(tmpdir(), 'ibpod-'))
    // Recorded beside the storage, so that prune finds a runroot that had to live elsewhere.
    if (this.runroot !== join(dir, 'runroot')) writeFileSync(join(dir, 'runroot.path'), this.runroot)
  }

  podman(args: string[], runtime?: OciRuntimeRef, timeoutMs?: number): Promise<EngineRun> {
    return client(this.argv(args, runtime), {timeoutMs})
  }

  protected cli(args: string[]): Promise<EngineRun> {
    return this.podman(args)
  }

  /** The full command line of `podman <global flags> ARGS` (for a client the caller spawns itself, attached). */
  argv(args: string[], runtime?: OciRuntimeRef): string[] {
    const global = [
      '--root',
      join(this.dir, 'root'),
      '--runroot',
      this.runroot,
      '--tmpdir',
      join(this.dir, 'tmp'),
      '--storage-driver',
      'overlay',
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'none',
      // The runtime keeps its state in its default root (/run/runc, /run/isobench-runtime): podman's
      // --runtime-flag root=… does not reach the `delete` its cleanup process runs after --rm.
      ...(runtime ? ['--runtime', runtime.path] : []),
    ]
    return ['podman', ...global, ...args]
  }

  async importImage(image: LocalImage): Promise<string> {
    const ref = 'localhost/isobench/engine-test:latest'
    ok(await this.podman(['import', image.rootfsTar, ref]), 'podman import')
    return ref
  }

  private runFlags(): string[] {
    return ['--network', 'none', '--cgroup-parent', this.cgroupParent, ...PODMAN_ULIMITS]
  }

  run(runtime: OciRuntimeRef, ref: string, argv: string[], opts: {rm?: boolean; id?: string} = {}): Promise<EngineRun> {
    return this.podman(['run', ...(opts.rm === false ? [] : ['--rm']), ...(opts.id ? ['--name', opts.id] : []), ...this.runFlags(), ref, ...argv], runtime)
  }

  async runDetached(runtime: OciRuntimeRef, ref: string, argv: string[], id: string): Promise<void> {
    ok(await this.podman(['run', '-d', '--name', id, ...this.runFlags(), ref, ...argv], runtime), 'podman run -d')
  }

  async stop(): Promise<void> {
    await this.podman(['rm', '--all', '--force'])
    // a container podman could not clean up may leave its overlay mounted
    for (const mp of mountsBelow(this.dir).reverse()) await client(['umount', '--lazy', mp])
    removeCgroupTree(this.cgroupParent)
    rmSync(this.dir, {recursive: true, force: true})
    rmSync(this.runroot, {recursive: true, force: true})
  }

  daemons(): number[] {
    return []
  }

  traces(): Traces {
    return traces(this.dir, this.cgroupParent, [this.runroot])
  }
}
