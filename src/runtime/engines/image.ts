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

export async function localImage(stateDir: string, image: string, dir: string): Promise<LocalImage> {
  mkdirSync(dir, {recursive: true})
  const resolved = await resolveImage(stateDir, image)
  const rootfsTar = join(dir, 'rootfs.tar')
  await execa('tar', ['-C', resolved.lowerDirs[0]!, '-cf', rootfsTar, '.'])
  const ociArchive = join(dir, 'oci.tar')
  await exportImage(openImageStore(stateDir), image.includes('/') ? image : `isobench/${image}`, ociArchive)
  return {rootfsTar, ociArchive}
}
