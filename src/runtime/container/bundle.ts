/**
 * A container of ours as an OCI bundle for isobench-runtime: the same config.json the runc and
 * crun arms get (oci/bundle.ts ociConfig: namespaces, mounts, masks, Docker's capabilities, device
 * allowlist and seccomp profile, limits under /isobench/<id>), plus what is ours alone: the user,
 * the bind mounts, a bridged network namespace to join, and the overlay rootfs as annotations (the
 * runtime mounts it in the container's mount namespace, its writable layer a tmpfs there or upper
 * and work dirs on disk). Pure: tested in test/unit/runtime.
 *
 * Paths under `<stateDir>/containers/<id>/`: oci/ (config.json; with the writable layer in memory
 * also the rootfs mount point, in the container's mount namespace only), root/ upper/ work/ (a
 * writable layer on disk, or a copied rootfs), pid, exit, log.
 */
import {join} from 'node:path'
import {ociConfig, overlayAnnotations} from '../oci/bundle.js'
import type {OciSeccomp} from '../seccomp/seccomp-profile.js'
import type {ContainerConfig} from './state.js'

export interface ContainerPaths {
  dir: string
  /** The OCI bundle: config.json. */
  bundle: string
  /** The rootfs mount point (root.path). */
  root: string
  upper: string
  work: string
  pidFile: string
  exitFile: string
  log: string
}

export function containerPaths(dir: string): ContainerPaths {
  return {
    dir,
    bundle: join(dir, 'oci'),
    root: join(dir, 'root'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    pidFile: join(dir, 'pid'),
    exitFile: join(dir, 'exit'),
    log: join(dir, 'log'),
  }
}

/** With the writable layer in memory the bundle dir itself is the mount point: no host dir to make or remove. */
export function inMemory(config: ContainerConfig): boolean {
  return config.rootfsMode === 'overlay' && config.writableLayer === 'memory'
}

/** The dirs to make before the runtime runs (root.path, and upper/work for a writable layer on disk). */
export function scratchDirs(config: ContainerConfig, paths: ContainerPaths): string[] {
  if (inMemory(config)) return [paths.bundle]
  return config.rootfsMode === 'overlay' ? [paths.bundle, paths.root, paths.upper, paths.work] : [paths.bundle, paths.root]
}

export interface BundleOptions {
  /** Bind sources already resolved (volumes → their data dir), in config.mounts order. */
  bindSources: string[]
  /** linux.seccomp (the container's profile resolved); null: unconfined. */
  seccomp: OciSeccomp | null
  /** A network namespace to join (bridged containers: made beforehand, network.ts). */
  netnsPath?: string
  /** On a hybrid host, the device allowlist as a cgroup2 BPF program (ISOBENCH_DEVICE_CGROUP=v2) instead of v1 files. */
  devicesV2?: boolean
  /** The init reports the start's phases (RUNTIME_PHASES) as marker lines on its stdout (annotation org.isobench.phases). */
  phases?: boolean
}

/** config.json for isobench-runtime. */
export function containerOciConfig(config: ContainerConfig, paths: ContainerPaths, opts: BundleOptions): Record<string, unknown> {
  const memory = inMemory(config)
  const c = ociConfig({
    rootPath: memory ? paths.bundle : paths.root,
    argv: config.argv,
    env: config.env,
    cwd: config.cwd,
    hostname: config.hostname,
    // 'none': a new network namespace (the runtime brings lo up); a bridged one is joined by path below
    network: config.network === 'none' ? 'none' : 'host',
    limits: config.limits,
    id: config.id,
    cgroups: true,
    binds: config.mounts.map((m, i) => ({source: opts.bindSources[i]!, target: m.target, readonly: m.readonly})),
    seccomp: opts.seccomp,
  }) as {process: Record<string, unknown>; linux: {namespaces: Array<{type: string; path?: string}>}; annotations?: Record<string, string>}
  if (config.user) c.process.user = {uid: config.user.uid, gid: config.user.gid}
  if (opts.netnsPath) c.linux.namespaces.push({type: 'network', path: opts.netnsPath})
  if (config.rootfsMode === 'overlay') c.annotations = overlayAnnotations(config.lowerDirs, memory ? 'memory' : {upperDir: paths.upper, workDir: paths.work})
  if (opts.devicesV2) c.annotations = {...c.annotations, 'org.isobench.devices.cgroup': 'v2'}
  if (opts.phases) c.annotations = {...c.annotations, 'org.isobench.phases': 'stdout'}
  return c
}
