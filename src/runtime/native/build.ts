/**
 * The runtime's C helper (nsexec.c with devices.c and seccomp-oci.c beside this file →
 * build/native/isobench-nsexec): it creates the namespaces, mounts the rootfs, pivots, joins the
 * cgroups (device allowlist included), installs the seccomp filter and execs, and stays as the
 * container's shim. It links libseccomp and libjansson (Debian libseccomp-dev, libjansson-dev:
 * both ship static archives). `isobench setup` builds it; ensureNsexec() also builds it on first
 * use when the binary is missing or older than a source (cc is on every machine we support).
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
export const NSEXEC_SOURCES = [NSEXEC_SOURCE, join(NATIVE_DIR, 'devices.c'), join(NATIVE_DIR, 'seccomp-oci.c')]
export const NSEXEC_LIBS = ['-lseccomp', '-ljansson']
export const NSEXEC_BINARY = process.env.ISOBENCH_NSEXEC ?? join(PACKAGE_ROOT, 'build', 'native', 'isobench-nsexec')

/** True when the helper binary exists and is not older than any of its sources or headers. */
export function nsexecIsCurrent(): boolean {
  if (!existsSync(NSEXEC_BINARY)) return false
  if (!existsSync(NATIVE_DIR)) return true
  const built = statSync(NSEXEC_BINARY).mtimeMs
  return readdirSync(NATIVE_DIR)
    .filter((f) => /\.[ch]$/.test(f))
    .every((f) => statSync(join(NATIVE_DIR, f)).mtimeMs <= built)
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

/** Compile the helper (to a temp name, then rename, so concurrent builders never see half a file). */
export async function buildNsexec(): Promise<string> {
  if (!existsSync(NSEXEC_SOURCE)) throw new ArmError(`the runtime helper's source ${NSEXEC_SOURCE} is missing`, 'unavailable')
  mkdirSync(dirname(NSEXEC_BINARY), {recursive: true})
  const tmp = `${NSEXEC_BINARY}.tmp-${randomBytes(4).toString('hex')}`
  const r = await compileC(NSEXEC_SOURCES, tmp, NSEXEC_LIBS)
  if (r.exitCode !== 0) {
    rmSync(tmp, {force: true})
    const hint = /seccomp\.h|jansson\.h|-lseccomp|-ljansson/.test(r.all ?? '') ? ' (libseccomp-dev and libjansson-dev: run `isobench setup`)' : ''
    throw new ArmError(`building the runtime helper failed${hint} (cc ${NSEXEC_SOURCES.join(' ')}):\n${(r.all ?? r.message).slice(0, 4000)}`, 'unavailable')
  }
  renameSync(tmp, NSEXEC_BINARY)
  return NSEXEC_BINARY
}

let ensured: Promise<string> | null = null

export function ensureNsexec(): Promise<string> {
  if (nsexecIsCurrent()) return Promise.resolve(NSEXEC_BINARY)
  ensured ??= buildNsexec().finally(() => (ensured = null))
  return ensured
}
