/**
 * The `container` arm: isobench's own runtime (src/runtime), through its Container facade. Each
 * instance is a container with its own pid, mount, uts, ipc, net and cgroup namespaces over an
 * overlay of the workload image, with cgroup limits from the instance's Limits. The init script from
 * the image prints the readiness markers on the inherited stdout pipe, exactly as in the process arm.
 */
import {existsSync} from 'node:fs'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {imageOf, initArgs, initEnv, rootfsMedium} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import {instanceTree, sampleProcesses} from '../host/procfs.js'
import {hostCgroups} from '../runtime/cgroups/cgroups.js'
import {Container} from '../runtime/container/container.js'
import type {ResolvedImage} from '../runtime/container/image.js'
import {type RunningContainer} from '../runtime/container/lifecycle.js'
import type {ContainerConfig, RuntimeNetwork} from '../runtime/container/state.js'
import {ensureRuntime} from '../runtime/native/build.js'
import {ensureInit, INIT_PATH_IN_INSTANCE} from '../runtime/native/init.js'
import {defaultSeccompLabel, seccompFilterFor} from '../runtime/seccomp/seccomp.js'
import type {MarkerStream} from '../core/markers.js'
import {ResolvedImages} from './images.js'
import {InstanceTable, markersOf, newInstance} from './instances.js'
import {waitReady} from './readiness.js'
import {overlaySupported} from '../host/filesystems.js'
import {harnessFloorMs} from '../runtime/native/launch.js'

export class ContainerArm implements Arm {
  readonly name = 'container'
  readonly kind = 'container'
  private readonly images: ResolvedImages
  private init: string | null = null
  private readonly running = new InstanceTable<{container: Container; c: RunningContainer; markers: MarkerStream}>(this.name)

  constructor(private readonly ctx: ArmContext) {
    this.images = new ResolvedImages(ctx.config.stateDir)
  }

  async available(): Promise<Availability> {
    if (process.getuid?.() !== 0) return {ok: false, reason: 'needs root (namespaces, mounts, cgroups)'}
    if (!existsSync('/proc/self/ns/cgroup')) return {ok: false, reason: 'kernel without cgroup namespaces'}
    try {
      await ensureRuntime()
    } catch (error) {
      return {ok: false, reason: (error as Error).message.split('\n')[0]}
    }
    const layout = hostCgroups()
    try {
      await seccompFilterFor(undefined) // Docker's default profile, compiled once
    } catch (error) {
      return {ok: false, reason: (error as Error).message.split('\n')[0]}
    }
    const notes = [`cgroups ${layout.mode}`, overlaySupported() ? 'overlayfs' : 'no overlayfs: rootfs is copied per container']
    return {ok: true, reason: notes.join('; ')}
  }

  info(): ArmInfo {
    const layout = hostCgroups()
    return {
      name: this.name,
      kind: this.kind,
      accel: 'none',
      versions: {runtime: 'isobench-runtime', cgroups: layout.mode, seccomp: defaultSeccompLabel()},
      notes: [
        "seccomp: Docker's default profile (built from Podman's, src/runtime/seccomp/seccomp-default.ts), installed from a compiled cache at each start; device allowlist: Docker's default (device cgroup)",
        ...this.images.notes(),
        overlaySupported()
          ? "writable layer: a tmpfs of the container's own, except for workloads that measure their rootfs (rootfs: block): overlay upper dir on the state dir's disk"
          : 'rootfs copied per container into the state dir',
      ],
    }
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    await ensureRuntime()
    this.init = await ensureInit()
    hostCgroups()
    await seccompFilterFor(undefined) // compiled here, not in the first timed start
    await this.images.prepare(workloads)
  }

  /** The rootfs digest an image resolved to (for parity records). */
  rootfsDigest(image?: string): string | null {
    return this.images.digest(image)
  }

  configFor(spec: InstanceSpec, image: ResolvedImage): ContainerConfig {
    const {workload} = spec
    const network: RuntimeNetwork = spec.network === 'user' ? 'bridge' : spec.network
    return {
      id: spec.id,
      image: imageOf(workload),
      lowerDirs: image.lowerDirs,
      rootfsMode: overlaySupported() ? 'overlay' : 'copy',
      writableLayer: rootfsMedium(workload),
      // The injected init, bind-mounted read-only (outside the rootfs digest), as docker run --init mounts docker-init.
      argv: [INIT_PATH_IN_INSTANCE, ...initArgs(workload)],
      env: {HOSTNAME: spec.id.slice(0, 63), ...initEnv(workload)},
      cwd: '/',
      hostname: spec.id.slice(0, 63),
      network,
      limits: {cpus: spec.limits.cpus, memoryMiB: spec.limits.memoryMiB, pids: spec.limits.pids, cpuset: spec.limits.cpuset},
      mounts: [{type: 'bind', source: this.init!, target: INIT_PATH_IN_INSTANCE, readonly: true}],
      ports: network === 'bridge' ? (workload.ports ?? []).map((p) => ({host: 0, container: p})) : [],
      autoRemove: true,
      createdAt: new Date().toISOString(),
    }
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const imageName = imageOf(spec.workload)
    if (!this.images.has(imageName) || !this.init) await this.prepare([spec.workload])
    const config = this.configFor(spec, this.images.get(imageName))
    const startedAt = performance.now()
    // A leftover of an interrupted run with this id is deleted first.
    const container = await Container.create(this.ctx.config.stateDir, config, {replaceStale: true})
    const handle = this.ctx.cleanup.add(`container ${spec.id}`, () => container.delete())
    let c: RunningContainer
    try {
      c = await container.start({
        output: 'pipe',
        tiedToParent: true,
        stateFiles: true,
        phases: true,
        timed: {holdUntil: spec.workload.ready.kind === 'marker' ? 'ready' : undefined},
      })
    } catch (error) {
      await handle.run()
      throw error
    }
    const markers = markersOf(c.child, {stamped: true})
    const stopHandle = this.ctx.cleanup.add(`container ${spec.id} processes`, () => container.kill())
    const exited = c.exited.then(async (r) => {
      stopHandle.dispose()
      await handle.run() // the runtime removed its state (its cgroups stay for the OOM check: run --keep); this removes them
      return {code: r.code, signal: r.signal, oomKilled: r.oomKilled}
    })
    const instance = newInstance(spec, {
      startedAt,
      markers,
      pids: () => instanceTree(c.shimPid),
      exited,
      endpoint: {host: '127.0.0.1', ports: c.ports},
    })
    return this.running.add(instance, {container, c, markers})
  }

  async waitReady(instance: Instance): Promise<ReadyResult> {
    const {c, markers} = this.running.get(instance)
    try {
      await c.networkReady
    } catch (error) {
      throw new ArmError(`${instance.id}: network setup failed: ${(error as Error).message}`, 'not-ready', {lastOutput: markers.tail(30)})
    }
    return waitReady(instance, markers)
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    const {container} = this.running.get(instance)
    const procs = sampleProcesses(instance.pids())
    const cg = container.stats()
    return {...procs, cgroupMemoryBytes: cg.memoryBytes, cpuSeconds: cg.cpuSeconds ?? procs.cpuSeconds}
  }

  /** SIGKILL the container's init (the whole pid namespace goes with it); the runtime then cleans up. */
  async stop(instance: Instance): Promise<void> {
    const {container, c} = this.running.get(instance)
    container.kill()
    const timeout = setTimeout(() => {
      try {
        process.kill(c.shimPid, 'SIGKILL')
      } catch {
        // gone
      }
    }, 5000)
    await instance.exited
    clearTimeout(timeout)
    this.running.delete(instance)
  }

  /** The harness floor: isobench-launch → /bin/true → reaped (its instances start under the launcher too). */
  harnessFloor(): Promise<number> {
    return harnessFloorMs()
  }

  async cleanup(): Promise<void> {}
}
