/**
 * The Debian minbase base image (`debian:bookworm`) the bring-your-own-workload tests build on,
 * made once per machine: `debootstrap --variant=minbase bookworm` from Debian's mirror (what `image
 * build` does for `FROM debian:bookworm`, minutes), exported as an OCI archive to a cache outside the
 * test's state dir, and imported from there (seconds) by every later run. The cache is
 * $ISOBENCH_TEST_CACHE, default /var/cache/isobench-test; delete the archive to rebuild it.
 */
import {existsSync, mkdirSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {debootstrapBase} from '../../src/images/build/debootstrap.js'
import {exportImage} from '../../src/images/export.js'
import {importImage} from '../../src/images/import.js'
import {openImageStore} from '../../src/images/rootfs.js'

export const TEST_CACHE = process.env.ISOBENCH_TEST_CACHE ?? '/var/cache/isobench-test'
export const DEBIAN_ARCHIVE = join(TEST_CACHE, 'debian-bookworm-minbase.oci.tar')
export const DEBIAN_BASE = 'debian:bookworm'

/** Make `debian:bookworm` exist in this state dir's store: from the cached archive, else bootstrapped (and cached). */
export async function ensureDebianBase(stateDir: string, log: (m: string) => void = () => {}): Promise<'store' | 'cache' | 'debootstrap'> {
  const store = openImageStore(stateDir)
  if (await store.tryResolve(DEBIAN_BASE)) return 'store'
  if (existsSync(DEBIAN_ARCHIVE)) {
    await importImage(store, DEBIAN_ARCHIVE, {name: DEBIAN_BASE})
    return 'cache'
  }
  await debootstrapBase(store, DEBIAN_BASE, 'bookworm', log)
  mkdirSync(TEST_CACHE, {recursive: true})
  const tmp = `${DEBIAN_ARCHIVE}.tmp-${process.pid}.tar`
  try {
    await exportImage(store, DEBIAN_BASE, tmp)
    renameSync(tmp, DEBIAN_ARCHIVE)
  } finally {
    rmSync(tmp, {force: true})
  }
  return 'debootstrap'
}
