/**
 * `image export`: write one image as an OCI image layout that skopeo and umoci read
 * (`skopeo copy oci:DIR:TAG …`, `umoci unpack --image DIR:TAG`). PATH ending in `.tar` gets the
 * layout as a deterministic tar; otherwise PATH is a directory (created, or an existing layout the
 * image is added to, replacing an entry with the same tag).
 */
import {copyFile, link, mkdir, readFile, rename, stat, writeFile} from 'node:fs/promises'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {rm} from 'node:fs/promises'
import {UsageError} from '../core/errors.js'
import {writeLayerTar, type LayerEntry} from './layer/tar-write.js'
import {tagOf} from './names.js'
import {MEDIA, REF_NAME_ANNOTATION, type OciIndex, type OciManifest} from './oci.js'
import type {ImageStore} from './store.js'

export interface ExportResult {
  path: string
  format: 'oci-dir' | 'oci-tar'
  /** The tag skopeo/umoci name the image by inside the layout (`oci:PATH:<tag>`). */
  tag: string
  manifestDigest: string
  blobs: number
}

/** `link`: hard-link blobs into a directory layout on the same filesystem (a temp layout for a push). */
export async function exportImage(store: ImageStore, ref: string, path: string, opts: {tag?: string; link?: boolean} = {}): Promise<ExportResult> {
  const r = await store.resolve(ref)
  const tag = opts.tag ?? (r.name ? tagOf(r.name) : 'latest')
  const manifest = await store.readJson<OciManifest>(r.manifestDigest)
  const blobs = [r.manifestDigest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]
  for (const b of blobs) if (!store.hasBlob(b)) throw new UsageError(`image ${ref}: blob ${b} is missing from the store`, 'missing-blob')
  const desc = {
    mediaType: manifest.mediaType ?? MEDIA.manifest,
    digest: r.manifestDigest,
    size: (await stat(store.blobPath(r.manifestDigest))).size,
    annotations: {[REF_NAME_ANNOTATION]: tag},
  }
  const layout = JSON.stringify({imageLayoutVersion: '1.0.0'})

  if (path.endsWith('.tar')) {
    const index: OciIndex = {schemaVersion: 2, mediaType: MEDIA.index, manifests: [desc]}
    const entries: LayerEntry[] = [
      {path: 'blobs', type: 'dir'},
      {path: 'blobs/sha256', type: 'dir'},
      {path: 'oci-layout', type: 'file', content: layout},
      {path: 'index.json', type: 'file', content: JSON.stringify(index)},
    ]
    for (const b of new Set(blobs))
      entries.push({path: `blobs/sha256/${b.slice(7)}`, type: 'file', hostPath: store.blobPath(b), size: (await stat(store.blobPath(b))).size})
    const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`
    try {
      await writeLayerTar(entries, tmp)
      await rename(tmp, path)
    } finally {
      await rm(tmp, {force: true})
    }
    return {path, format: 'oci-tar', tag, manifestDigest: r.manifestDigest, blobs: new Set(blobs).size}
  }

  if (existsSync(path) && readdirSync(path).length > 0 && !existsSync(join(path, 'oci-layout')))
    throw new UsageError(`${path} exists and is not an OCI image layout; give an empty or new directory, or a .tar path`, 'bad-export-path')
  await mkdir(join(path, 'blobs', 'sha256'), {recursive: true})
  for (const b of new Set(blobs)) {
    const dst = join(path, 'blobs', 'sha256', b.slice(7))
    if (!existsSync(dst)) await (opts.link ? link(store.blobPath(b), dst).catch(() => copyFile(store.blobPath(b), dst)) : copyFile(store.blobPath(b), dst))
  }
  await writeFile(join(path, 'oci-layout'), layout)
  const indexPath = join(path, 'index.json')
  const index: OciIndex = existsSync(indexPath)
    ? (JSON.parse(await readFile(indexPath, 'utf8')) as OciIndex)
    : {schemaVersion: 2, mediaType: MEDIA.index, manifests: []}
  index.manifests = index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== tag)
  index.manifests.push(desc)
  await writeFile(indexPath, JSON.stringify(index))
  return {path, format: 'oci-dir', tag, manifestDigest: r.manifestDigest, blobs: new Set(blobs).size}
}
