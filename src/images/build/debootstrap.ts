/**
 * Debian base images for `FROM debian:<suite>` when the store has none: `debootstrap
 * --variant=minbase <suite>` into a temp dir, then that tree becomes one layer. Needs root, the
 * apt package debootstrap and a reachable Debian mirror; slow (minutes), so optional in CI.
 */
import {existsSync} from 'node:fs'
import {mkdir, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {execa} from 'execa'
import {UsageError} from '../../core/errors.js'
import {MEDIA, ociArch, type OciImageConfig} from '../oci.js'
import {writeLayerTar} from '../layer/tar-write.js'
import type {ImageRef, ImageStore} from '../store.js'
import {upperToEntries} from './diff.js'

export const DEBOOTSTRAP = '/usr/sbin/debootstrap'
const SUITES = new Set(['bookworm', 'bullseye', 'trixie', 'sid', 'stable', 'testing', 'oldstable', 'unstable'])

/** `debian:bookworm` → 'bookworm'; null when the name is not a Debian suite we can bootstrap. */
export function debianSuite(name: string): string | null {
  const m = name.match(/^(?:docker\.io\/)?(?:library\/)?debian:([a-z]+)(?:-slim)?$/)
  return m && SUITES.has(m[1]!) ? m[1]! : null
}

export async function debootstrapBase(
  store: ImageStore,
  name: string,
  suite: string,
  log: (m: string) => void,
  mirror = process.env.ISOBENCH_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian',
): Promise<ImageRef> {
  if (!existsSync(DEBOOTSTRAP))
    throw new UsageError(
      `${name} is not in the image store and ${DEBOOTSTRAP} is missing: apt-get install debootstrap, or import the image (isobench image import)`,
      'no-debootstrap',
    )
  await store.init()
  const dir = join(store.tmpDir, `debootstrap-${process.pid}-${randomBytes(4).toString('hex')}`)
  const tarPath = `${dir}.tar`
  await mkdir(dir, {recursive: true})
  try {
    log(`debootstrap --variant=minbase ${suite} (this takes a few minutes) …`)
    const r = await execa(DEBOOTSTRAP, ['--variant=minbase', suite, dir, mirror], {reject: false, all: true})
    if (r.exitCode !== 0)
      throw new UsageError(`debootstrap ${suite} failed (exit ${r.exitCode}): ${(r.all ?? '').split('\n').slice(-5).join('\n')}`, 'debootstrap-failed')
    await rm(join(dir, 'var/cache/apt/archives'), {recursive: true, force: true})
    await mkdir(join(dir, 'var/cache/apt/archives/partial'), {recursive: true})
    const {entries} = await upperToEntries(dir)
    await writeLayerTar(entries, tarPath)
    const layer = await store.putBlobFile(tarPath)
    const config: OciImageConfig = {
      created: new Date().toISOString(),
      architecture: ociArch(),
      os: 'linux',
      config: {Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash']},
      rootfs: {type: 'layers', diff_ids: [layer.digest]},
      history: [{created_by: `debootstrap --variant=minbase ${suite} ${mirror}`}],
    }
    return await store.putImage(config, [{mediaType: MEDIA.layerTar, digest: layer.digest, size: layer.size}], [name])
  } finally {
    await rm(dir, {recursive: true, force: true})
    await rm(tarPath, {force: true})
  }
}
