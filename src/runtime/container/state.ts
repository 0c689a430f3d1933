/**
 * Container state on disk: `<stateDir>/containers/<id>/`
 *   config.json   what to run (ContainerConfig), written by create
 *   state.json    runtime facts: shim pid, network lease, proxy pid (written by start)
 *   pid           the init's host pid (isobench-runtime --pid-file)
 *   exit          the exit code of a detached container (written when its runtime exits)
 *                 (oomKilled: the container's memory cgroup, kept until it is deleted, recorded an OOM kill)
 *   log           stdout+stderr of detached containers
 *   oci/          the OCI bundle (config.json, bundle.ts); with the writable layer in memory also the
 *                 rootfs mount point, in the container's mount namespace only
 *   root/ upper/ work/   a writable layer on disk: the rootfs mount point, overlay's upper and work dirs
 * isobench-runtime's own state for it is under <stateDir>/runtime/<id> while it exists.
 */
import {existsSync, mkdirSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {writeFileAtomic} from '../../host/fs.js'
import {hostCgroups, listContainerCgroups, oomKills, type CgroupLimits} from '../cgroups/cgroups.js'
import type {MountSpec, PortSpec} from './mount-spec.js'
import type {SeccompChoice} from '../seccomp/seccomp.js'

export type RuntimeNetwork = 'none' | 'host' | 'bridge'
export type WritableLayer = 'disk' | 'memory'

export interface ContainerConfig {
  id: string
  /** What the user called the image (recipe name, ref or directory), for `ls`. */
  image: string
  /** Read-only lower dirs, topmost first (an unpacked image rootfs). */
  lowerDirs: string[]
  rootfsMode: 'overlay' | 'copy'
  /**
   * Where an overlay rootfs keeps its writable layer: 'disk' (upper and work dirs in the container's
   * state dir, Docker's overlay2 placement) or 'memory' (a tmpfs in the container's own mount
   * namespace, charged to its memory cgroup, like a VM's initramfs). Absent means disk.
   */
  writableLayer?: WritableLayer
  argv: string[]
  env: Record<string, string>
  /** The user the workload runs as (the image's USER or --user, resolved in the image); absent = root. */
  user?: {uid: number; gid: number}
  cwd: string
  hostname: string
  network: RuntimeNetwork
  limits: CgroupLimits
  mounts: MountSpec[]
  ports: PortSpec[]
  /** Remove the state dir when the container exits. */
  autoRemove: boolean
  /** The seccomp profile (seccomp.ts); absent: Docker's default. */
  seccomp?: SeccompChoice
  createdAt: string
}

export interface ContainerRuntimeState {
  shimPid?: number
  startedAt?: string
  network?: {ip: string; hostVeth: string}
  proxyPid?: number
}

export type ContainerStatus = 'created' | 'running' | 'exited' | 'dead'

export interface ContainerState {
  id: string
  status: ContainerStatus
  config: ContainerConfig
  runtime: ContainerRuntimeState
  initPid: number | null
  exitCode: number | null
  /** The helper saw an OOM kill in the container's memory cgroup (Docker's State.OOMKilled). */
  oomKilled: boolean
  dir: string
}

/** What a container's shim process runs: isobench-runtime (run stays the container's parent). */
export const SHIM = 'isobench-runtime'

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/

export function containersDir(stateDir: string): string {
  return join(stateDir, 'containers')
}

export function containerDir(stateDir: string, id: string): string {
  return join(containersDir(stateDir), id)
}

export function newContainerId(): string {
  return `c-${randomBytes(6).toString('hex')}`
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2))
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return null
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function readInt(path: string): number | null {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10)
    return Number.isFinite(n) ? n : null
  } catch {
    return null
  }
}

/** Is `pid` alive and running our helper (not a recycled pid)? */
export function isShimAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SHIM)
  } catch {
    return false
  }
}

export function readContainer(stateDir: string, id: string): ContainerState | null {
  const dir = containerDir(stateDir, id)
  const config = readJson<ContainerConfig>(join(dir, 'config.json'))
  if (!config) return null
  const runtime = readJson<ContainerRuntimeState>(join(dir, 'state.json')) ?? {}
  const exitCode = readInt(join(dir, 'exit'))
  // An exited container's cgroups stay until it is deleted (runtime run --keep): they say whether the OOM killer struck.
  const oomKilled = exitCode !== null && (readText(join(dir, 'exit')).includes('oom-killed') || oomKills(listContainerCgroups(hostCgroups()).get(id) ?? []) > 0)
  const initPid = readInt(join(dir, 'pid'))
  let status: ContainerStatus
  if (exitCode !== null) status = 'exited'
  else if (isShimAlive(runtime.shimPid)) status = 'running'
  else status = runtime.shimPid ? 'dead' : 'created'
  return {id, status, config, runtime, initPid: status === 'running' ? initPid : null, exitCode, oomKilled, dir}
}

/** Every container dir, including ones whose config never got written (interrupted creates). */
export function listContainerIds(stateDir: string): string[] {
  const dir = containersDir(stateDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir, {withFileTypes: true})
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
}

export function listContainers(stateDir: string): ContainerState[] {
  return listContainerIds(stateDir)
    .map((id) => readContainer(stateDir, id))
    .filter((c): c is ContainerState => c !== null)
}

/**
 * Record the runtime facts in state.json. An auto-removed container may have exited and had its dir
 * removed by the helper already (a `true` container can be gone before its starter writes this): a
 * dir that is gone is that container's end, not an error, and is never made again here. Returns
 * false then; throws for any other failure.
 */
export function writeRuntimeState(stateDir: string, id: string, state: ContainerRuntimeState): boolean {
  const dir = containerDir(stateDir, id)
  try {
    writeFileAtomic(join(dir, 'state.json'), JSON.stringify(state, null, 2), {mkdir: false})
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dir)) return false
    throw error
  }
}

export function initContainerDir(stateDir: string, config: ContainerConfig): string {
  mkdirSync(containersDir(stateDir), {recursive: true})
  const dir = containerDir(stateDir, config.id)
  mkdirSync(dir) // throws EEXIST for a duplicate id
  writeJsonAtomic(join(dir, 'config.json'), config)
  return dir
}
