/**
 * Running one OCI bundle under runc or crun, the way the OCI arms and the benchmark do it: the
 * bundle lives in `<stateDir>/oci/<id>/` (config.json from the same limits as our runtime, see
 * oci-bundle.ts), and the helper's `wrap` mode gives the runtime a private mount + pid namespace
 * holding the overlay rootfs (and, for crun on hybrid hosts, no /sys/fs/cgroup/unified). If
 * isobench dies, the wrapper dies (pdeathsig), its pid namespace with it; prune removes the rest.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {CgroupLimits} from '../cgroups/cgroups.js'
import {ensureNsexec} from '../native/build.js'
import {ociRuntime} from './runtimes.js'
import {ociConfig} from './bundle.js'
import {dockerDefaultSeccomp} from '../seccomp/seccomp-default.js'
import type {OciSeccomp} from '../seccomp/seccomp-profile.js'
import type {OciProbe, OciRuntimeName} from './probe.js'
import {OCI_RUNTIMES} from './runtimes.js'
import {etcFiles} from '../network/etc-files.js'

export interface OciRunSpec {
  stateDir: string
  runtime: OciProbe
  id: string
  lowerDirs: string[]
  argv: string[]
  env: Record<string, string>
  cwd?: string
  network: 'none' | 'host'
  /** Where the overlay's writable layer lives (see ContainerConfig.writableLayer); default disk. */
  writableLayer?: 'disk' | 'memory'
  limits: CgroupLimits
  binds?: Array<{source: string; target: string; readonly: boolean}>
  /** linux.seccomp; default Docker's default profile (the one our runtime applies), null: none. */
  seccomp?: OciSeccomp | null
}

export function ociDir(stateDir: string): string {
  return join(stateDir, 'oci')
}

export function bundleDir(stateDir: string, id: string): string {
  return join(ociDir(stateDir), id)
}

/** The runtime's own state root (`runc --root`), one per runtime under the state dir. */
export function runtimeRoot(stateDir: string, name: OciRuntimeName): string {
  return join(ociDir(stateDir), `.${name}-state`)
}

/** Write the bundle (config.json) and return the argv that runs it: helper wrap … -- runtime run. */
export async function prepareOciRun(spec: OciRunSpec): Promise<{argv: string[]; bundle: string}> {
  const helper = await ensureNsexec()
  const bundle = bundleDir(spec.stateDir, spec.id)
  mkdirSync(bundle, {recursive: true})
  const rootfs = join(bundle, 'rootfs')
  // Docker's per-container /etc files, bind-mounted as Docker's OCI spec does (the runtime makes the targets).
  const hostname = spec.id.slice(0, 63)
  const files = etcFiles({hostname, network: spec.network === 'host' ? 'host' : 'none'})
  const etcBinds = (['hosts', 'hostname', 'resolv.conf'] as const).map((name) => {
    const source = join(bundle, name)
    writeFileSync(source, name === 'hosts' ? files.hosts : name === 'hostname' ? files.hostname : files.resolvConf, {mode: 0o644})
    return {source, target: `/etc/${name}`, readonly: false}
  })
  const config = ociConfig({
    rootPath: rootfs,
    argv: spec.argv,
    env: spec.env,
    cwd: spec.cwd ?? '/',
    hostname,
    network: spec.network,
    limits: spec.limits,
    id: spec.id,
    cgroups: true,
    binds: [...etcBinds, ...(spec.binds ?? [])],
    seccomp: spec.seccomp === undefined ? dockerDefaultSeccomp() : spec.seccomp,
  })
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config))
  const layer = spec.writableLayer === 'memory' ? ['--upper-tmpfs'] : ['--upper', join(bundle, 'upper'), '--work', join(bundle, 'work')]
  const wrap = ['wrap', '--root', rootfs, '--lower', spec.lowerDirs.join(':'), ...layer, '--pdeathsig', '--parent', String(process.pid)]
  for (const h of spec.runtime.hide) wrap.push('--umount', h)
  const root = runtimeRoot(spec.stateDir, spec.runtime.name)
  // With --keep the container's cgroups outlive it, so the arm can read whether the OOM killer struck
  // before removing them (runtimes.ts `keep`; crun 1.8 has none: the arm reads it at the exit mark).
  const keep = ociRuntime(spec.runtime.name)?.keep ? ['--keep'] : []
  return {argv: [helper, ...wrap, '--', spec.runtime.path!, ...spec.runtime.args, '--root', root, 'run', ...keep, '--bundle', bundle, spec.id], bundle}
}

/** Spawn it with stdout/stderr piped (the readiness markers arrive on stdout). */
export function spawnOciRun(argv: string[], opts: {go?: boolean} = {}): ChildProcess {
  // With `go` it is isobench-launch, which makes its own process group in this session (not setsid: a new sched autogroup, launch.c).
  return spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe', ...(opts.go ? (['pipe'] as const) : [])], detached: !opts.go})
}

/** Remove a bundle (after its wrapper exited) and the runtime's state entry for it. */
export function removeBundle(stateDir: string, id: string): void {
  rmSync(bundleDir(stateDir, id), {recursive: true, force: true})
  for (const {name} of OCI_RUNTIMES) rmSync(join(runtimeRoot(stateDir, name), id), {recursive: true, force: true})
}

/** Bundles whose wrapper is gone: id list (prune removes them). */
export function staleBundles(stateDir: string, live: Iterable<string> = liveWrapperIds(stateDir)): string[] {
  const dir = ociDir(stateDir)
  if (!existsSync(dir)) return []
  const keep = new Set(live)
  return readdirSync(dir).filter((n) => !n.startsWith('.') && !keep.has(n))
}

function liveWrapperIds(stateDir: string): string[] {
  const prefix = ociDir(stateDir) + '/'
  const ids: string[] = []
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (cmd.includes('isobench-nsexec') && cmd.includes(prefix)) ids.push(cmd.slice(cmd.indexOf(prefix) + prefix.length).split(/[/\0]/)[0]!)
    } catch {
      // exited
    }
  }
  return ids
}
