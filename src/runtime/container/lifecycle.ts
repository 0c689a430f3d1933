/**
 * The container lifecycle: create, start, exec, kill, delete, state, list. State lives on disk under
 * `<stateDir>/containers/<id>/` (see state.ts), so any isobench process can inspect, stop or prune
 * containers another one started. The C helper (native.ts) does the kernel work and is the shim.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import type {Server} from 'node:net'
import {closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {ArmError, UsageError} from '../../core/errors.js'
import {childExit} from '../../host/process.js'
import {cgroupPlan, hostCgroups, listContainerCgroups, oomKills, type CgroupLayout, type CgroupPlan} from '../cgroups/cgroups.js'
import {DEVICE_CGROUP_ENV, deviceCgroupMode} from '../cgroups/devices.js'
import {ensureRuntime} from '../native/build.js'
import {GO_FD, launchArgv, releaseStart} from '../native/launch.js'
import {createBridgedNetns, deleteNetns, leaseAddress, releaseAddress} from '../network/bridge.js'
import {containerOciConfig, containerPaths, scratchDirs, type ContainerPaths} from './bundle.js'
import {servePortProxy, startPortProxy, type PortProxy} from '../network/port-proxy.js'
import {seccompObjectFor} from '../seccomp/seccomp.js'
import {
  ID_PATTERN,
  containerDir,
  initContainerDir,
  isShimAlive,
  readContainer,
  listContainers,
  writeRuntimeState,
  type ContainerConfig,
  type ContainerRuntimeState,
  type ContainerState,
} from './state.js'
import {releaseContainerResources, runtimeStateRoot} from './release.js'
import {ensureVolume} from './volumes.js'
import {writeContainerEtc} from './etc-files.js'

/** A container's cgroups; the device allowlist's mechanism as deviceCgroupMode picks it (ISOBENCH_DEVICE_CGROUP forces one). */
export function planFor(config: ContainerConfig): CgroupPlan {
  const layout = hostCgroups()
  return cgroupPlan(layout, config.id, config.limits, deviceCgroupMode(layout, process.env[DEVICE_CGROUP_ENV]))
}

/** Validate the config (id, rootfs dirs) and write the container's state dir; UsageError 'exists' for a taken id. */
export function createContainer(stateDir: string, config: ContainerConfig): void {
  if (!ID_PATTERN.test(config.id))
    throw new UsageError(
      `container name ${JSON.stringify(config.id)}: expected lower-case letters, digits and dashes, starting with a letter or digit, at most 40 characters (${ID_PATTERN.source})`,
      'bad-id',
    )
  for (const d of config.lowerDirs) {
    if (/[:,]/.test(d)) throw new UsageError(`rootfs dir ${d} must not contain ':' or ','`, 'bad-rootfs')
    if (!existsSync(d)) throw new UsageError(`rootfs dir ${d} does not exist`, 'bad-rootfs')
  }
  try {
    initContainerDir(stateDir, config)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`a container named ${config.id} already exists`, 'exists')
    throw error
  }
}

export interface StartOptions {
  /** 'pipe': stdout/stderr are pipes for the caller; 'log': both go to the container's log file (detached). */
  output: 'pipe' | 'log' | 'inherit'
  /** The container dies with this process (benchmark instances, foreground runs). */
  tiedToParent: boolean
  /** Write pid/exit files (lifecycle commands); benchmark instances skip them. */
  stateFiles?: boolean
  /** Serve published ports from this process (default true); detached runs use a separate proxy process. */
  portProxies?: boolean
  /** Host ports already bound (port-proxy.ts reservePorts), in config.ports order; others are bound here. */
  listeners?: Server[]
  /** The init reports the start's phases (RUNTIME_PHASES) as marker lines on its stdout, before its own (output 'pipe'). */
  phases?: boolean
  /**
   * Start the runtime under isobench-launch --exec --timed (output 'pipe'): the start read on the
   * kernel's clock right before its execve, once this process is idle (--go-fd), each marker stamped
   * on arrival (attach stdout stamped), the output held until the `holdUntil` marker.
   */
  timed?: {holdUntil?: string}
}

export interface RunningContainer {
  id: string
  config: ContainerConfig
  paths: ContainerPaths
  plan: CgroupPlan
  child: ChildProcess
  shimPid: number
  /** Set once the network is configured (bridge). */
  ip?: string
  /** Container port → host port on 127.0.0.1. */
  ports: Record<number, number>
  exited: Promise<ContainerExit>
  /** Resolves when the network and port proxies are set up (at once for none/host). */
  networkReady: Promise<void>
}

function bindSources(stateDir: string, config: ContainerConfig): string[] {
  return config.mounts.map((m) => {
    if (m.type === 'volume') return ensureVolume(stateDir, m.source)
    if (!existsSync(m.source)) throw new UsageError(`bind mount source ${m.source} does not exist`, 'bad-mount')
    return m.source
  })
}

/** Start a created container: spawn the helper; returns at once (the init runs concurrently). */
export async function startContainer(stateDir: string, id: string, opts: StartOptions): Promise<RunningContainer> {
  const state = readContainer(stateDir, id)
  if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
  if (state.status !== 'created') throw new UsageError(`container ${id} is ${state.status}; only a created container can be started`, 'bad-state')
  return launch(stateDir, state.config, opts)
}

/**
 * Start a config whose dir exists (create + start in one, as the arms do): write its OCI bundle and
 * spawn `isobench-runtime run`, which stays the container's shim (it exits with the container's
 * exit code, 128+signal when killed). Returns at once (the init runs concurrently).
 */
export async function launch(stateDir: string, config: ContainerConfig, opts: StartOptions): Promise<RunningContainer> {
  const runtimeBin = await ensureRuntime()
  const paths = containerPaths(containerDir(stateDir, config.id))
  const plan = planFor(config)
  if (!plan.devices)
    throw new ArmError(
      'no cgroup can hold a device allowlist on this host (neither a v1 devices hierarchy nor a cgroup2 mount): refusing to start a container with access to every device',
      'unavailable',
    )
  const seccomp = seccompObjectFor(config.seccomp)
  const sources = bindSources(stateDir, config)
  for (const d of scratchDirs(config, paths)) mkdirSync(d, {recursive: true})
  if (config.rootfsMode === 'copy') {
    for (const lower of [...config.lowerDirs].reverse()) cpSync(lower, paths.root, {recursive: true, verbatimSymlinks: true, force: true})
  }
  const bridge = config.network === 'bridge'
  const ip = bridge ? leaseAddress(stateDir, config.id) : undefined
  const runtime: ContainerRuntimeState = {startedAt: new Date().toISOString()}
  let netnsPath: string | undefined
  if (bridge) {
    try {
      const net = await createBridgedNetns(config.id, ip!)
      runtime.network = {ip: ip!, hostVeth: net.hostVeth}
      netnsPath = net.path
    } catch (error) {
      releaseAddress(stateDir, ip!)
      await deleteNetns(config.id)
      throw error
    }
  }
  const devicesV2 = plan.devices.mode === 'v2' && hostCgroups().mode === 'hybrid'
  // Docker's per-container /etc/hosts, /etc/hostname, /etc/resolv.conf, under the user's own mounts
  // (release.ts removes them with the container).
  const etc = writeContainerEtc(stateDir, config, ip)
  const withEtc = {...config, mounts: [...etc, ...config.mounts]}
  const ociConfig = containerOciConfig(withEtc, paths, {
    bindSources: [...etc.map((m) => m.source), ...sources],
    seccomp,
    netnsPath,
    devicesV2,
    phases: opts.phases,
  })
  writeFileSync(join(paths.bundle, 'config.json'), JSON.stringify(ociConfig))
  const stateFiles = opts.stateFiles ?? true
  const args = ['--root', runtimeStateRoot(stateDir), 'run', '--bundle', paths.bundle]
  if (stateFiles) args.push('--pid-file', paths.pidFile)
  if (opts.tiedToParent) args.push('--pdeathsig')
  // --keep: the container's cgroups outlive it until it is deleted (release.ts), so whether the OOM
  // killer struck can be read after it exits (containerExit, readContainer), as runc --keep allows.
  args.push('--keep')
  args.push(config.id)
  // A detached container (its log as output) has no waiting isobench: a shell records its exit code.
  const argv =
    stateFiles && opts.output === 'log'
      ? ['sh', '-c', '"$@"; echo $? > "$0.tmp" && mv "$0.tmp" "$0"', paths.exitFile, runtimeBin, ...args]
      : opts.timed
        ? await launchArgv([runtimeBin, ...args], {mode: 'exec', timed: true, goFd: GO_FD, holdUntil: opts.timed.holdUntil})
        : [runtimeBin, ...args]
  const logFd = opts.output === 'log' ? openSync(paths.log, 'a') : null
  const out = logFd ?? (opts.output as 'pipe' | 'inherit')
  // Timed, the launcher makes its own process group in this session (not setsid: a new sched autogroup, launch.c).
  const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', out, out, ...(opts.timed ? (['pipe'] as const) : [])], detached: !opts.timed})
  if (logFd !== null) closeSync(logFd)
  if (!child.pid) {
    if (ip) releaseAddress(stateDir, ip)
    if (bridge) await deleteNetns(config.id)
    throw new Error(`could not start the runtime ${runtimeBin}`)
  }
  releaseStart(opts.timed ? (child.stdio[GO_FD] as NodeJS.WritableStream) : null)
  const shimPid = child.pid
  runtime.shimPid = shimPid
  const proxies: PortProxy[] = []
  const exited = containerExit(child, config.id)
  const running: RunningContainer = {id: config.id, config, paths, plan, child, shimPid, ip, ports: {}, exited, networkReady: Promise.resolve()}
  if (bridge) {
    running.networkReady = (async () => {
      for (const [i, p] of (opts.portProxies === false ? [] : config.ports).entries()) {
        const listener = opts.listeners?.[i]
        const proxy = listener ? servePortProxy(listener, ip!, p.container) : await startPortProxy(p.host, ip!, p.container)
        proxies.push(proxy)
        running.ports[p.container] = proxy.port
      }
    })()
    running.networkReady.catch(() => child.kill('SIGKILL'))
  } else if (config.network === 'host') {
    for (const p of config.ports) running.ports[p.container] = p.container
  }
  writeRuntimeState(stateDir, config.id, runtime)
  void exited.then(async () => {
    // The helper removed an auto-removed container's dir; a state.json written while it walked the dir is all that can be left.
    if (config.autoRemove) rmSync(paths.dir, {recursive: true, force: true})
    await Promise.all(proxies.map((p) => p.close()))
    if (ip) {
      releaseAddress(stateDir, ip)
      await deleteNetns(config.id)
    }
  })
  return running
}

export interface ContainerExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Its memory cgroup recorded an OOM kill (memory.events / memory.oom_control: Docker's State.OOMKilled). */
  oomKilled: boolean
}

/** The runtime's end, and whether the OOM killer struck in the container's cgroups (still there: run --keep). */
function containerExit(child: ChildProcess, id: string): Promise<ContainerExit> {
  return childExit(child).then((r) => ({...r, oomKilled: oomKills(listContainerCgroups(hostCgroups()).get(id) ?? []) > 0}))
}

/** Run a command in a running container (`isobench-runtime exec`: its namespaces, cgroups and seccomp filter); resolves with that process. */
export async function execInContainer(
  stateDir: string,
  id: string,
  argv: string[],
  opts: {env?: Record<string, string>; cwd?: string; output?: 'pipe' | 'inherit'} = {},
): Promise<ChildProcess> {
  const state = readContainer(stateDir, id)
  if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
  if (state.status !== 'running' || !state.initPid) throw new UsageError(`container ${id} is ${state.status}, not running`, 'bad-state')
  const runtimeBin = await ensureRuntime()
  // The container's own env, cwd and user are its config's; these come on top (as Docker's exec).
  const args = ['--root', runtimeStateRoot(stateDir), 'exec', '--cwd', opts.cwd ?? state.config.cwd]
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`)
  args.push(id, ...argv)
  return spawn(runtimeBin, args, {stdio: ['ignore', opts.output ?? 'pipe', opts.output ?? 'pipe']})
}

/** Send a signal to the container's init (SIGKILL reaches a pid-namespace init from outside). */
export function killContainer(stateDir: string, id: string, signal: NodeJS.Signals = 'SIGKILL'): void {
  const state = readContainer(stateDir, id)
  if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
  if (state.status !== 'running' || !state.initPid) throw new UsageError(`container ${id} is ${state.status}, not running`, 'bad-state')
  try {
    process.kill(state.initPid, signal)
  } catch {
    // exited meanwhile
  }
}

/** Stop: SIGTERM, then SIGKILL after `graceMs`; resolves when the shim has exited. */
export async function stopContainer(stateDir: string, id: string, graceMs = 10_000): Promise<void> {
  const state = readContainer(stateDir, id)
  if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
  if (state.status !== 'running') return
  const shim = state.runtime.shimPid
  // Before its pid file exists (the init still setting up) the shim takes the signal: it forwards it as SIGKILL.
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (state.initPid) process.kill(state.initPid, sig)
      else if (shim && isShimAlive(shim)) process.kill(shim, sig)
    } catch {
      // gone
    }
  }
  signal('SIGTERM')
  const deadline = Date.now() + graceMs
  while (isShimAlive(shim) && Date.now() < deadline) await sleep(10)
  if (isShimAlive(shim)) signal('SIGKILL')
  while (isShimAlive(shim)) await sleep(5)
}

/** Delete: remove the state dir and everything the container held; a running one only with force. */
export async function deleteContainer(stateDir: string, id: string, force = false): Promise<void> {
  const state = readContainer(stateDir, id)
  if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
  if (state.status === 'running') {
    if (!force) throw new UsageError(`container ${id} is running; stop it first or use --force`, 'bad-state')
    await stopContainer(stateDir, id, 0)
  }
  await releaseContainerResources(stateDir, id, state)
}

/** A container's recorded output (detached and foreground containers not run with --rm). */
export function readContainerLog(stateDir: string, id: string): string {
  const state = readContainer(stateDir, id)
  if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
  const file = containerPaths(state.dir).log
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}

export {listContainers, readContainer}
