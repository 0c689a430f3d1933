/**
 * The runtime's C helper (nsexec.c beside this file → build/native/isobench-nsexec): it creates
 * the namespaces, mounts the rootfs, pivots, joins the cgroups and execs, and stays as the
 * container's shim. `isobench setup` builds it; ensureNsexec() also builds it on first use when
 * the binary is missing or older than its source (cc is on every machine we support).
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, renameSync, rmSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {ArmError} from '../../core/errors.js'

/** The package root: three levels above this module in src/runtime/native and in dist/runtime/native alike. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const NSEXEC_SOURCE = join(PACKAGE_ROOT, 'src', 'runtime', 'native', 'nsexec.c')
export const NSEXEC_BINARY = process.env.ISOBENCH_NSEXEC ?? join(PACKAGE_ROOT, 'build', 'native', 'isobench-nsexec')

/** True when the helper binary exists and is not older than its source. */
export function nsexecIsCurrent(): boolean {
  if (!existsSync(NSEXEC_BINARY)) return false
  if (!existsSync(NSEXEC_SOURCE)) return true
  return statSync(NSEXEC_BINARY).mtimeMs >= statSync(NSEXEC_SOURCE).mtimeMs
}

/**
 * `cc -O2` one C file into out: static when the libc allows it (no dynamic loader at every start:
 * ≈ 0.3 ms of a ≈ 6 ms container start-to-exit here; libc6-dev, which setup installs for the
 * headers, ships libc.a), else dynamic. The result of the last attempt, not thrown.
 */
export async function compileC(source: string, out: string) {
  const cc = (extra: string[]) => execa('cc', ['-O2', '-Wall', ...extra, '-o', out, source], {reject: false, all: true})
  const r = await cc(['-static'])
  return r.exitCode === 0 ? r : cc([])
}

/** Compile the helper (to a temp name, then rename, so concurrent builders never see half a file). */
export async function buildNsexec(): Promise<string> {
  if (!existsSync(NSEXEC_SOURCE)) throw new ArmError(`the runtime helper's source ${NSEXEC_SOURCE} is missing`, 'unavailable')
  mkdirSync(dirname(NSEXEC_BINARY), {recursive: true})
  const tmp = `${NSEXEC_BINARY}.tmp-${randomBytes(4).toString('hex')}`
  const r = await compileC(NSEXEC_SOURCE, tmp)
  if (r.exitCode !== 0) {
    rmSync(tmp, {force: true})
    throw new ArmError(`building the runtime helper failed (cc ${NSEXEC_SOURCE}):\n${r.all ?? r.message}`, 'unavailable')
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
