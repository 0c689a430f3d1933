/**
 * The injected init (init/isobench-init.c → build/native/isobench-init): a small static program
 * every arm runs as its instance's init, so an image needs no shell. It prints the readiness
 * markers, runs the workload as its child, forwards signals and reaps orphans (as tini does), and
 * prints the exit code. `isobench setup` builds it; ensureInit() also builds it on first use when the
 * binary is missing or older than its source. It must be static: the containers and the VM run it
 * inside images that have no libc (FROM scratch), so a dynamic build is refused.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, renameSync, rmSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {execa} from 'execa'
import {ArmError} from '../../core/errors.js'
import {NATIVE_DIR, PACKAGE_ROOT} from './build.js'

export const INIT_SOURCE = join(NATIVE_DIR, 'init', 'isobench-init.c')
export const INIT_BINARY = process.env.ISOBENCH_INIT ?? join(PACKAGE_ROOT, 'build', 'native', 'isobench-init')
/** Where every container and VM sees the init (outside the image's rootfs digest: bind-mounted or overlaid). */
export const INIT_PATH_IN_INSTANCE = '/isobench/init'

export function initIsCurrent(): boolean {
  if (!existsSync(INIT_BINARY)) return false
  return !existsSync(INIT_SOURCE) || statSync(INIT_SOURCE).mtimeMs <= statSync(INIT_BINARY).mtimeMs
}

/** `cc -static -O2` the init (to a temp name, then rename, so concurrent builders never see half a file). */
export async function buildInit(): Promise<string> {
  if (!existsSync(INIT_SOURCE)) throw new ArmError(`the instance init's source ${INIT_SOURCE} is missing`, 'unavailable')
  mkdirSync(dirname(INIT_BINARY), {recursive: true})
  const tmp = `${INIT_BINARY}.tmp-${randomBytes(4).toString('hex')}`
  const r = await execa('cc', ['-static', '-O2', '-s', '-Wall', '-o', tmp, INIT_SOURCE], {reject: false, all: true})
  if (r.exitCode !== 0) {
    rmSync(tmp, {force: true})
    throw new ArmError(
      `building the instance init failed (cc -static ${INIT_SOURCE}; libc6-dev provides libc.a: run \`isobench setup\`):\n${(r.all ?? r.message).slice(0, 4000)}`,
      'unavailable',
    )
  }
  renameSync(tmp, INIT_BINARY)
  return INIT_BINARY
}

let ensured: Promise<string> | null = null

/** The init binary's host path, built first when missing or stale. */
export function ensureInit(): Promise<string> {
  if (initIsCurrent()) return Promise.resolve(INIT_BINARY)
  ensured ??= buildInit().finally(() => (ensured = null))
  return ensured
}
