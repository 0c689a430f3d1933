/**
 * The runtime's C programs, built with the host's cc by `isobench setup` (and on first use when a
 * binary is missing or older than a source under src/runtime/native):
 * - isobench-runtime (runtime.c and the files listed in RUNTIME_SOURCES, beside this file): the OCI runtime, runc's command
 *   line over config.json; every container arm runs it.
 * - isobench-nsexec (nsexec.c with devices.c, seccomp-oci.c and loopback.c): the older helper; its `wrap` mode
 *   gives runc/crun a private mount namespace with their overlay rootfs.
 * - isobench-launch (launch.c, relay.c and io.c, libc only): what every arm starts its instances under.
 *   The process arm's workload parent, which dies with isobench and takes the workload's subtree
 *   along (qemu's parent-death signal too, with --exec); with --timed it reads CLOCK_MONOTONIC right
 *   before the clone/execve and stamps each readiness marker on arrival (relay.h).
 * The first two link libseccomp and libjansson (Debian libseccomp-dev, libjansson-dev: both ship
 * static archives); all are static when the libc allows it.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {ArmError} from '../../core/errors.js'

/** The package root: three levels above this module in src/runtime/native and in dist/runtime/native alike. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const NATIVE_DIR = join(PACKAGE_ROOT, 'src', 'runtime', 'native')
export const NSEXEC_SOURCE = join(NATIVE_DIR, 'nsexec.c')
/** The helper's translation units and the libraries they need. */
export const NSEXEC_SOURCES = [NSEXEC_SOURCE, join(NATIVE_DIR, 'devices.c'), join(NATIVE_DIR, 'seccomp-oci.c'), join(NATIVE_DIR, 'loopback.c')]
export const NSEXEC_LIBS = ['-lseccomp', '-ljansson']
export const NSEXEC_BINARY = process.env.ISOBENCH_NSEXEC ?? join(PACKAGE_ROOT, 'build', 'native', 'isobench-nsexec')

/** True when the helper binary exists and is not older than any of its sources or headers. */
export function nsexecIsCurrent(): boolean {
  return programIsCurrent({name: 'isobench-nsexec', sources: NSEXEC_SOURCES, libs: NSEXEC_LIBS, binary: NSEXEC_BINARY})
}

/**
 * `cc -O2` one C file into out: static when the libc allows it (no dynamic loader at every start:
 * ≈ 0.3 ms of a ≈ 6 ms container start-to-exit here; libc6-dev, which setup installs for the
 * headers, ships libc.a), else dynamic. The result of the last attempt, not thrown.
 */
export async function compileC(source: string | string[], out: string, libs: string[] = []) {
  const sources = typeof source === 'string' ? [source] : source
  const cc = (extra: string[]) => execa('cc', ['-O2', '-Wall', ...extra, '-o', out, ...sources, ...libs], {reject: false, all: true})
  const r = await cc(['-static'])
  return r.exitCode === 0 ? r : cc([])
}

/** A C program under src/runtime/native: its translation units, libraries and output. */
export interface NativeProgram {
  name: string
  sources: string[]
  libs: string[]
  binary: string
}

export const NSEXEC: NativeProgram = {name: 'isobench-nsexec', sources: NSEXEC_SOURCES, libs: NSEXEC_LIBS, binary: NSEXEC_BINARY}

/** isobench-runtime's translation units (runtime.c holds main). */
export const RUNTIME_SOURCES = [
  'runtime',
  'create',
  'exec',
  'lifecycle',
  'state',
  'spec',
  'jsonspan',
  'cgroups',
  'mounts',
  'process',
  'hooks',
  'terminal',
  'util',
  'io',
  'loopback',
  'devices',
  'seccomp-oci',
].map((f) => join(NATIVE_DIR, `${f}.c`))
export const RUNTIME: NativeProgram = {
  name: 'isobench-runtime',
  sources: RUNTIME_SOURCES,
  libs: ['-lseccomp', '-ljansson'],
  binary: process.env.ISOBENCH_RUNTIME ?? join(PACKAGE_ROOT, 'build', 'native', 'isobench-runtime'),
}

/** The launcher every arm's instances start under (launch.c, with its timestamping relay, relay.c, and io.c). */
export const LAUNCHER: NativeProgram = {
  name: 'isobench-launch',
  sources: [join(NATIVE_DIR, 'launch.c'), join(NATIVE_DIR, 'relay.c'), join(NATIVE_DIR, 'io.c')],
  libs: [],
  binary: process.env.ISOBENCH_LAUNCH ?? join(PACKAGE_ROOT, 'build', 'native', 'isobench-launch'),
}

/** True when the program's binary exists and is not older than any source or header under src/runtime/native. */
export function programIsCurrent(p: NativeProgram): boolean {
  if (!existsSync(p.binary)) return false
  if (!existsSync(NATIVE_DIR)) return true
  const built = statSync(p.binary).mtimeMs
  return readdirSync(NATIVE_DIR)
    .filter((f) => /\.[ch]$/.test(f))
    .every((f) => statSync(join(NATIVE_DIR, f)).mtimeMs <= built)
}

/** Compile a program (to a temp name, then rename, so concurrent builders never see half a file). */
export async function buildProgram(p: NativeProgram): Promise<string> {
  const missing = p.sources.find((f) => !existsSync(f))
  if (missing) throw new ArmError(`the source ${missing} of ${p.name} is missing`, 'unavailable')
  mkdirSync(dirname(p.binary), {recursive: true})
  const tmp = `${p.binary}.tmp-${randomBytes(4).toString('hex')}`
  const r = await compileC(p.sources, tmp, p.libs)
  if (r.exitCode !== 0) {
    rmSync(tmp, {force: true})
    const hint = /seccomp\.h|jansson\.h|-lseccomp|-ljansson/.test(r.all ?? '') ? ' (libseccomp-dev and libjansson-dev: run `isobench setup`)' : ''
    throw new ArmError(`building ${p.name} failed${hint} (cc ${p.sources.join(' ')}):\n${(r.all ?? r.message).slice(0, 4000)}`, 'unavailable')
  }
  renameSync(tmp, p.binary)
  return p.binary
}

const ensured = new Map<string, Promise<string>>()

/** The program's binary, built first when it is missing or stale (one build at a time per program). */
export function ensureProgram(p: NativeProgram): Promise<string> {
  if (programIsCurrent(p)) return Promise.resolve(p.binary)
  let e = ensured.get(p.name)
  if (!e) {
    e = buildProgram(p).finally(() => ensured.delete(p.name))
    ensured.set(p.name, e)
  }
  return e
}

/** Compile the helper. */
export const buildNsexec = (): Promise<string> => buildProgram(NSEXEC)
export const ensureNsexec = (): Promise<string> => ensureProgram(NSEXEC)
/** The OCI runtime, isobench-runtime. */
export const RUNTIME_BINARY = RUNTIME.binary
export const buildRuntime = (): Promise<string> => buildProgram(RUNTIME)
export const ensureRuntime = (): Promise<string> => ensureProgram(RUNTIME)
export const runtimeIsCurrent = (): boolean => programIsCurrent(RUNTIME)
/** The process arm's launcher, isobench-launch. */
export const LAUNCH_BINARY = LAUNCHER.binary
export const buildLauncher = (): Promise<string> => buildProgram(LAUNCHER)
export const ensureLauncher = (): Promise<string> => ensureProgram(LAUNCHER)
export const launcherIsCurrent = (): boolean => programIsCurrent(LAUNCHER)
