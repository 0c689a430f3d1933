/**
 * `isobench container run`: resolve the image, create the container, start it, and either follow
 * it to its end (its exit code becomes ours) or leave it running (--detach) with its output in the
 * container's log file and its published ports served by a small detached proxy process.
 */
import {createWriteStream, existsSync, watch, type FSWatcher} from 'node:fs'
import {join} from 'node:path'
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import type {CleanupRegistry} from '../../core/cleanup.js'
import {checkBound} from '../../core/bounds.js'
import type {RunFigures} from '../../core/results.js'
import {UsageError} from '../../core/errors.js'
import {cpuQuotaProblem, cpusetProblem} from '../../host/cpus.js'
import {Container} from './container.js'
import {resolveUser, userHome} from '../../images/build/user.js'
import {envFlags, envRecord, resolveImage} from './image.js'
import {parseMemoryMiB, parseMount, parsePort, type PortSpec} from './mount-spec.js'
import {reservePorts, serverFd} from '../network/port-proxy.js'
import {rememberSeccomp, resolveSeccomp, seccompFilterFor, seccompOption} from '../seccomp/seccomp.js'
import {
  containerDir,
  listContainers,
  newContainerId,
  readContainer,
  writeRuntimeState,
  type ContainerConfig,
  type RuntimeNetwork,
  type WritableLayer,
} from './state.js'
import {overlaySupported} from '../../host/filesystems.js'
import {writeFileAtomic} from '../../host/fs.js'
import {containerPaths} from './bundle.js'

export interface ContainerRunOptions {
  stateDir: string
  image: string
  /** Command; empty = the image's Entrypoint + Cmd. */
  command: string[]
  name?: string
  rm: boolean
  detach: boolean
  cpus?: number
  memory?: string
  pids?: number
  cpuset?: string
  network: RuntimeNetwork
  publish: string[]
  mounts: string[]
  env: string[]
  /** `name|uid[:group|gid]` to run as instead of the image's USER (Docker's --user). */
  user?: string
  workdir?: string
  /** Where the overlay's writable layer lives; default disk. */
  writableLayer?: WritableLayer
  /** Docker's --security-opt values: seccomp=unconfined|default|FILE (default: Docker's default profile). */
  securityOpt?: string[]
  cleanup: CleanupRegistry
  /** Where a foreground container's output goes (default: our stdout/stderr). */
  stdout?: NodeJS.WritableStream
  stderr?: NodeJS.WritableStream
}

export interface ContainerRunResult extends Partial<RunFigures> {
  id: string
  image: string
  rootfsDigest: string | null
  detached: boolean
  network: RuntimeNetwork
  ip?: string
  /** Container port → host port on 127.0.0.1. */
  ports: Record<number, number>
  /** Foreground runs: the container's exit code (128+n when killed by signal n). */
  exitCode?: number | null
  /** Foreground runs: the OOM killer struck in the container's memory cgroup (Docker's State.OOMKilled). */
  oomKilled?: boolean
  /** Host ms from spawning isobench-runtime to the container's exit (foreground; the same as exitMs). */
  elapsedMs?: number
}

export function runConfig(opts: ContainerRunOptions, image: Awaited<ReturnType<typeof resolveImage>>, id: string): ContainerConfig {
  const argv = opts.command.length > 0 ? opts.command : image.cmd
  if (argv.length === 0) throw new UsageError(`image ${opts.image} has no Cmd or Entrypoint: give a command after the image name`, 'no-command')
  const ports: PortSpec[] = opts.publish.map(parsePort)
  if (ports.length > 0 && opts.network !== 'bridge')
    throw new UsageError(`-p publishes ports of a bridged container: use --network bridge (got ${opts.network})`, 'bad-flag')
  checkLimitFlags(opts)
  const profile = seccompOption(opts.securityOpt ?? []) ?? 'default'
  const seccomp = rememberSeccomp(profile, resolveSeccomp(profile))
  // The image's USER (or --user) is resolved in the image's own /etc/passwd, as Docker does: never root by default.
  const userSpec = opts.user ?? image.user
  const user = userSpec ? resolveUser(image.lowerDirs[0]!, userSpec) : undefined
  const env = {PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...envRecord(image.env), HOSTNAME: id, ...envRecord(envFlags(opts.env))}
  return {
    id,
    image: opts.image,
    lowerDirs: image.lowerDirs,
    rootfsMode: overlaySupported() ? 'overlay' : 'copy',
    writableLayer: opts.writableLayer ?? 'disk',
    argv,
    env: {HOME: userHome(image.lowerDirs[0]!, userSpec), ...env}, // docker run sets HOME from the user's passwd entry unless given
    ...(user && (user.uid !== 0 || user.gid !== 0) ? {user} : {}),
    cwd: opts.workdir ?? image.workingDir,
    hostname: id,
    network: opts.network,
    limits: {cpus: opts.cpus, memoryMiB: opts.memory ? parseMemoryMiB(opts.memory) : undefined, pids: opts.pids, cpuset: opts.cpuset},
    mounts: opts.mounts.map(parseMount),
    ports,
    autoRemove: opts.rm,
    createdAt: new Date().toISOString(),
    seccomp,
  }
}

/**
 * The limit flags, before anything exists: bounds (core/bounds.ts) and this host's CPUs, with
 * Docker's rules and wording ("Range of CPUs is from 0.01 to 2.00", "Requested CPUs are not
 * available"); the helper would otherwise fail mid-start with the kernel's "Numerical result out of range".
 */
export function checkLimitFlags(opts: Pick<ContainerRunOptions, 'cpus' | 'cpuset' | 'pids' | 'memory'>): void {
  if (opts.cpus !== undefined) {
    checkBound(opts.cpus, 'cpus', '--cpus')
    const quota = cpuQuotaProblem(opts.cpus)
    if (quota) throw new UsageError(`--cpus ${opts.cpus}: ${quota}`, 'bad-flag')
  }
  if (opts.cpuset !== undefined) {
    const problem = cpusetProblem(opts.cpuset)
    if (problem) throw new UsageError(`--cpuset ${JSON.stringify(opts.cpuset)}: requested CPUs are not available: ${problem}`, 'bad-flag')
  }
  if (opts.pids !== undefined) checkBound(opts.pids, 'pids', '--pids')
  if (opts.memory !== undefined) checkBound(parseMemoryMiB(opts.memory), 'memoryMiB', '--memory', opts.memory)
}

/** Which running container of this state dir publishes a host port (for Docker's "already allocated" message). */
function portOwner(stateDir: string, port: number): string | null {
  return listContainers(stateDir).find((c) => c.status === 'running' && c.config.ports.some((p) => p.host === port))?.id ?? null
}

export async function runContainer(opts: ContainerRunOptions): Promise<ContainerRunResult> {
  const image = await resolveImage(opts.stateDir, opts.image)
  const id = opts.name ?? newContainerId()
  const config = runConfig(opts, image, id)
  await seccompFilterFor(config.seccomp) // a profile libseccomp refuses fails here, before anything exists
  // Host ports are bound first: one already taken refuses the run before anything exists.
  const listeners = await reservePorts(
    config.ports.map((p) => p.host),
    (port) => portOwner(opts.stateDir, port),
  )
  const closeListeners = () => Promise.all(listeners.map((s) => new Promise((r) => s.close(r))))
  let container: Container
  try {
    container = await Container.create(opts.stateDir, config)
  } catch (error) {
    await closeListeners()
    throw error
  }
  const remove = opts.cleanup.add(`container ${id}`, async () => {
    await container.stop(0).catch(() => {})
    await container.delete()
  })
  const result: ContainerRunResult = {id, image: opts.image, rootfsDigest: image.digest, detached: opts.detach, network: config.network, ports: {}}
  try {
    if (opts.detach) {
      const c = await container.start({output: 'log', tiedToParent: false, portProxies: false})
      await c.networkReady
      await waitStarted(opts.stateDir, id, c.exited)
      if (config.ports.length > 0) {
        const proxyPid = spawnPortProxy(opts.stateDir, id, c.shimPid, c.ip!, config.ports, listeners.map(serverFd))
        await closeListeners() // the proxy process holds its own copies
        const st = readContainer(opts.stateDir, id)
        writeRuntimeState(opts.stateDir, id, {...st?.runtime, proxyPid})
        for (const p of config.ports) result.ports[p.container] = p.host
      }
      ;(c.child.stdio[3] as {destroy?: () => void} | undefined)?.destroy?.()
      c.child.unref()
      result.ip = c.ip
      remove.dispose()
      return result
    }
    const started = performance.now()
    // Ready: isobench-runtime writes the --pid-file once OCI create is done (the init in its namespaces and cgroups; start follows).
    const ready = watchFor(containerDir(opts.stateDir, id), 'pid')
    const c = await container.start({output: 'pipe', tiedToParent: true, listeners})
    const log = opts.rm ? null : createWriteStream(`${containerDir(opts.stateDir, id)}/log`, {flags: 'a'})
    const out = opts.stdout ?? process.stdout
    const err = opts.stderr ?? process.stderr
    c.child.stdout!.on('data', (b: Buffer) => (out.write(b), log?.write(b)))
    c.child.stderr!.on('data', (b: Buffer) => (err.write(b), log?.write(b)))
    const phases: Record<string, number> = {}
    const ms = (at: number) => Math.round((at - started) * 100) / 100
    if (config.network === 'bridge') await c.networkReady.then(() => (phases.network = ms(performance.now()))).catch(() => {})
    Object.assign(result.ports, c.ports)
    result.ip = c.ip
    const exit = await c.exited
    const exitAt = performance.now()
    ready.close()
    await Promise.all([once(c.child.stdout!), once(c.child.stderr!)])
    log?.end()
    const readyAt = ready.at()
    if (readyAt !== undefined) phases.ready = ms(readyAt)
    phases.exit = ms(exitAt)
    Object.assign(result, {readyMs: phases.ready ?? null, exitMs: phases.exit, phases, elapsedMs: exitAt - started})
    const fromFile = readContainer(opts.stateDir, id)
    result.exitCode = fromFile?.exitCode ?? exit.code ?? (exit.signal ? 128 : null)
    result.oomKilled = Boolean(fromFile?.oomKilled || exit.oomKilled)
    // A kept container is `exited (CODE[, OOM-killed])` in ls, as Docker keeps it: its exit file says so
    // (a detached one's is written by the shell that waits for it).
    if (!opts.rm && result.exitCode !== null && result.exitCode !== undefined)
      writeFileAtomic(containerPaths(containerDir(opts.stateDir, id)).exitFile, `${result.exitCode}${result.oomKilled ? ' oom-killed' : ''}\n`)
    if (opts.rm) await container.delete()
    remove.dispose()
    return result
  } catch (error) {
    await closeListeners()
    await remove.run()
    throw error
  }
}

/** A detached container is running once isobench-runtime wrote the init's pid (cgroups joined, network configured). */
async function waitStarted(stateDir: string, id: string, exited: Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  let gone = false
  void exited.then(() => (gone = true))
  const pidFile = `${containerDir(stateDir, id)}/pid`
  const deadline = performance.now() + timeoutMs
  while (!existsSync(pidFile)) {
    if (gone) throw new Error(`container ${id} exited while starting (see \`isobench container logs ${id}\`)`)
    if (performance.now() > deadline) throw new Error(`container ${id} did not start within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/**
 * When `name` first appears in `dir`, on the host's monotonic clock as the event arrives (inotify,
 * through fs.watch: the helper renames the file into place, one event); undefined if it never did
 * before close(), or when the directory cannot be watched — unknown, never guessed.
 */
function watchFor(dir: string, name: string): {at(): number | undefined; close(): void} {
  let at: number | undefined
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dir, (_event, file) => {
      if (file === name) at ??= performance.now()
    })
  } catch {
    // no inotify here
  }
  return {at: () => at, close: () => watcher?.close()}
}

function once(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as {readableEnded?: boolean}).readableEnded) return resolve()
    stream.once('end', resolve)
    stream.once('close', resolve)
  })
}

/** A detached proxy process for a detached container's published ports (it inherits the bound sockets as fds 3…); it exits with the container. */
function spawnPortProxy(stateDir: string, id: string, shimPid: number, ip: string, ports: PortSpec[], fds: number[]): number {
  const ts = import.meta.url.endsWith('.ts')
  const main = fileURLToPath(new URL(ts ? '../network/port-proxy-main.ts' : '../network/port-proxy-main.js', import.meta.url))
  if (!existsSync(main)) throw new Error(`port proxy ${main} is missing (npm run build)`)
  const args = [
    ...(ts ? ['--import', 'tsx'] : []),
    main,
    'isobench-port-proxy',
    containerDir(stateDir, id),
    String(shimPid),
    ...ports.map((p, i) => `${3 + i}:${ip}:${p.container}`),
  ]
  const child = spawn(process.execPath, args, {detached: true, stdio: ['ignore', 'ignore', 'ignore', ...fds]})
  child.unref()
  return child.pid!
}
