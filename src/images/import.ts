/**
 * `image import`: an OCI image layout (directory or tar — skopeo, buildah, umoci, Docker ≥ 25
 * `docker save`) or a classic `docker save` / skopeo docker-archive tarball into the store. Blobs
 * are verified against their digests as they are copied; docker-archive layers become an OCI
 * manifest whose config blob is kept byte for byte (so the image id is unchanged).
 */
import {readFileSync} from 'node:fs'
import {basename} from 'node:path'
import {UsageError} from '../core/errors.js'
import {isDigest} from './digest.js'
import {detectCompression} from './layer/tar-read.js'
import {openArchive, type ArchiveSource} from './archive-source.js'
import {
  isIndexMediaType,
  isManifestMediaType,
  MEDIA,
  ociArch,
  REF_NAME_ANNOTATION,
  type Descriptor,
  type OciImageConfig,
  type OciIndex,
  type OciManifest,
} from './oci.js'
import type {ImageRef, ImageStore} from './store.js'
import {normalizeName} from './names.js'

export interface ImportedImage extends ImageRef {
  format: 'oci-layout' | 'docker-archive'
  layers: number
}

const CONTAINERD_NAME = 'io.containerd.image.name'

function defaultRepo(path: string): string {
  const b = basename(path)
    .replace(/\.(tar|tar\.gz|tgz|oci)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
  return b || 'imported'
}

function blobName(digest: string, origin: string): string {
  if (!isDigest(digest)) throw new UsageError(`${origin}: unsupported or invalid digest ${JSON.stringify(digest)} (expected sha256:<64 hex>)`, 'bad-archive')
  return `blobs/sha256/${digest.slice(7)}`
}

async function copyBlob(store: ImageStore, src: ArchiveSource, digest: string): Promise<void> {
  await store.putBlobFile(src.file(blobName(digest, src.origin)), digest)
}

async function importOciLayout(
  store: ImageStore,
  src: ArchiveSource,
  path: string,
  archiveNames: boolean,
): Promise<Array<{ref: ImageRef; names: string[]; layers: number}>> {
  const index = src.readJson<OciIndex>('index.json')
  if (!Array.isArray(index.manifests)) throw new UsageError(`${path}: index.json: manifests must be an array`, 'bad-archive')
  const out: Array<{ref: ImageRef; names: string[]; layers: number}> = []
  const visit = async (desc: Descriptor, names: string[]): Promise<void> => {
    if (isIndexMediaType(desc.mediaType)) {
      await copyBlob(store, src, desc.digest)
      const nested = src.readJson<OciIndex>(blobName(desc.digest, path))
      const pick = nested.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === ociArch()) ?? nested.manifests[0]
      if (!pick) throw new UsageError(`${path}: nested index ${desc.digest} lists no manifests`, 'bad-archive')
      return visit(pick, names)
    }
    if (!isManifestMediaType(desc.mediaType) && desc.mediaType !== undefined)
      throw new UsageError(`${path}: index.json: unsupported media type ${desc.mediaType}`, 'bad-archive')
    const manifest = src.readJson<OciManifest>(blobName(desc.digest, path))
    await copyBlob(store, src, manifest.config.digest)
    for (const l of manifest.layers) await copyBlob(store, src, l.digest)
    await copyBlob(store, src, desc.digest)
    const ref = await store.putManifest(readFileSync(store.blobPath(desc.digest)), names, desc.mediaType ?? MEDIA.manifest)
    out.push({ref, names, layers: manifest.layers.length})
  }
  for (const desc of index.manifests) {
    const full = desc.annotations?.[CONTAINERD_NAME]
    const refName = desc.annotations?.[REF_NAME_ANNOTATION]
    const name = full ?? (refName ? (/[:/]/.test(refName) ? refName : `${defaultRepo(path)}:${refName}`) : undefined)
    await visit(desc, name && archiveNames ? [normalizeName(name)] : [])
  }
  return out
}

interface DockerArchiveEntry {
  Config: string
  RepoTags?: string[] | null
  Layers: string[]
}

async function importDockerArchive(
  store: ImageStore,
  src: ArchiveSource,
  path: string,
  archiveNames: boolean,
): Promise<Array<{ref: ImageRef; names: string[]; layers: number}>> {
  const entries = src.readJson<DockerArchiveEntry[]>('manifest.json')
  if (!Array.isArray(entries)) throw new UsageError(`${path}: manifest.json: expected an array of {Config, RepoTags, Layers}`, 'bad-archive')
  const out: Array<{ref: ImageRef; names: string[]; layers: number}> = []
  for (const [i, e] of entries.entries()) {
    if (typeof e.Config !== 'string' || !Array.isArray(e.Layers))
      throw new UsageError(`${path}: manifest.json[${i}]: expected Config (string) and Layers (array)`, 'bad-archive')
    const cfgBlob = await store.putBlobFile(src.file(e.Config))
    const cfg = await store.readJson<OciImageConfig>(cfgBlob.digest)
    const diffIds = cfg.rootfs?.diff_ids ?? []
    if (diffIds.length !== e.Layers.length)
      throw new UsageError(`${path}: manifest.json[${i}]: ${e.Layers.length} layers but the config lists ${diffIds.length} diff_ids`, 'bad-archive')
    const layers: Descriptor[] = []
    for (const [j, l] of e.Layers.entries()) {
      const file = src.file(l)
      const compression = await detectCompression(file)
      if (compression === 'bzip2' || compression === 'xz')
        throw new UsageError(`${path}: layer ${l} is ${compression}-compressed; OCI layers are tar, tar+gzip or tar+zstd`, 'bad-archive')
      const blob = await store.putBlobFile(file)
      if (compression === 'none' && blob.digest !== diffIds[j])
        throw new UsageError(`${path}: layer ${l} hashes to ${blob.digest}, but the config says ${diffIds[j]}`, 'digest-mismatch')
      layers.push({mediaType: {none: MEDIA.layerTar, gzip: MEDIA.layerGzip, zstd: MEDIA.layerZstd}[compression], digest: blob.digest, size: blob.size})
    }
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: {mediaType: MEDIA.config, digest: cfgBlob.digest, size: cfgBlob.size},
      layers,
    }
    const names = archiveNames ? (e.RepoTags ?? []).map(normalizeName) : []
    const ref = await store.putManifest(JSON.stringify(manifest), names)
    out.push({ref, names, layers: layers.length})
  }
  return out
}

/**
 * Import every image in the archive, named by the archive's own names (RepoTags, ref.name
 * annotations), normalized as Docker does (`docker.io/library/web:1` and `web:1` are one name).
 * `name` (only for a single image) REPLACES the archive's names: the image gets that name only.
 */
export async function importImage(store: ImageStore, path: string, opts: {name?: string} = {}): Promise<ImportedImage[]> {
  if (opts.name) normalizeName(opts.name) // a bad --name is exit 2 before anything is copied
  await store.init()
  const src = await openArchive(path, store.tmpDir)
  try {
    const isOci = src.has('oci-layout') && src.has('index.json')
    const format = isOci ? 'oci-layout' : src.has('manifest.json') ? 'docker-archive' : null
    if (!format) throw new UsageError(`${path}: not an OCI image layout (no oci-layout + index.json) nor a docker-archive (no manifest.json)`, 'bad-archive')
    const archiveNames = !opts.name
    const imported = format === 'oci-layout' ? await importOciLayout(store, src, path, archiveNames) : await importDockerArchive(store, src, path, archiveNames)
    if (imported.length === 0) throw new UsageError(`${path}: the archive holds no images`, 'bad-archive')
    if (opts.name) {
      if (imported.length > 1) throw new UsageError(`${path} holds ${imported.length} images; --name works only with one`, 'ambiguous-import')
      const tagged = await store.tag(imported[0]!.ref, opts.name)
      imported[0]!.ref = tagged
    }
    return imported.map((i) => ({...i.ref, format, layers: i.layers}))
  } finally {
    await src.close()
  }
}
