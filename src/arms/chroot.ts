/**
 * The `chroot` arm: one rung above the bare process, the seeds' starting point ("since 1982,
 * isolates only files"). The same image's rootfs as every other arm, entered with chroot(8) and
 * nothing else: no namespace, no seccomp, no capability dropped. The only addition is the
 * measurement's own cgroup (`isobench/chroot-<tag>-<id>`, with the scenario's limits; the run's tag
 * lets prune find it after a kill), which every arm but the process arm has, so memory and CPU are
 * read the same way and the limits match.
 *
 * The tree (runtime/chroot/tree.ts) is mounted once per image in prepare(), outside any timed
 * region, and shared by the run's instances; start() is `busybox sh` joining the cgroup (v1: its
 * `tasks` files, the fast path; v2: cgroup.procs) and exec'ing `chroot ROOT /isobench/init …` (the injected init, bind-mounted read-only into the tree).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {imageOf, rootfsMedium} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import type {MarkerStream} from '../core/markers.js'
import {overlaySupported} from '../host/filesystems.js'
import {childExit, killGroup} from '../host/process.js'
import {descendants, sampleProcesses} from '../host/procfs.js'
import {runTag} from '../host/run-label.js'
import {cgroupPlan, hostCgroups, readCgroupUsage, removeCgroupDirs, type CgroupPlan} from '../runtime/cgroups/cgroups.js'
import {ensureInit} from '../runtime/native/init.js'
import {chrootCgroupName} from '../runtime/chroot/cgroups.js'
import {chrootParent, mountChrootTree, unmountChrootTree, type ChrootTree} from '../runtime/chroot/tree.js'
import {ResolvedImages} from './images.js'
import {initCommand} from './init-command.js'
import {InstanceTable, markersOf, newInstance} from './instances.js'
import {waitReady} from './readiness.js'

export const CHROOT = '/usr/sbin/chroot'
const SH = '/bin/busybox'

/** $0 = label, $1 = root, then cgroup files up to `--`, then the command: join each file, then chroot. */
const JOIN_AND_CHROOT = `r=$1; shift; while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec ${CHROOT} "$r" "$@"`

/** The files a process writes its pid to, to join a cgroup plan's dirs: v1 `tasks` (no RCU wait), v2 `cgroup.procs`. */
export function joinFiles(plan: CgroupPlan, mode: string): string[] {
  return plan.dirs.map((d) => join(d, mode === 'v2' || d.includes('/unified/') ? 'cgroup.procs' : 'tasks'))
}

export class ChrootArm implements Arm {
  readonly name = 'chroot'
  readonly kind = 'chroot'
  private readonly images: ResolvedImages
  private readonly trees = new Map<string, ChrootTree>()
  private readonly running = new InstanceTable<{child: ChildProcess; markers: MarkerStream; plan: CgroupPlan}>(this.name)
  private readonly runDir: string
  /** The injected init's host path (ensureInit, in prepare()). */
  private init: string | null = null

  constructor(private readonly ctx: ArmContext) {
    this.images = new ResolvedImages(ctx.config.stateDir)
    this.runDir = join(chrootParent(ctx.config.stateDir), runTag(ctx.runId))
  }

  async available(): Promise<Availability> {
    if (process.getuid?.() !== 0) return {ok: false, reason: 'chroot(2) and mounting the tree need root'}
    if (!existsSync(CHROOT)) return {ok: false, reason: `${CHROOT} not found (apt package coreutils)`}
    if (!existsSync(SH)) return {ok: false, reason: `${SH} not found (apt package busybox-static; run \`isobench setup\`)`}
    if (!overlaySupported()) return {ok: false, reason: 'no overlayfs: the chroot tree is an overlay of the image (modprobe overlay)'}
    return {ok: true, reason: `cgroups ${hostCgroups().mode}: the measurement's own cgroup only; no namespace`}
  }

  info(): ArmInfo {
    return {
      name: this.name,
      kind: this.kind,
      isolation: 'process',
      accel: 'none',
      versions: {cgroups: hostCgroups().mode, seccomp: 'unconfined'},
      notes: [
        "chroot(8) into an overlay of the image (mounted in the host mount namespace, with /proc, a read-only /sys and a tmpfs /dev of null, zero, full, random, urandom, tty), shared by the run's instances; no namespaces, no seccomp, all capabilities",
        "the measurement's own cgroup isobench/<id> (limits as the other arms'), joined before the chroot",
        ...this.images.notes(),
      ],
    }
  }

  rootfsDigest(image?: string): string | null {
    return this.images.digest(image)
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    hostCgroups()
    this.init = await ensureInit()
    await this.images.prepare(workloads)
    for (const w of workloads) this.tree(w)
  }

  /** The tree a workload runs in: one per image and writable medium, mounted on first use. */
  private tree(workload: WorkloadSpec): ChrootTree {
    const medium = rootfsMedium(workload)
    const key = `${imageOf(workload).replace(/[^A-Za-z0-9_.-]/g, '_')}-${medium}`
    let tree = this.trees.get(key)
    if (!tree) {
      tree = mountChrootTree(this.runDir, this.ctx.runId, key, this.images.get(imageOf(workload)).lowerDirs, medium, initCommand(workload, this.init!).binds)
      this.trees.set(key, tree)
      const dir = tree.dir
      this.ctx.cleanup.add(`chroot tree ${dir}`, () => unmountChrootTree(dir))
    }
    return tree
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const {workload} = spec
    if (spec.network !== 'none' && spec.network !== 'host')
      throw new ArmError(`chroot arm: network ${spec.network} is not wired (a chroot has the host's network: use none or host)`, 'unavailable')
    if (!this.images.has(imageOf(workload)) || !this.init) await this.prepare([workload])
    const tree = this.tree(workload)
    const layout = hostCgroups()
    const id = chrootCgroupName(runTag(this.ctx.runId), spec.id)
    const plan = cgroupPlan(layout, id, spec.limits, null)
    for (const d of plan.dirs) mkdirSync(d, {recursive: true})
    for (const [file, value] of plan.settings) writeFileSync(file, value)
    const cgHandle = this.ctx.cleanup.add(`chroot cgroups ${id}`, () => void removeCgroupDirs(plan.dirs))
    const {argv, env} = initCommand(workload, this.init!)
    const startedAt = performance.now()
    const child = spawn(SH, ['-c', JOIN_AND_CHROOT, 'chroot-join', tree.root, ...joinFiles(plan, layout.mode), '--', ...argv], {
      argv0: 'sh',
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env,
      cwd: '/',
    })
    const markers = markersOf(child)
    const killHandle = this.ctx.cleanup.add(`chroot ${id}`, () => killGroup(child))
    const exited = childExit(child).then((r) => {
      killHandle.dispose()
      removeCgroupDirs(plan.dirs) // kills what is left in it (a daemonised child), then removes it
      cgHandle.dispose()
      return r
    })
    const instance = newInstance(spec, {startedAt, markers, pids: () => (child.pid ? [child.pid, ...descendants(child.pid)] : []), exited})
    return this.running.add(instance, {child, markers, plan})
  }

  waitReady(instance: Instance): Promise<ReadyResult> {
    return waitReady(instance, this.running.get(instance).markers)
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    const procs = sampleProcesses(instance.pids())
    const cg = readCgroupUsage(this.running.get(instance).plan)
    return {...procs, cgroupMemoryBytes: cg.memoryBytes, cpuSeconds: cg.cpuSeconds ?? procs.cpuSeconds}
  }

  stop(instance: Instance): Promise<void> {
    return this.running.stop(instance, ({child}) => killGroup(child))
  }

  async cleanup(): Promise<void> {
    for (const {child} of this.running.values()) killGroup(child)
    for (const tree of this.trees.values()) unmountChrootTree(tree.dir)
    this.trees.clear()
    unmountChrootTree(this.runDir)
  }
}
