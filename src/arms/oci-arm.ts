/**
 * The OCI arms (one per runtime of runtime/oci/runtimes.ts: runc, crun): the same image as our
 * container arm, turned into an OCI bundle whose config.json comes from the same limits, run by that
 * runtime through its OciContainer facade. Same init, same readiness markers on an inherited pipe, so
 * startup figures compare directly with the container arm.
 */
import {join} from 'node:path'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, NetworkMode, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {imageOf, initArgs, initEnv, rootfsMedium} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import type {MarkerStream} from '../core/markers.js'
import {instanceTree, sampleProcesses} from '../host/procfs.js'
import {hostCgroups} from '../runtime/cgroups/cgroups.js'
import {ensureInit, INIT_PATH_IN_INSTANCE} from '../runtime/native/init.js'
import {OciContainer} from '../runtime/oci/container.js'
import {runtimeRoot} from '../runtime/oci/run.js'
import {ociRuntime} from '../runtime/oci/runtimes.js'
import {probeOciRuntime, type OciProbe, type OciRuntimeName} from '../runtime/oci/probe.js'
import {defaultSeccompLabel} from '../runtime/seccomp/seccomp.js'
import {ResolvedImages} from './images.js'
import {InstanceTable, markersOf, newInstance} from './instances.js'
import {waitReady} from './readiness.js'
import {harnessFloorMs} from '../runtime/native/launch.js'

export class OciArm implements Arm {
  readonly kind = 'oci'
  private probe: OciProbe | null = null
  private init: string | null = null
  private readonly images: ResolvedImages
  private readonly running: InstanceTable<{container: OciContainer; markers: MarkerStream}>

  constructor(
    readonly name: OciRuntimeName,
    private readonly ctx: ArmContext,
  ) {
    this.images = new ResolvedImages(ctx.config.stateDir)
    this.running = new InstanceTable(name)
  }

  async available(): Promise<Availability> {
    if (process.getuid?.() !== 0) return {ok: false, reason: `${this.name} needs root here (rootless mode is not set up by isobench)`}
    this.probe = await probeOciRuntime(this.name)
    return this.probe.works ? {ok: true, reason: this.probe.reason} : {ok: false, reason: this.probe.reason}
  }

  /** Services the host reaches need a bridge or user network, which the OCI arms do not wire (none or host only). */
  supports(_workload: WorkloadSpec, network: NetworkMode): Availability {
    return network === 'none' || network === 'host'
      ? {ok: true}
      : {ok: false, reason: `network ${network} is not wired for OCI runtimes (none or host only), and this workload is reached from the host`}
  }

  info(): ArmInfo {
    const p = this.probe
    return {
      name: this.name,
      kind: this.kind,
      ...(ociRuntime(this.name)?.isolation ? {isolation: ociRuntime(this.name)!.isolation} : {}),
      accel: 'none',
      versions: {[this.name]: p?.version ?? 'unknown', cgroups: hostCgroups().mode, seccomp: defaultSeccompLabel()},
      notes: [
        `seccomp and device allowlist: the same OCI objects as the container arm's (Docker's defaults), in config.json`,
        ...(p?.reason ? [p.reason] : []),
        ...(p?.args.length ? [`global flags: ${p.args.join(' ')}`] : []),
        "rootfs: overlay of the image, mounted by isobench-nsexec wrap in a private mount namespace; writable layer in a tmpfs there, except for workloads that measure their rootfs (rootfs: block): upper dir on the state dir's disk",
        ...this.images.notes(),
      ],
    }
  }

  /** The rootfs digest an image resolved to (for parity records). */
  rootfsDigest(image?: string): string | null {
    return this.images.digest(image)
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    if (!this.probe) await this.available()
    if (!this.probe?.works) throw new ArmError(`${this.name}: ${this.probe?.reason ?? 'not available'}`, 'unavailable')
    hostCgroups()
    this.init = await ensureInit()
    await this.images.prepare(workloads)
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const {workload} = spec
    const imageName = imageOf(workload)
    if (!this.images.has(imageName) || !this.probe || !this.init) await this.prepare([workload])
    if (spec.network !== 'none' && spec.network !== 'host')
      throw new ArmError(`${this.name} arm: network ${spec.network} is not wired for OCI runtimes (use none or host)`, 'unavailable')
    const id = `${this.name}-${spec.id}`.slice(0, 40)
    const container = await OciContainer.create({
      stateDir: this.ctx.config.stateDir,
      runtime: this.probe!,
      id,
      lowerDirs: this.images.get(imageName).lowerDirs,
      // The injected init, bind-mounted read-only (outside the rootfs digest), as docker run --init mounts docker-init.
      argv: [INIT_PATH_IN_INSTANCE, ...initArgs(workload)],
      env: {HOSTNAME: id.slice(0, 63), ...initEnv(workload)},
      binds: [{source: this.init!, target: INIT_PATH_IN_INSTANCE, readonly: true}],
      network: spec.network,
      writableLayer: rootfsMedium(workload),
      limits: {cpus: spec.limits.cpus, memoryMiB: spec.limits.memoryMiB, pids: spec.limits.pids, cpuset: spec.limits.cpuset},
    })
    const handle = this.ctx.cleanup.add(`${this.name} container ${id}`, () => container.delete())
    // Under isobench-launch --exec --timed, watching the runtime's state files for the phases it gives (OCI_PHASES).
    const files = ociRuntime(this.name)?.stateFiles
    const state = join(runtimeRoot(this.ctx.config.stateDir, this.name), id)
    const startedAt = performance.now()
    const {child, exited: ended} = await container.start({
      timed: {
        ...(files ? {onCreate: {created: join(state, files.created)}} : {}),
        ...(files?.startedWhenRemoved ? {onDelete: {started: join(state, files.startedWhenRemoved)}} : {}),
        holdUntil: workload.ready.kind === 'marker' ? 'ready' : undefined,
      },
    })
    const markers = markersOf(child, {stamped: true})
    const killHandle = this.ctx.cleanup.add(`${this.name} container ${id} processes`, () => container.kill())
    // Whether the OOM killer struck, read from the container's memory cgroup while it still exists:
    // at the init's exit mark (crun removes its cgroups as the container ends) and at the end (runc --keep).
    let oomKilled = false
    markers.on('mark', (m: {phase: string}) => {
      if (m.phase === 'exit') oomKilled ||= container.oomKilled()
    })
    const exited = ended.then(async (r) => {
      killHandle.dispose()
      oomKilled ||= container.oomKilled()
      await handle.run()
      return {...r, oomKilled}
    })
    const instance = newInstance(spec, {startedAt, markers, pids: () => (child.pid ? instanceTree(child.pid) : []), exited})
    return this.running.add(instance, {container, markers})
  }

  waitReady(instance: Instance): Promise<ReadyResult> {
    return waitReady(instance, this.running.get(instance).markers)
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    const procs = sampleProcesses(instance.pids())
    const cg = this.running.get(instance).container.stats()
    return {...procs, cgroupMemoryBytes: cg.memoryBytes, cpuSeconds: cg.cpuSeconds ?? procs.cpuSeconds}
  }

  stop(instance: Instance): Promise<void> {
    return this.running.stop(instance, ({container}) => container.kill())
  }

  /** The harness floor: isobench-launch → /bin/true → reaped (its instances start under the launcher too). */
  harnessFloor(): Promise<number> {
    return harnessFloorMs()
  }

  async cleanup(): Promise<void> {}
}
