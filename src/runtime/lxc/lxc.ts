/**
 * LXC containers of one run: an lxcpath of the run's own (`<stateDir>/lxc/<tag>/containers`, labelled
 * with the run: host/run-label.ts), one container per instance with its config (config.ts) and
 * its writable overlay layer on disk (`disk/<name>/upper`) or in the run's tmpfs (`mem/<name>/upper`),
 * and its cgroups under `isobench/lxc-<tag>-<name>` in every hierarchy.
 *
 * An instance runs as `lxc-start -P LXCPATH -n NAME -F -- /isobench/init ARGV…`: in the
 * foreground, so lxc-start is the container's monitor and its stdout/stderr are the container's
 * (the readiness markers arrive on that pipe), with the command given after `--`, so the init is the
 * container's PID 1 exactly as with runc (lxc-execute would put LXC's init.lxc in front of it, and
 * lxc.init.cmd splits its value on blanks: an argument with a space cannot be given). SIGKILLing
 * lxc-start kills the container too (its init has a parent-death signal); the cgroups it leaves
 * (lxc.pivot, lxc.payload.*, lxc.monitor.*) are removed by remove().
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {labelDir, runTag} from '../../host/run-label.js'
import {CGROUP_PARENT, cgroupPlan, detectCgroupLayout, readCgroupUsage, type CgroupLimits, type CgroupUsage} from '../cgroups/cgroups.js'
import {cgroupsBelow, removeCgroupTree} from '../engines/host-traces.js'
import {detachMounts} from '../labelled-dirs.js'
import {lxcConfig} from './config.js'

export const LXC_START = 'lxc-start'

/** Where every run's LXC dirs live under a state dir. */
export function lxcParent(stateDir: string): string {
  return join(stateDir, 'lxc')
}

/** The cgroup (below the `isobench` parent) of an LXC container of a run: `lxc-<tag>-<name>`. */
export function lxcCgroupName(tag: string, name: string): string {
  return `lxc-${tag}-${name}`
}

export interface LxcInstanceSpec {
  name: string
  lowerDirs: string[]
  medium: 'disk' | 'memory'
  argv: string[]
  env: Record<string, string>
  limits: CgroupLimits
  binds?: ReadonlyArray<{source: string; target: string}>
}

export class LxcRun {
  readonly tag: string
  readonly dir: string
  readonly lxcpath: string
  private memMounted = false

  constructor(
    stateDir: string,
    private readonly runId: string,
  ) {
    this.tag = runTag(runId)
    this.dir = join(lxcParent(stateDir), this.tag)
    this.lxcpath = join(this.dir, 'containers')
  }

  /** Make and label the run's dir; mount its tmpfs for in-memory writable layers when asked. */
  prepare(memory: boolean): void {
    if (!existsSync(join(this.dir, 'owner.json'))) {
      mkdirSync(this.lxcpath, {recursive: true})
      labelDir(this.dir, this.runId)
    }
    if (memory && !this.memMounted) {
      mkdirSync(join(this.dir, 'mem'), {recursive: true})
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'tmpfs', join(this.dir, 'mem')], {stdio: 'ignore'})
      this.memMounted = true
    }
  }

  /** Write the container's config; returns the argv that runs it in the foreground. */
  create(spec: LxcInstanceSpec): string[] {
    this.prepare(spec.medium === 'memory')
    const layerDir = join(this.dir, spec.medium === 'memory' ? 'mem' : 'disk', spec.name)
    mkdirSync(join(layerDir, 'upper'), {recursive: true})
    const cdir = join(this.lxcpath, spec.name)
    mkdirSync(cdir, {recursive: true})
    const text = lxcConfig({
      name: spec.name,
      lowerDirs: spec.lowerDirs,
      upperDir: join(layerDir, 'upper'),
      env: spec.env,
      limits: spec.limits,
      cgroupDir: `${CGROUP_PARENT}/${lxcCgroupName(this.tag, spec.name)}`,
      cgroupMode: detectCgroupLayout().mode,
      binds: spec.binds,
    })
    writeFileSync(join(cdir, 'config'), text)
    return [LXC_START, '-P', this.lxcpath, '-n', spec.name, '-F', '--', ...spec.argv]
  }

  /** Memory and CPU the container's payload cgroup has accounted so far. */
  usage(name: string): CgroupUsage {
    return readCgroupUsage(cgroupPlan(detectCgroupLayout(), `${lxcCgroupName(this.tag, name)}/lxc.payload.${name}`, {}, null))
  }

  /** After lxc-start exited: remove the container's config, writable layer and cgroup tree (its last processes killed and awaited). */
  async remove(name: string): Promise<void> {
    await removeCgroupTreeNow(`/${CGROUP_PARENT}/${lxcCgroupName(this.tag, name)}`)
    rmSync(join(this.lxcpath, name), {recursive: true, force: true})
    for (const m of ['mem', 'disk']) rmSync(join(this.dir, m, name), {recursive: true, force: true})
  }

  /** Remove the run's dir (its tmpfs detached). */
  destroy(): void {
    detachMounts(this.dir)
    this.memMounted = false
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** Remove the cgroup trees of the containers of a run dir `<stateDir>/lxc/<tag>` (prune, after their processes are killed). */
export function removeLxcRunCgroups(dir: string): void {
  const containers = join(dir, 'containers')
  if (!existsSync(containers)) return
  for (const name of readdirSync(containers)) removeCgroupTree(`/${CGROUP_PARENT}/${lxcCgroupName(basename(dir), name)}`)
}

/**
 * Remove a cgroup tree whose processes are dying (a container init killed by its parent-death
 * signal a moment after its monitor): SIGKILL what is still in it and retry for up to 2 s.
 */
export async function removeCgroupTreeNow(parent: string): Promise<string[]> {
  let left: string[] = []
  for (let i = 0; i < 100; i++) {
    for (const dir of cgroupsBelow(parent)) {
      try {
        for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL')
      } catch {
        // gone, or no procs file
      }
    }
    left = removeCgroupTree(parent)
    if (left.length === 0) break
    await new Promise((r) => setTimeout(r, 20))
  }
  return left
}
