/**
 * One of isobench's images in the forms the engines load: a flat rootfs tar (podman import,
 * docker import) and an OCI image archive (ctr images import), written under dir. The recipe
 * images (idle, …) are built on first use, as for every arm.
 */
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {exportImage} from '../../images/export.js'
import {openImageStore} from '../../images/rootfs.js'
import {resolveImage} from '../container/image.js'
import type {LocalImage} from './engine.js'

const MANIFEST_DIGEST = /^sha256:[0-9a-f]{64}$/

/**
 * How a workload's image is named in our store and in an engine. `storeRef`: a manifest digest
 * (`sha256:…`, the reference the runner gives every arm) or a name with a slash as given, a bare
 * recipe name (`idle`) as the store's `isobench/idle`. `repository`: the engine's repository for it
 * (the engine gets a tag of the run's own): the name without its tag, or `isobench/img-<12 hex>` for a
 * digest (a repository name cannot be a digest).
 */
export function engineImageNames(image: string): {storeRef: string; repository: string} {
  if (MANIFEST_DIGEST.test(image)) return {storeRef: image, repository: `isobench/img-${image.slice(7, 19)}`}
  const storeRef = image.includes('/') ? image : `isobench/${image}`
  return {storeRef, repository: storeRef.replace(/:[^/]*$/, '')}
}

export async function localImage(stateDir: string, image: string, dir: string): Promise<LocalImage> {
  mkdirSync(dir, {recursive: true})
  const resolved = await resolveImage(stateDir, image)
  const rootfsTar = join(dir, 'rootfs.tar')
  await execa('tar', ['-C', resolved.lowerDirs[0]!, '-cf', rootfsTar, '.'])
  const ociArchive = join(dir, 'oci.tar')
  await exportImage(openImageStore(stateDir), engineImageNames(image).storeRef, ociArchive)
  return {rootfsTar, ociArchive}
}
