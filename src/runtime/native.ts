/**
 * The runtime's C helper (src/runtime/native/nsexec.c → build/native/isobench-nsexec): it creates
 * the namespaces, mounts the rootfs, pivots, joins the cgroups and execs, and stays as the
 * container's shim. `isobench setup` builds it; ensureNsexec() also builds it on first use when
 * the binary is missing or older than its source (cc is on every machine we support).
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, renameSync, rmSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import {ArmError} from '../errors.js'

/** The package root: two levels above this module in src/runtime and in dist/runtime alike. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const NSEXEC_SOURCE = join(PACKAGE_ROOT, 'src', 'runtime', 'native', 'nsexec.c')
export const NSEXEC_BINARY = process.env.ISOBENCH_NSEXEC ?? join(PACKAGE_ROOT, 'build', 'native', 'isobench-nsexec')

/** True when the helper binary exists and is not older than its source. */
export function nsexecIsCurrent(): boolean {
  if (!existsSync(NSEXEC_BINARY)) return false
  if (!existsSync(NSEXEC_SOURCE)) return true
  return statSync(NSEXEC_BINARY).mtimeMs >= statSync(NSEXEC_SOURCE).mtimeMs
}

/** Compile the helper (to a temp name, then rename, so concurrent builders never see half a file). */
export async function buildNsexec(): Promise<string> {
  if (!existsSync(NSEXEC_SOURCE)) throw new ArmError(`the runtime helper's source ${NSEXEC_SOURCE} is missing`, 'unavailable')
  mkdirSync(dirname(NSEXEC_BINARY), {recursive: true})
  const tmp = `${NSEXEC_BINARY}.tmp-${randomBytes(4).toString('hex')}`
  // Static: no dynamic loader on every container start (≈ 0.3 ms of a ≈ 6 ms start-to-exit here).
  // libc6-dev, which setup installs for the headers, ships libc.a; a libc without it links dynamically.
  let r = await execa('cc', ['-O2', '-Wall', '-static', '-o', tmp, NSEXEC_SOURCE], {reject: false, all: true})
  if (r.exitCode !== 0) r = await execa('cc', ['-O2', '-Wall', '-o', tmp, NSEXEC_SOURCE], {reject: false, all: true})
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
