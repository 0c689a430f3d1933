/**
 * The `lxc` arm: LXC 5 (the lineage the seeds trace: chroot → OpenVZ → LXC → Docker), the same image
 * as an overlay rootfs, run with `lxc-start -F -- /isobench/init …` (runtime/lxc/lxc.ts says
 * why not lxc-execute), no network, unconfined AppArmor, Docker's capabilities and device allowlist,
 * and the scenario's limits as LXC cgroup keys. The markers arrive on lxc-start's stdout, where the
 * container's PID 1 writes them.
 *
 * Memory: the container's processes (lxc-start's descendants) are the instance's PSS; lxc-start
 * itself, the container's monitor, is reported apart (enginePssBytes), as a shim is for the engines.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {execa} from 'execa'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {imageOf, rootfsMedium} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import type {MarkerStream} from '../core/markers.js'
import {overlaySupported} from '../host/filesystems.js'
import {childExit, killGroup} from '../host/process.js'
import {descendants, readProcMemory, sampleProcesses} from '../host/procfs.js'
import {hostCgroups} from '../runtime/cgroups/cgroups.js'
import {LxcRun} from '../runtime/lxc/lxc.js'
import {ensureInit} from '../runtime/native/init.js'
import {ResolvedImages} from './images.js'
import {initCommand} from './init-command.js'
import {InstanceTable, markersOf, newInstance} from './instances.js'
import {waitReady} from './readiness.js'

export class LxcArm implements Arm {
  readonly name = 'lxc'
  readonly kind = 'lxc'
  private readonly images: ResolvedImages
  private readonly run: LxcRun
  private version = 'unknown'
  private prepared = false
  /** The injected init's host path (ensureInit, in prepare()). */
  private init: string | null = null
  private readonly running = new InstanceTable<{child: ChildProcess; markers: MarkerStream; name: string}>(this.name)

  constructor(private readonly ctx: ArmContext) {
    this.images = new ResolvedImages(ctx.config.stateDir)
    this.run = new LxcRun(ctx.config.stateDir, ctx.runId)
  }

  async available(): Promise<Availability> {
    if (process.getuid?.() !== 0) return {ok: false, reason: 'lxc needs root here (unprivileged LXC needs subordinate ids isobench does not set up)'}
    const v = await execa('lxc-start', ['--version'], {reject: false, timeout: 5000})
    if (v.exitCode !== 0) return {ok: false, reason: 'lxc-start not found (apt package lxc; run `isobench setup`)'}
    this.version = v.stdout.trim()
    if (!overlaySupported()) return {ok: false, reason: 'no overlayfs: the arm gives LXC an overlay rootfs (modprobe overlay)'}
    const mode = hostCgroups().mode
    return {
      ok: true,
      reason: `lxc ${this.version}: lxc-start -F, overlay rootfs, no network, AppArmor unconfined; cgroups ${mode} (${mode === 'v2' ? 'lxc.cgroup2' : 'lxc.cgroup'} keys)`,
    }
  }

  info(): ArmInfo {
    return {
      name: this.name,
      kind: this.kind,
      isolation: 'container runtime',
      accel: 'none',
      versions: {lxc: this.version, cgroups: hostCgroups().mode, seccomp: 'unconfined'},
      notes: [
        "lxc-start -F -P <run's lxcpath> -n NAME -- /isobench/init …: the injected init is the container's PID 1, as with runc (lxc-execute would add init.lxc in front of it; lxc.init.cmd splits on blanks)",
        "rootfs: lxc.rootfs.path overlay of the image (LXC mounts it in the container's mount namespace); writable layer in the run's tmpfs, or on the state dir's disk for workloads that measure their rootfs",
        "Docker's default capabilities (lxc.cap.keep) and device allowlist; no seccomp profile (LXC reads its own policy format, not OCI JSON); AppArmor unconfined; lxc.net.0.type = empty",
        'memory: PSS of the container processes; lxc-start (its monitor) reported apart as engine_pss',
        ...this.images.notes(),
      ],
    }
  }

  rootfsDigest(image?: string): string | null {
    return this.images.digest(image)
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    if (this.version === 'unknown') await this.available()
    hostCgroups()
    this.init = await ensureInit()
    await this.images.prepare(workloads)
    if (!this.prepared) this.ctx.cleanup.add(`lxc run dir ${this.run.dir}`, () => this.run.destroy())
    this.prepared = true
    this.run.prepare(workloads.some((w) => rootfsMedium(w) === 'memory'))
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const {workload} = spec
    if (spec.network !== 'none') throw new ArmError(`lxc arm: network ${spec.network} is not wired (lxc.net.0.type = empty: use none)`, 'unavailable')
    if (!this.images.has(imageOf(workload)) || !this.init) await this.prepare([workload])
    const name = spec.id
    const {argv, env, binds} = initCommand(workload, this.init!)
    const cmd = this.run.create({
      name,
      lowerDirs: this.images.get(imageOf(workload)).lowerDirs,
      medium: rootfsMedium(workload),
      argv,
      env,
      limits: {cpus: spec.limits.cpus, memoryMiB: spec.limits.memoryMiB, pids: spec.limits.pids, cpuset: spec.limits.cpuset},
      binds,
    })
    const removeHandle = this.ctx.cleanup.add(`lxc container ${name}`, () => this.run.remove(name))
    const startedAt = performance.now()
    const child = spawn(cmd[0]!, cmd.slice(1), {stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    const markers = markersOf(child)
    const killHandle = this.ctx.cleanup.add(`lxc-start ${name}`, () => killLxcStart(child))
    const exited = childExit(child).then(async (r) => {
      killHandle.dispose()
      await removeHandle.run()
      return r
    })
    const instance = newInstance(spec, {startedAt, markers, pids: () => (child.pid ? descendants(child.pid) : []), exited})
    return this.running.add(instance, {child, markers, name})
  }

  waitReady(instance: Instance): Promise<ReadyResult> {
    return waitReady(instance, this.running.get(instance).markers)
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    const {child, name} = this.running.get(instance)
    const procs = sampleProcesses(instance.pids())
    const cg = this.run.usage(name)
    const monitor = child.pid ? readProcMemory(child.pid) : null
    return {...procs, cgroupMemoryBytes: cg.memoryBytes, cpuSeconds: cg.cpuSeconds ?? procs.cpuSeconds, enginePssBytes: monitor?.pss}
  }

  stop(instance: Instance): Promise<void> {
    return this.running.stop(instance, ({child}) => killLxcStart(child))
  }

  async cleanup(): Promise<void> {
    for (const {child} of this.running.values()) killLxcStart(child)
    this.running.clear()
    if (this.prepared) this.run.destroy()
    this.prepared = false
  }
}

/** SIGKILL lxc-start's process group while it runs (the container's init dies with it: parent-death signal). */
function killLxcStart(child: ChildProcess): void {
  killGroup(child, {whileRunning: true})
}
