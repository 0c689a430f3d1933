/**
 * Is an OCI runtime of the table (runtimes.ts) here, and does it actually run a container on this
 * host? `doctor` and the OCI arms' available() ask this. The probe runs a busybox bundle through the
 * same wrapper the arms use, with the mounts the runtime's quirks hide (crun on hybrid cgroup hosts)
 * and the global flags its variant chose (runsc's platform, tried under a kill deadline), and says
 * so when it needed them.
 */
import {makeTempDir, removeTempDir} from '../../host/temp.js'
import {copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {detectCgroupLayout, hostCgroups, listContainerCgroups, removeCgroupDirs} from '../cgroups/cgroups.js'
import {ensureNsexec} from '../native/build.js'
import {ociConfig} from './bundle.js'
import {ociRuntime, type RuntimeVariant, type TrialRun} from './runtimes.js'

/** A runtime's name in the OCI_RUNTIMES table. */
export type OciRuntimeName = string

export interface OciProbe {
  name: OciRuntimeName
  present: boolean
  works: boolean
  version?: string
  path: string | null
  /** Mount points the wrapper must hide for the runtime to work here (crun on hybrid hosts). */
  hide: string[]
  /** Global flags it runs with here (runsc: its platform, see the table's variant). */
  args: string[]
  /** Why it does not work, or the caveat under which it does. */
  reason?: string
}

const cache = new Map<string, Promise<OciProbe>>()

/** Paths to hide from a runtime on this host's cgroup layout (its quirks in the table). */
export function hiddenMounts(name: OciRuntimeName, mode: string): string[] {
  return ociRuntime(name)?.hide?.(mode) ?? []
}

export function probeOciRuntime(name: OciRuntimeName): Promise<OciProbe> {
  let p = cache.get(name)
  if (!p) {
    p = probe(name)
    cache.set(name, p)
  }
  return p
}

async function probe(name: OciRuntimeName): Promise<OciProbe> {
  const runtime = ociRuntime(name)
  const none = {version: undefined, path: null, hide: [], args: []}
  if (!runtime) return {name, present: false, works: false, ...none, reason: `${name} is not an OCI runtime isobench knows`}
  const which = await execa('sh', ['-c', `command -v ${runtime.binary}`], {reject: false})
  const path = which.stdout.trim() || null
  if (!path)
    return {
      name,
      present: false,
      works: false,
      ...none,
      reason: runtime.apt
        ? `${name} is not installed (apt package ${runtime.apt.pkg}; run \`isobench setup\`)`
        : runtime.install
          ? `${runtime.binary} not found: ${runtime.install}`
          : `${name} is not built (run \`isobench setup\`)`,
    }
  const v = await execa(path, ['--version'], {reject: false, timeout: 5000})
  const version = /version\s+(\S+)/.exec(v.stdout)?.[1]
  const mode = detectCgroupLayout().mode
  const hide = hiddenMounts(name, mode)
  if (process.getuid?.() !== 0) return {name, present: true, works: false, version, path, hide, args: [], reason: 'needs root'}
  const trial: TrialRun = (globalArgs, timeoutMs) => trialRun(name, path, globalArgs, hide, timeoutMs)
  const variant = runtime.variant ? await cachedVariant(name, version ?? 'unknown', () => runtime.variant!(trial)) : {args: []}
  const r = await trial(variant.args, 20_000)
  const notes = [
    ...(variant.reason ? [variant.reason] : []),
    ...(hide.length > 0 ? [`cgroups are hybrid here: ${name} runs in a private mount namespace with ${hide.join(', ')} unmounted`] : []),
  ]
  if (r.ok) return {name, present: true, works: true, version, path, hide, args: variant.args, reason: notes.join('; ') || undefined}
  return {
    name,
    present: true,
    works: false,
    version,
    path,
    hide,
    args: variant.args,
    reason: `${name} could not run a test container${r.timedOut ? ' (killed after 20 s)' : ''}: ${r.output || 'no output'}`,
  }
}

/** Where a runtime's variant (its trial runs' verdict) is kept for this boot: /run is emptied at every boot. */
const VARIANT_CACHE = '/run/isobench'

/**
 * A runtime's variant, decided once per boot and runtime version (runsc's kvm trial takes its full
 * deadline on a host where it hangs): cached in /run/isobench/oci-variant-<name>.json.
 */
async function cachedVariant(name: string, version: string, decide: () => Promise<RuntimeVariant>): Promise<RuntimeVariant> {
  const file = join(VARIANT_CACHE, `oci-variant-${name}.json`)
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as {version: string; variant: RuntimeVariant}
    if (c.version === version && Array.isArray(c.variant.args)) return c.variant
  } catch {
    // none yet
  }
  const variant = await decide()
  try {
    mkdirSync(VARIANT_CACHE, {recursive: true})
    writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify({version, variant}))
    renameSync(`${file}.tmp-${process.pid}`, file)
  } catch {
    // not writable: decided again next time
  }
  return variant
}

/**
 * Run `busybox true` in a fresh bundle with these global flags, through the arms' wrapper (its own
 * pid namespace: SIGKILLing it at the deadline takes every process the runtime made with it).
 */
async function trialRun(
  name: string,
  path: string,
  globalArgs: string[],
  hide: string[],
  timeoutMs: number,
): Promise<{ok: boolean; timedOut: boolean; output: string}> {
  const dir = makeTempDir(`probe-${name}`)
  try {
    const rootfs = join(dir, 'rootfs')
    mkdirSync(join(rootfs, 'bin'), {recursive: true})
    for (const d of ['proc', 'sys', 'dev']) mkdirSync(join(rootfs, d))
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'))
    const id = `isobench-probe-${name}-${process.pid}`
    const config = ociConfig({
      rootPath: rootfs,
      argv: ['/bin/busybox', 'true'],
      env: {},
      cwd: '/',
      hostname: 'probe',
      network: 'none',
      limits: {},
      id,
      cgroups: true,
      seccomp: null,
    })
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
    const runtimeArgs = [path, ...globalArgs, '--root', join(dir, 'state'), 'run', '--bundle', dir, id]
    const helper = await ensureNsexec()
    const r = await execa(helper, ['wrap', '--pdeathsig', '--parent', String(process.pid), ...hide.flatMap((h) => ['--umount', h]), '--', ...runtimeArgs], {
      reject: false,
      all: true,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    })
    removeCgroupDirs(listContainerCgroups(hostCgroups()).get(id) ?? [])
    const output = (r.all ?? '').trim().split('\n').slice(-2).join(' ').slice(0, 400)
    return {ok: r.exitCode === 0, timedOut: r.timedOut, output: output || (r.timedOut ? '' : `exit ${r.exitCode}`)}
  } finally {
    removeTempDir(dir)
  }
}
