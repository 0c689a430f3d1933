/**
 * The container facade, youki-style: one object per container owns its lifecycle — create, start,
 * kill, stop, delete, state, stats, exec, logs — over the state on disk (state.ts), the OCI runtime
 * isobench-runtime (native/, bundle.ts) and the cgroups, network and volumes it holds. The arms, the `container` commands and
 * image builds use only this; the verbs' implementations stay in lifecycle.ts and release.ts.
 *
 *   const c = Container.create(stateDir, config)          // OCI create: the state dir
 *   const running = await c.start({output: 'pipe', …})    // OCI start: isobench-runtime run
 *   c.stats(); c.kill(); await c.delete()                 // cgroup usage; SIGKILL; release everything
 */
import type {ChildProcess} from 'node:child_process'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {UsageError} from '../../core/errors.js'
import {descendants} from '../../host/procfs.js'
import {readCgroupUsage, type CgroupUsage} from '../cgroups/cgroups.js'
import {ensureRuntime} from '../native/build.js'
import type {OciSeccomp} from '../seccomp/seccomp-profile.js'
import {
  createContainer,
  execInContainer,
  killContainer,
  launch,
  planFor,
  readContainerLog,
  stopContainer,
  type RunningContainer,
  type StartOptions,
} from './lifecycle.js'
import {containerOciConfig, containerPaths} from './bundle.js'
import {releaseContainerResources} from './release.js'
import {listContainers, readContainer, type ContainerConfig, type ContainerState} from './state.js'

export class Container {
  private running: RunningContainer | null = null

  private constructor(
    readonly stateDir: string,
    readonly id: string,
    private config: ContainerConfig,
  ) {}

  /**
   * OCI create: validate the config (id, rootfs dirs) and write the container's state dir. A
   * container with this id that exists is a UsageError ('exists'); with `replaceStale`, one that is
   * not running (a leftover of an interrupted run) is deleted first.
   */
  static async create(stateDir: string, config: ContainerConfig, opts: {replaceStale?: boolean} = {}): Promise<Container> {
    try {
      createContainer(stateDir, config)
    } catch (error) {
      if ((error as UsageError).code !== 'exists' || !opts.replaceStale) throw error
      const old = readContainer(stateDir, config.id) // null for a dir an interrupted create left without config
      if (old?.status === 'running') throw error
      await releaseContainerResources(stateDir, config.id, old)
      createContainer(stateDir, config)
    }
    return new Container(stateDir, config.id, config)
  }

  /** An existing container, by id; UsageError 'no-such-container' when there is none. */
  static open(stateDir: string, id: string): Container {
    const state = readContainer(stateDir, id)
    if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
    return new Container(stateDir, id, state.config)
  }

  /** Every container of this state dir, as its files on disk say (the ones with a config). */
  static list(stateDir: string): ContainerState[] {
    return listContainers(stateDir)
  }

  /** Its state as the files on disk say: status, init pid, exit code, config, runtime facts. */
  state(): ContainerState {
    const state = readContainer(this.stateDir, this.id)
    if (!state) throw new UsageError(`no container named ${this.id}`, 'no-such-container')
    return state
  }

  /** OCI start: spawn the helper, which runs the init; returns at once with the running handle (output pipes, exit, ports). */
  async start(opts: StartOptions): Promise<RunningContainer> {
    this.running = await launch(this.stateDir, this.config, opts)
    return this.running
  }

  /**
   * Send `signal` to the init (SIGKILL takes the whole pid namespace with it; the helper then
   * cleans up). A container this object started is signalled even before its pid file is written.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    const r = this.running
    if (!r) return killContainer(this.stateDir, this.id, signal)
    const init = descendants(r.shimPid)[0]
    try {
      process.kill(init ?? r.shimPid, signal)
    } catch {
      // gone already
    }
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the helper has exited. */
  stop(graceMs = 10_000): Promise<void> {
    return stopContainer(this.stateDir, this.id, graceMs)
  }

  /**
   * Delete: everything the container holds (cgroups, veth, leases, port proxy, state dir). A running
   * container only with `force` (stopped first); one this object started is released as it is.
   */
  async delete(opts: {force?: boolean} = {}): Promise<void> {
    if (!this.running) {
      const state = readContainer(this.stateDir, this.id)
      if (state?.status === 'running') {
        if (!opts.force) throw new UsageError(`container ${this.id} is running; stop it first or use --force`, 'bad-state')
        await this.stop(0)
      }
    }
    await releaseContainerResources(this.stateDir, this.id)
  }

  /** Memory and CPU the container's cgroups have accounted so far. */
  stats(): CgroupUsage {
    return readCgroupUsage(this.running?.plan ?? planFor(this.config))
  }

  /** Run a command in the running container (its namespaces, cgroups, env and cwd). */
  exec(argv: string[], opts: {env?: Record<string, string>; cwd?: string; output?: 'pipe' | 'inherit'} = {}): Promise<ChildProcess> {
    return execInContainer(this.stateDir, this.id, argv, opts)
  }

  /** What a detached or foreground (not --rm) container wrote to its log. */
  logs(): string {
    return readContainerLog(this.stateDir, this.id)
  }

  /**
   * Run a container to its end with no state dir of its own (image build steps): an overlay of
   * `dirs.upper`/`dirs.work` over the config's lower dirs, mounted under `dirs.scratch` (the OCI
   * bundle, removed at exit), under `opts.seccomp` (the profile the build steps run with), by
   * `isobench-runtime run`. Resolves with the exit code (128+n when killed by signal n) and the
   * combined output.
   */
  static async runToEnd(
    config: ContainerConfig,
    dirs: {scratch: string; upper: string; work: string},
    opts: {user?: {uid: number; gid: number}; maxOutput?: number; seccomp?: OciSeccomp | null} = {},
  ): Promise<{exitCode: number; output: string}> {
    const runtimeBin = await ensureRuntime()
    const root = join(dirs.scratch, 'rootfs')
    mkdirSync(root, {recursive: true})
    const paths = {...containerPaths(dirs.scratch), bundle: dirs.scratch, root, upper: dirs.upper, work: dirs.work}
    const oci = containerOciConfig({...config, writableLayer: 'disk', user: opts.user ?? config.user}, paths, {bindSources: [], seccomp: opts.seccomp ?? null})
    writeFileSync(join(dirs.scratch, 'config.json'), JSON.stringify(oci))
    try {
      // the runtime's default --root: its compiled seccomp filter is kept there for every step
      const r = await execa(runtimeBin, ['run', '--pdeathsig', '--bundle', dirs.scratch, config.id], {
        all: true,
        reject: false,
        stdin: 'ignore',
        extendEnv: false,
        env: {},
        maxBuffer: opts.maxOutput ?? 1 << 20,
      })
      return {exitCode: r.exitCode ?? (r.signal ? 128 : 1), output: r.all ?? ''}
    } finally {
      rmSync(dirs.scratch, {recursive: true, force: true})
    }
  }
}
