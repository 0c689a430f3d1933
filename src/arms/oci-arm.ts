/**
 * The OCI arms (`runc`, `crun`): the same image as our container arm, turned into an OCI bundle
 * whose config.json comes from the same limits, run by that runtime. Same init, same readiness
 * markers on an inherited pipe, so startup figures compare directly with the container arm.
 */
import type {ChildProcess} from 'node:child_process'
import {ArmError} from '../core/errors.js'
import {descendants, sampleProcesses} from '../host/procfs.js'
import {INIT_PATH_IN_IMAGE} from '../images/init.js'
import {cgroupPlan, readCgroupUsage, type CgroupPlan, hostCgroups} from '../runtime/cgroups/cgroups.js'
import {resolveImage, type ResolvedImage} from '../runtime/container/image.js'
import {probeOciRuntime, type OciProbe, type OciRuntimeName} from '../runtime/oci/probe.js'
import {prepareOciRun, removeBundle, spawnOciRun} from '../runtime/oci/run.js'
import {defaultSeccompLabel} from '../runtime/seccomp/seccomp.js'
import {removeCgroupDirs, listContainerCgroups} from '../runtime/cgroups/cgroups.js'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {DEFAULT_IMAGE, imageOf, rootfsMedium} from '../core/arm.js'
import {MarkerStream} from '../core/markers.js'
import {waitReady} from './readiness.js'


export class OciArm implements Arm {
  readonly kind = 'oci'
  private probe: OciProbe | null = null
  private images = new Map<string, ResolvedImage>()
  private running = new WeakMap<Instance, {child: ChildProcess; markers: MarkerStream; plan: CgroupPlan}>()

  constructor(
    readonly name: OciRuntimeName,
    private readonly ctx: ArmContext,
  ) {}

  async available(): Promise<Availability> {
    if (process.getuid?.() !== 0) return {ok: false, reason: `${this.name} needs root here (rootless mode is not set up by isobench)`}
    this.probe = await probeOciRuntime(this.name)
    return this.probe.works ? {ok: true, reason: this.probe.reason} : {ok: false, reason: this.probe.reason}
  }

  info(): ArmInfo {
    const p = this.probe
    return {
      name: this.name,
      kind: this.kind,
      accel: 'none',
      versions: {[this.name]: p?.version ?? 'unknown', cgroups: hostCgroups().mode, seccomp: defaultSeccompLabel()},
      notes: [
        `seccomp and device allowlist: the same OCI objects as the container arm's (Docker's defaults), in config.json`,
        ...(p?.reason ? [p.reason] : []),
        'rootfs: overlay of the image, mounted by isobench-nsexec wrap in a private mount namespace; writable layer in a tmpfs there, except for workloads that measure their rootfs (rootfs: block): upper dir on the state dir\'s disk',
        ...[...this.images.entries()].map(([name, img]) => `image ${name}: rootfs ${img.digest ?? img.lowerDirs[0]}`),
      ],
    }
  }

  /** The rootfs digest an image resolved to (for parity records). */
  rootfsDigest(image = DEFAULT_IMAGE): string | null {
    return this.images.get(image)?.digest ?? null
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    if (!this.probe) await this.available()
    if (!this.probe?.works) throw new ArmError(`${this.name}: ${this.probe?.reason ?? 'not available'}`, 'unavailable')
    hostCgroups()
    for (const w of workloads) {
      const image = imageOf(w)
      if (!this.images.has(image)) this.images.set(image, await resolveImage(this.ctx.config.stateDir, image))
    }
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const {workload} = spec
    const imageName = imageOf(workload)
    if (!this.images.has(imageName) || !this.probe) await this.prepare([workload])
    if (spec.network !== 'none' && spec.network !== 'host') throw new ArmError(`${this.name} arm: network ${spec.network} is not wired for OCI runtimes (use none or host)`, 'unavailable')
    const stateDir = this.ctx.config.stateDir
    const id = `${this.name}-${spec.id}`.slice(0, 40)
    const {argv} = await prepareOciRun({
      stateDir,
      runtime: this.probe!,
      id,
      lowerDirs: this.images.get(imageName)!.lowerDirs,
      argv: ['/bin/sh', INIT_PATH_IN_IMAGE, ...workload.argv],
      env: {...workload.env, ISOBENCH_NAME: workload.name, ISOBENCH_READY: workload.ready.kind},
      network: spec.network,
      writableLayer: rootfsMedium(workload),
      limits: {cpus: spec.limits.cpus, memoryMiB: spec.limits.memoryMiB, pids: spec.limits.pids, cpuset: spec.limits.cpuset},
    })
    const release = () => {
      removeBundle(stateDir, id)
      removeCgroupDirs(listContainerCgroups(hostCgroups()).get(id) ?? [])
    }
    const handle = this.ctx.cleanup.add(`${this.name} container ${id}`, release)
    const startedAt = performance.now()
    const child = spawnOciRun(argv)
    const markers = new MarkerStream().attach(child.stdout!).attach(child.stderr!, {markers: false})
    const killHandle = this.ctx.cleanup.add(`${this.name} container ${id} processes`, () => kill(child))
    const exited = new Promise<{code: number | null; signal: string | null}>((resolve) => {
      child.once('exit', (code, signal) => resolve({code, signal}))
      child.once('error', () => resolve({code: null, signal: null}))
    }).then(async (r) => {
      killHandle.dispose()
      await handle.run()
      return r
    })
    const plan = cgroupPlan(hostCgroups(), id, {})
    const instance: Instance = {
      id: spec.id,
      spec,
      startedAt,
      marks: markers.marks,
      pids: () => (child.pid ? [child.pid, ...descendants(child.pid)] : []),
      output: () => markers.output(),
      exited,
    }
    this.running.set(instance, {child, markers, plan})
    return instance
  }

  waitReady(instance: Instance): Promise<ReadyResult> {
    return waitReady(instance, this.state(instance).markers)
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    const procs = sampleProcesses(instance.pids())
    const cg = readCgroupUsage(this.state(instance).plan)
    return {...procs, cgroupMemoryBytes: cg.memoryBytes, cpuSeconds: cg.cpuSeconds ?? procs.cpuSeconds}
  }

  async stop(instance: Instance): Promise<void> {
    kill(this.state(instance).child)
    await instance.exited
  }

  async cleanup(): Promise<void> {}

  private state(instance: Instance) {
    const m = this.running.get(instance)
    if (!m) throw new ArmError(`${instance.id} was not started by the ${this.name} arm`, 'failed')
    return m
  }
}

/** SIGKILL the wrapper: it is pid 1's parent… its pid-namespace child dies by pdeathsig, taking the container with it. */
function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // gone
  }
}
