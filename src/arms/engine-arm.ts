/**
 * The engine arms (`podman`, `ctr`, `docker`): the workload run the way users of those engines run
 * it — `podman run --rm`, `ctr run --rm`, `docker run --rm`, attached, with runc underneath —
 * through runtime/engines/session.ts. The engine's daemons start in prepare() (private roots,
 * sockets, cgroups; a user's own daemon only with an explicit --engine-socket), the image is loaded
 * there from our store and its unpacked rootfs hashed (parity), the limits become the CLI's flags
 * (engines/limits.ts: ctr cannot set a cpuset or a pids limit, and the parity manifest says so).
 *
 * Timing: start() spawns the client, on the host clock; the init's markers come back through the
 * client's attach stream. Memory: the container's processes (its cgroup) are the instance's PSS;
 * the engine's share — its per-instance shim or monitor (conmon, containerd-shim) plus its daemons'
 * PSS (containerd, dockerd) divided by the instances running — is enginePssBytes; the attached
 * client is isobench's reader of the markers and is counted in neither.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {execa} from 'execa'
import type {CleanupHandle} from '../core/cleanup.js'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, Limits, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {imageOf} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import type {MarkerStream} from '../core/markers.js'
import {childExit, killGroup} from '../host/process.js'
import {readProcMemory, sampleProcesses} from '../host/procfs.js'
import {hostCgroups} from '../runtime/cgroups/cgroups.js'
import {engineLimitFlags, type EngineCli} from '../runtime/engines/limits.js'
import {EngineSession, type LoadedImage} from '../runtime/engines/session.js'
import {ensureInit} from '../runtime/native/init.js'
import {initCommand} from './init-command.js'
import {InstanceTable, markersOf, newInstance} from './instances.js'
import {waitReady} from './readiness.js'

/** Per engine: the binaries it needs (apt packages), what it is, and the seccomp profile it applies by default. */
export const ENGINE_ARMS: Record<EngineCli, {bins: Array<[string, string]>; seccomp: string; what: string}> = {
  podman: {
    bins: [
      ['podman', 'podman'],
      ['conmon', 'conmon'],
      ['runc', 'runc'],
    ],
    seccomp: "containers-common's seccomp.json (podman's default)",
    what: 'podman run --rm (no daemon: conmon monitors each container; runc)',
  },
  ctr: {
    bins: [
      ['ctr', 'containerd'],
      ['containerd', 'containerd'],
      ['runc', 'runc'],
    ],
    seccomp: "containerd's default profile (ctr run --seccomp)",
    what: 'ctr run --rm on a private containerd (io.containerd.runc.v2 shim; runc)',
  },
  docker: {
    bins: [
      ['dockerd', 'docker.io'],
      ['containerd', 'containerd'],
      ['runc', 'runc'],
    ],
    seccomp: "dockerd's built-in default profile",
    what: 'docker run --rm on a private dockerd and containerd (runc)',
  },
}

export class EngineArm implements Arm {
  readonly kind = 'engine'
  private readonly session: EngineSession
  private readonly images = new Map<string, LoadedImage>()
  private versions: Record<string, string> = {}
  /** The injected init's host path (ensureInit, in prepare()). */
  private init: string | null = null
  private readonly running: InstanceTable<{child: ChildProcess; markers: MarkerStream; name: string; removal: CleanupHandle}>

  constructor(
    readonly name: EngineCli,
    private readonly ctx: ArmContext,
  ) {
    const socket = name === 'podman' ? undefined : ctx.config.engineSockets?.[name]
    this.running = new InstanceTable(name)
    this.session = new EngineSession(name, ctx.config.stateDir, ctx.runId, socket)
  }

  async available(): Promise<Availability> {
    if (process.getuid?.() !== 0) return {ok: false, reason: `${this.name}: isobench runs engines as root with private daemons (rootless is not set up)`}
    for (const [bin, pkg] of ENGINE_ARMS[this.name].bins) {
      const r = await execa('sh', ['-c', `command -v ${bin}`], {reject: false})
      if (!r.stdout.trim()) return {ok: false, reason: `${bin} not found (apt package ${pkg}; run \`isobench setup\`)`}
    }
    const socket = this.session.externalSocket
    const how = socket
      ? `the daemon at ${socket} (--engine-socket)`
      : this.name === 'podman'
        ? 'private storage and runroot'
        : 'a private daemon (own root, socket, cgroup)'
    return {ok: true, reason: `${ENGINE_ARMS[this.name].what}, ${how}; cgroups ${hostCgroups().mode}, cgroupfs driver`}
  }

  info(): ArmInfo {
    return {
      name: this.name,
      kind: this.kind,
      isolation: 'engine',
      accel: 'none',
      versions: {...this.versions, cgroups: hostCgroups().mode, seccomp: ENGINE_ARMS[this.name].seccomp},
      notes: [
        ENGINE_ARMS[this.name].what,
        this.session.externalSocket
          ? `daemon: the running one at ${this.session.externalSocket} (--engine-socket); only this run's containers (ib-${this.session.tag}-*) and image tag are removed`
          : `private state under ${this.session.dir}, cgroups under ${this.session.cgroupParent}; started before any timed region`,
        "image: loaded from isobench's store as an archive (docker-archive for docker/podman load, made by skopeo from our OCI archive; the OCI archive for ctr import); rootfs digest computed on the engine's own unpacked layers",
        "memory: PSS of the container cgroup's processes; engine_pss = its shim or conmon + the daemons' PSS / instances running; the attached client (isobench's marker reader) in neither",
        "writable layer: the engine's own (overlay on the state dir's disk), for every workload",
        ...[...this.images.entries()].map(([name, img]) => `image ${name}: ${img.ref}, engine's unpacked rootfs ${img.digest}`),
      ],
    }
  }

  rootfsDigest(image = 'idle'): string | null {
    return this.images.get(image)?.digest ?? null
  }

  unmatchedLimits(limits: Limits): string[] {
    return engineLimitFlags(this.name, limits).unmatched
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    const first = Object.keys(this.versions).length === 0
    if (first) this.ctx.cleanup.add(`${this.name} engine ${this.session.dir}`, () => this.session.stop())
    await this.session.start()
    this.init = await ensureInit()
    if (first) this.versions = await this.session.versions()
    for (const w of workloads) {
      const image = imageOf(w)
      if (!this.images.has(image)) this.images.set(image, await this.session.load(image))
    }
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const {workload} = spec
    if (spec.network !== 'none') throw new ArmError(`${this.name} arm: network ${spec.network} is not wired (instances run with --network none)`, 'unavailable')
    const image = imageOf(workload)
    if (!this.images.has(image) || !this.init) await this.prepare([workload])
    const name = this.session.containerName(spec.id)
    const {argv, env, binds} = initCommand(workload, this.init!)
    const cmd = this.session.runArgv({name, ref: this.images.get(image)!.ref, argv, env, limits: spec.limits, binds})
    const removal = this.ctx.cleanup.add(`${this.name} container ${name}`, () => this.session.remove(name))
    const startedAt = performance.now()
    const child = spawn(cmd[0]!, cmd.slice(1), {stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    const markers = markersOf(child)
    const exited = childExit(child)
    const instance = newInstance(spec, {startedAt, markers, pids: () => this.session.containerPids(name), exited})
    return this.running.add(instance, {child, markers, name, removal})
  }

  /** Ready by the init's marker; the engine's own phases (events that arrived before it) join the breakdown, in time order. */
  async waitReady(instance: Instance): Promise<ReadyResult> {
    const {markers, name} = this.running.get(instance)
    const ready = await waitReady(instance, markers)
    const engine = this.session.phases(name).filter((p) => p.at >= instance.startedAt && p.at <= ready.readyAt)
    return {readyAt: ready.readyAt, phases: [...engine, ...ready.phases].sort((a, b) => a.at - b.at)}
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    const {name} = this.running.get(instance)
    const procs = sampleProcesses(instance.pids())
    const cg = this.session.usage(name)
    const shims = this.session.shimPids(name).reduce((a, pid) => a + (readProcMemory(pid)?.pss ?? 0), 0)
    const daemons = this.session.daemonPids().reduce((a, pid) => a + (readProcMemory(pid)?.pss ?? 0), 0)
    const live = Math.max(1, this.running.values().length)
    return {...procs, cgroupMemoryBytes: cg.memoryBytes, cpuSeconds: cg.cpuSeconds ?? procs.cpuSeconds, enginePssBytes: shims + daemons / live}
  }

  async stop(instance: Instance): Promise<void> {
    const {child, name, removal} = this.running.get(instance)
    if (child.exitCode === null && child.signalCode === null) await this.session.kill(name)
    const timer = setTimeout(() => killGroup(child), 20_000)
    await instance.exited
    clearTimeout(timer)
    await removal.run()
    this.running.delete(instance)
  }

  async cleanup(): Promise<void> {
    for (const {child} of this.running.values()) killGroup(child)
    this.running.clear()
    await this.session.stop()
  }
}
