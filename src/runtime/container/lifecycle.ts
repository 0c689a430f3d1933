/**
 * The container lifecycle: create, start, exec, kill, delete, state, list. State lives on disk under
 * `<stateDir>/containers/<id>/` (see state.ts), so any isobench process can inspect, stop or prune
 * containers another one started. The C helper (native.ts) does the kernel work and is the shim.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import type {Server} from 'node:net'
import {cpSync, existsSync, openSync, closeSync, readFileSync, rmSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {ArmError, UsageError} from '../../core/errors.js'
import {childExit} from '../../host/process.js'
import {cgroupPlan, hostCgroups, type CgroupLayout, type CgroupPlan} from '../cgroups/cgroups.js'
import {DEVICE_CGROUP_ENV, deviceCgroupMode} from '../cgroups/devices.js'
import {ensureNsexec} from '../native/build.js'
import {attachToBridge, deleteLink, leaseAddress, releaseAddress} from '../network/bridge.js'
import {containerPaths, nsexecArgs, type ContainerPaths} from './nsexec-args.js'
import {servePortProxy, startPortProxy, type PortProxy} from '../network/port-proxy.js'
import {seccompFilterFor} from '../seccomp/seccomp.js'
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
import {releaseContainerResources} from './release.js'
import {ensureVolume} from './volumes.js'

/** A container's cgroups; the device allowlist's mechanism as deviceCgroupMode picks it (ISOBENCH_DEVICE_CGROUP forces one). */
export function planFor(config: ContainerConfig): CgroupPlan {
  const layout = hostCgroups()
  return cgroupPlan(layout, config.id, config.limits, deviceCgroupMode(layout, process.env[DEVICE_CGROUP_ENV]))
}

/** Validate the config (id, rootfs dirs) and write the container's state dir; UsageError 'exists' for a taken id. */
export function createContainer(stateDir: string, config: ContainerConfig): void {
  if (!ID_PATTERN.test(config.id)) throw new UsageError(`container id ${JSON.stringify(config.id)} must match ${ID_PATTERN.source}`, 'bad-id')
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
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
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

/** Spawn the helper for a config whose dir exists (create + start in one, for the benchmark path). */
export async function launch(stateDir: string, config: ContainerConfig, opts: StartOptions): Promise<RunningContainer> {
  const helper = await ensureNsexec()
  const paths = containerPaths(containerDir(stateDir, config.id))
  const plan = planFor(config)
  if (!plan.devices)
    throw new ArmError(
      'no cgroup can hold a device allowlist on this host (neither a v1 devices hierarchy nor a cgroup2 mount): refusing to start a container with access to every device',
      'unavailable',
    )
  const seccomp = await seccompFilterFor(config.seccomp)
  const sources = bindSources(stateDir, config)
  if (config.rootfsMode === 'copy') {
    for (const lower of [...config.lowerDirs].reverse()) cpSync(lower, paths.root, {recursive: true, verbatimSymlinks: true, force: true})
  }
  const bridge = config.network === 'bridge'
  const ip = bridge ? leaseAddress(stateDir, config.id) : undefined
  const args = nsexecArgs(config, paths, plan, {
    bindSources: sources,
    tiedToParent: opts.tiedToParent,
    syncFd: bridge ? 3 : undefined,
    removeDir: config.autoRemove,
    stateFiles: opts.stateFiles ?? true,
    seccomp,
  })
  const logFd = opts.output === 'log' ? openSync(paths.log, 'a') : null
  const out = logFd ?? (opts.output as 'pipe' | 'inherit')
  const child = spawn(helper, args, {
    stdio: ['ignore', out, out, ...(bridge ? (['pipe'] as const) : [])],
    detached: true,
  })
  if (logFd !== null) closeSync(logFd)
  if (!child.pid) {
    if (ip) releaseAddress(stateDir, ip)
    throw new Error(`could not start the runtime helper ${helper}`)
  }
  const shimPid = child.pid
  const runtime: ContainerRuntimeState = {shimPid, startedAt: new Date().toISOString()}
  const proxies: PortProxy[] = []
  const exited = childExit(child)
  const running: RunningContainer = {id: config.id, config, paths, plan, child, shimPid, ip, ports: {}, exited, networkReady: Promise.resolve()}
  if (bridge) {
    running.networkReady = (async () => {
      const sync = child.stdio[3] as unknown as NodeJS.ReadWriteStream
      const pid = await readSyncPid(sync)
      const veth = await attachToBridge(pid, config.id, ip!)
      runtime.network = {ip: ip!, hostVeth: veth}
      writeRuntimeState(stateDir, config.id, runtime)
      sync.write('1')
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
    await Promise.all(proxies.map((p) => p.close()))
    if (ip) {
      releaseAddress(stateDir, ip)
      if (runtime.network) await deleteLink(runtime.network.hostVeth)
    }
  })
  return running
}

function readSyncPid(stream: NodeJS.ReadWriteStream): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString()
      const m = /^pid (\d+)\n/.exec(buf)
      if (m) {
        stream.off('data', onData)
        resolve(Number(m[1]))
      }
    }
    stream.on('data', onData)
    stream.once('end', () => reject(new Error('the runtime helper exited before the container existed')))
  })
}

/** Run a command in a running container (its namespaces and cgroups); resolves with the helper process. */
export async function execInContainer(
  stateDir: string,
  id: string,
  argv: string[],
  opts: {env?: Record<string, string>; cwd?: string; output?: 'pipe' | 'inherit'} = {},
): Promise<ChildProcess> {
  const state = readContainer(stateDir, id)
  if (!state) throw new UsageError(`no container named ${id}`, 'no-such-container')
  if (state.status !== 'running' || !state.initPid) throw new UsageError(`container ${id} is ${state.status}, not running`, 'bad-state')
  const helper = await ensureNsexec()
  const plan = planFor(state.config)
  const seccomp = await seccompFilterFor(state.config.seccomp)
  const env = {...state.config.env, ...opts.env}
  const args = ['exec', '--pid', String(state.initPid), '--cwd', opts.cwd ?? state.config.cwd, '--pdeathsig']
  for (const dir of plan.dirs) args.push('--cgroup', dir)
  // Docker applies the container's seccomp profile to exec'd processes too; the device cgroup comes with the cgroups.
  if (seccomp) args.push('--seccomp-bpf', seccomp.bpf, ...(seccomp.flags ? ['--seccomp-flags', String(seccomp.flags)] : []))
  for (const [k, v] of Object.entries(env)) args.push('--env', `${k}=${v}`)
  if (state.config.user) args.push('--user', `${state.config.user.uid}:${state.config.user.gid}`) // as Docker: exec runs as the container's user
  args.push('--', ...argv)
  return spawn(helper, args, {stdio: ['ignore', opts.output ?? 'pipe', opts.output ?? 'pipe']})
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
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (state.initPid) process.kill(state.initPid, sig)
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
