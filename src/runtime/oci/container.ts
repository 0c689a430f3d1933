/**
 * The facade of a container run by an OCI runtime of the table (runc, crun, …), with the same verbs
 * as our own runtime's Container: create writes the bundle, start spawns the wrapper that runs
 * `<runtime> run` in its private mount and pid namespace, kill/delete/stats end it, release what it
 * held and read its cgroup. The OCI arm uses only this.
 */
import type {ChildProcess} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import {childExit} from '../../host/process.js'
import {cgroupPlan, hostCgroups, listContainerCgroups, oomKills, readCgroupUsage, removeCgroupDirs, type CgroupUsage} from '../cgroups/cgroups.js'
import {GO_FD, launchArgv, releaseStart} from '../native/launch.js'
import {prepareOciRun, removeBundle, spawnOciRun, type OciRunSpec} from './run.js'

export class OciContainer {
  private child: ChildProcess | null = null

  private constructor(
    readonly stateDir: string,
    readonly id: string,
    private readonly argv: string[],
  ) {}

  /** OCI create: the bundle (config.json from the same limits as our runtime) under <stateDir>/oci/<id>. */
  static async create(spec: OciRunSpec): Promise<OciContainer> {
    const {argv} = await prepareOciRun(spec)
    return new OciContainer(spec.stateDir, spec.id, argv)
  }

  /**
   * Start: spawn the wrapper with stdout/stderr piped (the readiness markers arrive on stdout); with
   * `timed`, under isobench-launch --exec --timed (same pid; markers stamped on arrival, and the phases
   * of the files to watch: attach stdout stamped). The runtime's state root is made first, for the watch.
   */
  async start(
    opts: {timed?: {onCreate?: Record<string, string>; onDelete?: Record<string, string>; holdUntil?: string}} = {},
  ): Promise<{child: ChildProcess; exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>}> {
    if (opts.timed)
      for (const p of [...Object.values(opts.timed.onCreate ?? {}), ...Object.values(opts.timed.onDelete ?? {})])
        mkdirSync(dirname(dirname(p)), {recursive: true})
    const argv = opts.timed ? await launchArgv(this.argv, {mode: 'exec', timed: true, goFd: GO_FD, ...opts.timed}) : this.argv
    const child = spawnOciRun(argv, {go: opts.timed !== undefined})
    releaseStart(opts.timed ? (child.stdio[GO_FD] as NodeJS.WritableStream) : null)
    this.child = child
    return {child, exited: childExit(child)}
  }

  /** SIGKILL the wrapper's process group: its pid-namespace child dies by pdeathsig, taking the container with it. */
  kill(): void {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.pid) return
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // gone — or isobench-launch has not made its process group yet (it does first thing): the wrapper alone
      try {
        process.kill(child.pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
  }

  /** Remove the container's cgroups, then the bundle and the runtime's state entry: a bundle left by a kill in between is how prune knows the cgroups are ours. */
  delete(): void {
    removeCgroupDirs(listContainerCgroups(hostCgroups()).get(this.id) ?? [])
    removeBundle(this.stateDir, this.id)
  }

  /** Whether the OOM killer struck in its memory cgroup (memory.events / memory.oom_control), while that cgroup exists. */
  oomKilled(): boolean {
    return oomKills(listContainerCgroups(hostCgroups()).get(this.id) ?? []) > 0
  }

  /** Memory and CPU its cgroup (`/isobench/<id>`, made by the runtime) has accounted so far. */
  stats(): CgroupUsage {
    return readCgroupUsage(cgroupPlan(hostCgroups(), this.id, {}))
  }
}
