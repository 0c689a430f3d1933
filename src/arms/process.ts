/**
 * The `process` arm: the workload as a bare host process, no isolation at all. The baseline every
 * other arm is compared with. It runs the same injected init (build/native/isobench-init) as the
 * other arms, with the host's binaries, so the readiness protocol and the workload command are
 * identical. A workload whose command exists only in its image (hostRunnable: false) is not
 * applicable here.
 *
 * Nothing it starts may outlive the run, as with the other arms: each instance runs under
 * isobench-launch (src/runtime/native/launch.c), a small parent that dies with isobench
 * (PR_SET_PDEATHSIG, also when isobench is SIGKILLed) and takes the workload's whole subtree with
 * it, and — as root — joins the run's cgroup (`isobench/process_<run>`), so that `isobench prune`
 * finds whatever is left even if the launcher itself was killed. The instances' working directory
 * (when the image's WorkingDir is not on the host) is the run's scratch dir
 * (`<stateDir>/runs/<runId>/`), which prune removes when the run is dead. The launcher adds no
 * isolation and is left out of the instance's processes (pids(), memory and CPU figures). It reads
 * CLOCK_MONOTONIC right before it forks the workload and stamps each marker on arrival (--timed),
 * so neither its own exec nor node's spawn and pipe are in any figure.
 *
 * Placement is the other arms' (placement.ts): a cpuset pins the workload (sched_setaffinity), a CPU
 * quota, memory or pids limit puts it in a cgroup of its own with that limit; where a limit cannot
 * be applied the sample fails as not applicable, never unplaced.
 */
import {existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, statSync} from 'node:fs'
import {basename, join} from 'node:path'
import {sampleProcesses, descendants} from '../host/procfs.js'
import {closeRunDir, instanceCgroupName, openRunDir, runCgroupName} from '../host/runs.js'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {initArgs, initEnv} from '../core/arm.js'
import type {MarkerStream} from '../core/markers.js'
import {hostCgroups, readCgroupUsage, runCgroupDir} from '../runtime/cgroups/cgroups.js'
import {ensureLauncher} from '../runtime/native/build.js'
import {ensureInit} from '../runtime/native/init.js'
import {GO_FD, harnessFloorMs, launchArgv, releaseStart} from '../runtime/native/launch.js'
import {InstanceTable, markersOf, newInstance} from './instances.js'
import {placeProcess, releasePlacement, type Placement} from './placement.js'
import {waitReady} from './readiness.js'
import {spawnInstanceProcess, stopLaunchedProcess, type InstanceProcess} from '../host/process.js'

export const BUSYBOX = '/bin/busybox'

export class ProcessArm implements Arm {
  readonly name = 'process'
  readonly kind = 'process'
  private dir: string | null = null
  private init: string | null = null
  /** The run's cgroup this arm's instances join; null when there is none (not root, no cgroup mount). */
  private cgroup: string | null = null
  private cgroupNote = ''
  /** The run's cgroup name (runCgroupName): an instance's own cgroups are named after it, for prune. */
  private cgroupName = ''
  private readonly running = new InstanceTable<{child: InstanceProcess; markers: MarkerStream; placement: Placement}>(this.name)

  constructor(private readonly ctx: ArmContext) {}

  async available(): Promise<Availability> {
    if (!existsSync(BUSYBOX)) return {ok: false, reason: `${BUSYBOX} not found (apt package busybox-static; run \`isobench setup\`)`}
    try {
      await ensureLauncher()
      await ensureInit()
    } catch (error) {
      return {ok: false, reason: (error as Error).message.split('\n')[0]}
    }
    return {ok: true}
  }

  info(): ArmInfo {
    return {
      name: this.name,
      kind: this.kind,
      accel: 'none',
      versions: {},
      notes: [
        `each instance under isobench-launch (dies with isobench, takes its subtree along${this.cgroupNote})`,
        'the image is not used: the command runs from the host (its own binaries, PATH and files)',
      ],
    }
  }

  /** Only workloads whose command the host has: an image's own binary cannot run here. */
  supports(workload: WorkloadSpec): Availability {
    if (workload.hostRunnable === false)
      return {ok: false, reason: `${workload.argv[0] ?? 'its command'} is the image's own, not on this host (the process arm runs host binaries)`}
    return {ok: true}
  }

  async prepare(): Promise<void> {
    if (this.dir) return
    await ensureLauncher() // built here, not at the first start
    this.init = await ensureInit()
    const runDir = openRunDir(this.ctx.config.stateDir, this.ctx.runId)
    const dir = mkdtempSync(join(runDir, 'process-'))
    this.dir = dir
    this.ctx.cleanup.add(`temp dir ${dir}`, () => rmSync(dir, {recursive: true, force: true}))
    this.cgroupName = runCgroupName(basename(runDir))
    this.cgroup = this.runCgroup(basename(runDir))
  }

  /** The run's cgroup, made here (as root); null with the reason noted when there can be none. */
  private runCgroup(runDirName: string): string | null {
    if (process.getuid?.() !== 0) {
      this.cgroupNote = '; no run cgroup: not root'
      return null
    }
    try {
      const dir = runCgroupDir(hostCgroups(), runCgroupName(runDirName))
      if (!dir) {
        this.cgroupNote = '; no run cgroup: no cgroup mount'
        return null
      }
      mkdirSync(dir, {recursive: true})
      this.cgroupNote = `; cgroup ${dir}`
      // Removed at the end if empty; a dir another arm of this process still uses stays (EBUSY) for prune.
      this.ctx.cleanup.add(`cgroup ${dir}`, () => {
        try {
          rmdirSync(dir)
        } catch {
          // in use or gone
        }
      })
      return dir
    } catch (error) {
      this.cgroupNote = `; no run cgroup: ${(error as Error).message.split('\n')[0]}`
      return null
    }
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    if (!this.dir || !this.init) await this.prepare()
    const {workload} = spec
    // An empty cgroup is anyone's to remove (another tool's sweep of empty dirs, between two samples):
    // made again here, or the launcher cannot join it and the sample fails (exit 125).
    if (this.cgroup) mkdirSync(this.cgroup, {recursive: true})
    // Named `process_<run>.<id>`: `isobench prune` removes them with the run's own cgroup (prune-runs.ts).
    const placement = placeProcess(instanceCgroupName(this.cgroupName, spec.id), spec.limits)
    const placed = this.ctx.cleanup.add(`process ${spec.id} cgroups`, () => releasePlacement(placement))
    const argv = await launchArgv([this.init!, ...initArgs(workload, {cwd: false})], {
      mode: 'fork',
      timed: true,
      cgroups: [...(this.cgroup ? [this.cgroup] : []), ...(placement.plan?.dirs ?? [])],
      cpus: placement.cpus,
      goFd: GO_FD,
      // Readiness by marker: node is woken by the ready line, not by the ones before it.
      holdUntil: workload.ready.kind === 'marker' ? 'ready' : undefined,
    })
    // The image's WorkingDir is an image path: used when the host has it, never created on the host.
    const hostCwd = workload.cwd && existsSync(workload.cwd) && statSync(workload.cwd).isDirectory() ? workload.cwd : this.dir!
    const startedAt = performance.now()
    const child = spawnInstanceProcess(argv, {env: initEnv(workload), cwd: hostCwd, go: true})
    const markers = markersOf(child, {stamped: true})
    releaseStart(child.stdio[GO_FD] as NodeJS.WritableStream)
    const handle = this.ctx.cleanup.add(`process ${spec.id}`, () => stopLaunchedProcess(child))
    const exited = child.then(
      (r) => ({code: r.exitCode ?? null, signal: r.signal ?? null}),
      () => ({code: null, signal: null}),
    )
    void exited.then(() => {
      handle.dispose()
      placed.run()
    })
    // The launcher is not the workload: its descendants are.
    const instance = newInstance(spec, {startedAt, markers, pids: () => (child.pid ? descendants(child.pid) : []), exited})
    return this.running.add(instance, {child, markers, placement})
  }

  waitReady(instance: Instance): Promise<ReadyResult> {
    return waitReady(instance, this.running.get(instance).markers)
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    const procs = sampleProcesses(instance.pids())
    const {plan} = this.running.get(instance).placement
    if (!plan) return procs
    // Placed in a cgroup of its own, as a container is: its usage is read the same way.
    const cg = readCgroupUsage(plan)
    return {...procs, cgroupMemoryBytes: cg.memoryBytes, cpuSeconds: cg.cpuSeconds ?? procs.cpuSeconds}
  }

  stop(instance: Instance): Promise<void> {
    return this.running.stop(instance, ({child}) => stopLaunchedProcess(child))
  }

  /** The harness floor: isobench-launch → /bin/true → reaped (its instances start under the launcher too). */
  harnessFloor(): Promise<number> {
    return harnessFloorMs()
  }

  async cleanup(): Promise<void> {
    if (this.dir) rmSync(this.dir, {recursive: true, force: true})
    this.dir = null
    if (this.cgroup) {
      try {
        rmdirSync(this.cgroup)
      } catch {
        // another arm of this run still uses it; it goes with the run (prune)
      }
    }
    closeRunDir(this.ctx.config.stateDir, this.ctx.runId)
  }
}
