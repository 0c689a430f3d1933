/**
 * The image store: one OCI image layout at `<stateDir>/images` (oci-layout, index.json,
 * blobs/sha256/<hex>). Names (`name:tag`) are the `org.opencontainers.image.ref.name` annotations of
 * index.json's entries, so the store itself is a layout skopeo/umoci can read. Blobs are written to a
 * temp file and renamed into place (content-addressed, so concurrent writers agree); index.json is
 * rewritten under a lock file.
 */
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream, createWriteStream, existsSync} from 'node:fs'
import {mkdir, readFile, readdir, rename, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {Transform} from 'node:stream'
import {UsageError} from '../core/errors.js'
import {digestHex, isDigest, sha256} from './digest.js'
import {withLock} from './lock.js'
import {normalizeName, parseRef} from './names.js'
import {MEDIA, REF_NAME_ANNOTATION, type Descriptor, type OciImageConfig, type OciIndex, type OciManifest} from './oci.js'

/** A resolved image: the manifest digest, and the name it was found by (null when asked by digest). */
export interface ImageRef {
  name: string | null
  manifestDigest: string
}

export interface ImageSummary {
  names: string[]
  manifestDigest: string
  configDigest: string
  /** Sum of config and layer blob sizes (compressed, as stored). */
  size: number
  layers: number
  created?: string
}

export class ImageStore {
  readonly root: string
  readonly stateDir: string

  constructor(stateDir: string) {
    this.stateDir = stateDir
    this.root = join(stateDir, 'images')
  }

  get blobDir(): string {
    return join(this.root, 'blobs', 'sha256')
  }

  /** A state-dir scratch area for temp files (same filesystem as the store, so renames are atomic). */
  get tmpDir(): string {
    return join(this.stateDir, 'tmp')
  }

  async init(): Promise<void> {
    await mkdir(this.blobDir, {recursive: true})
    await mkdir(this.tmpDir, {recursive: true})
    const layout = join(this.root, 'oci-layout')
    if (!existsSync(layout)) await writeFile(layout, JSON.stringify({imageLayoutVersion: '1.0.0'}))
    if (!existsSync(join(this.root, 'index.json'))) await this.writeIndex({schemaVersion: 2, mediaType: MEDIA.index, manifests: []})
  }

  blobPath(digest: string): string {
    return join(this.blobDir, digestHex(digest))
  }

  hasBlob(digest: string): boolean {
    return isDigest(digest) && existsSync(this.blobPath(digest))
  }

  async putBlob(data: string | Uint8Array): Promise<{digest: string; size: number}> {
    await this.init()
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    const digest = sha256(buf)
    if (!this.hasBlob(digest)) {
      const tmp = join(this.blobDir, `.tmp-${randomBytes(6).toString('hex')}`)
      await writeFile(tmp, buf, {mode: 0o644})
      await rename(tmp, this.blobPath(digest))
    }
    return {digest, size: buf.length}
  }

  /** Copy a file into the store, hashing as it streams; `expected` (if given) must match. */
  async putBlobFile(src: string, expected?: string): Promise<{digest: string; size: number}> {
    await this.init()
    if (expected && this.hasBlob(expected)) return {digest: expected, size: (await stat(this.blobPath(expected))).size}
    const tmp = join(this.blobDir, `.tmp-${randomBytes(6).toString('hex')}`)
    const hash = createHash('sha256')
    let size = 0
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk)
        size += chunk.length
        cb(null, chunk)
      },
    })
    try {
      await pipeline(createReadStream(src), tap, createWriteStream(tmp, {mode: 0o644}))
      const digest = 'sha256:' + hash.digest('hex')
      if (expected && expected !== digest) throw new UsageError(`${src}: content digest ${digest} does not match the expected ${expected}`, 'digest-mismatch')
      await rename(tmp, this.blobPath(digest))
      return {digest, size}
    } finally {
      await rm(tmp, {force: true})
    }
  }

  async readBlob(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new UsageError(
          `blob ${digest} is missing from the image store ${this.root} (run \`isobench image prune\` or re-import the image)`,
          'missing-blob',
        )
      throw error
    }
  }

  async readJson<T>(digest: string): Promise<T> {
    return JSON.parse((await this.readBlob(digest)).toString('utf8')) as T
  }

  async readIndex(): Promise<OciIndex> {
    try {
      return JSON.parse(await readFile(join(this.root, 'index.json'), 'utf8')) as OciIndex
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {schemaVersion: 2, mediaType: MEDIA.index, manifests: []}
      throw error
    }
  }

  private async writeIndex(index: OciIndex): Promise<void> {
    await mkdir(this.root, {recursive: true})
    const tmp = join(this.root, `.index-${randomBytes(6).toString('hex')}.json`)
    await writeFile(tmp, JSON.stringify(index, null, 2))
    await rename(tmp, join(this.root, 'index.json'))
  }

  /** Read-modify-write index.json under the store's lock. */
  async updateIndex<T>(fn: (index: OciIndex) => T | Promise<T>): Promise<T> {
    await this.init()
    return withLock(join(this.root, 'index.lock'), async () => {
      const index = await this.readIndex()
      const result = await fn(index)
      await this.writeIndex(index)
      return result
    })
  }

  /** Store a manifest (and its config) and point `names` at it; a name moves from any older manifest. */
  async putImage(config: OciImageConfig, layers: Descriptor[], names: string[] = [], annotations?: Record<string, string>): Promise<ImageRef> {
    const configBlob = await this.putBlob(JSON.stringify(config))
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: {mediaType: MEDIA.config, digest: configBlob.digest, size: configBlob.size},
      layers,
      ...(annotations && Object.keys(annotations).length ? {annotations} : {}),
    }
    return this.putManifest(JSON.stringify(manifest), names)
  }

  /** Store manifest bytes as they are (their digest is kept) and name it. Its blobs must be stored first. */
  async putManifest(manifestJson: string | Buffer, names: string[] = [], mediaType: string = MEDIA.manifest): Promise<ImageRef> {
    const m = await this.putBlob(manifestJson)
    const normalized = names.map(normalizeName)
    await this.updateIndex((index) => {
      for (const name of normalized) setName(index, name, {mediaType, digest: m.digest, size: m.size})
      if (normalized.length === 0 && !index.manifests.some((d) => d.digest === m.digest)) index.manifests.push({mediaType, digest: m.digest, size: m.size})
    })
    return {name: normalized[0] ?? null, manifestDigest: m.digest}
  }

  /**
   * Resolve a reference (normalized as Docker does: `web` = `docker.io/library/web:latest`), a
   * `name@sha256:…`, a digest or a unique digest prefix; UsageError (image-not-found) if absent.
   */
  async resolve(ref: string | ImageRef): Promise<ImageRef> {
    if (typeof ref !== 'string') return ref
    const parsed = parseRef(ref)
    const index = await this.readIndex()
    if (parsed.kind === 'digest') {
      if (!this.hasBlob(parsed.digest)) throw new UsageError(`image ${ref} not found in ${this.root}`, 'image-not-found')
      return {name: null, manifestDigest: parsed.digest}
    }
    if (parsed.kind === 'prefix') {
      const hits = [...new Set(index.manifests.map((d) => d.digest).filter((d) => d.slice(7).startsWith(parsed.prefix)))]
      if (hits.length === 1) return {name: null, manifestDigest: hits[0]!}
      if (hits.length > 1) throw new UsageError(`image id prefix ${ref} is ambiguous (${hits.length} images); give more digits`, 'ambiguous-image')
      // Not a known id: it may still be a name that looks like hex.
    }
    const name = parsed.kind === 'name' ? parsed.name : normalizeName(ref)
    const hit = index.manifests.find((d) => sameName(d.annotations?.[REF_NAME_ANNOTATION], name))
    if (hit) return {name, manifestDigest: hit.digest}
    if (parsed.kind === 'name' && parsed.digest && this.hasBlob(parsed.digest)) return {name: null, manifestDigest: parsed.digest}
    throw new UsageError(`image ${name} not found in ${this.root} (see \`isobench image ls\`; pull, import or build it first)`, 'image-not-found')
  }

  async tryResolve(ref: string): Promise<ImageRef | null> {
    try {
      return await this.resolve(ref)
    } catch (error) {
      if (error instanceof UsageError && error.code === 'image-not-found') return null
      throw error
    }
  }

  async manifest(ref: string | ImageRef): Promise<OciManifest> {
    const r = await this.resolve(ref)
    return this.readJson<OciManifest>(r.manifestDigest)
  }

  async config(ref: string | ImageRef): Promise<OciImageConfig> {
    const m = await this.manifest(ref)
    return this.readJson<OciImageConfig>(m.config.digest)
  }

  async list(): Promise<ImageSummary[]> {
    const index = await this.readIndex()
    const byDigest = new Map<string, string[]>()
    for (const d of index.manifests) {
      const names = byDigest.get(d.digest) ?? []
      const n = d.annotations?.[REF_NAME_ANNOTATION]
      if (n) names.push(displayName(n))
      byDigest.set(d.digest, names)
    }
    const out: ImageSummary[] = []
    for (const [digest, names] of byDigest) {
      if (!this.hasBlob(digest)) continue
      const m = await this.readJson<OciManifest>(digest)
      const cfg = this.hasBlob(m.config.digest) ? await this.readJson<OciImageConfig>(m.config.digest) : undefined
      out.push({
        names: names.sort(),
        manifestDigest: digest,
        configDigest: m.config.digest,
        size: m.config.size + m.layers.reduce((a, l) => a + l.size, 0),
        layers: m.layers.length,
        ...(cfg?.created ? {created: cfg.created} : {}),
      })
    }
    return out.sort((a, b) => (a.names[0] ?? '~').localeCompare(b.names[0] ?? '~'))
  }

  async tag(ref: string | ImageRef, newName: string): Promise<ImageRef> {
    const r = await this.resolve(ref)
    const name = normalizeName(newName)
    const size = (await stat(this.blobPath(r.manifestDigest))).size
    await this.updateIndex((index) => setName(index, name, {mediaType: MEDIA.manifest, digest: r.manifestDigest, size}))
    return {name, manifestDigest: r.manifestDigest}
  }

  /** Remove a name; given a digest, remove the image and every name pointing at it. Blobs go at prune. */
  async remove(ref: string): Promise<{removed: string[]; manifestDigest: string}> {
    const r = await this.resolve(ref)
    return this.updateIndex((index) => {
      const removed: string[] = []
      index.manifests = index.manifests.filter((d) => {
        const n = d.annotations?.[REF_NAME_ANNOTATION]
        const drop = r.name ? sameName(n, r.name) : d.digest === r.manifestDigest
        if (drop) removed.push(n ?? d.digest)
        return !drop
      })
      return {removed, manifestDigest: r.manifestDigest}
    })
  }

  /** Every blob reachable from index.json (manifests, configs, layers; nested indexes followed). */
  async reachableBlobs(): Promise<Set<string>> {
    const seen = new Set<string>()
    const visit = async (d: Descriptor): Promise<void> => {
      if (seen.has(d.digest) || !this.hasBlob(d.digest)) return
      seen.add(d.digest)
      if (d.mediaType === MEDIA.index) for (const m of (await this.readJson<OciIndex>(d.digest)).manifests) await visit(m)
      else if (d.mediaType === MEDIA.manifest || d.mediaType === MEDIA.dockerManifest) {
        const m = await this.readJson<OciManifest>(d.digest)
        seen.add(m.config.digest)
        for (const l of m.layers) seen.add(l.digest)
      }
    }
    for (const d of (await this.readIndex()).manifests) await visit(d)
    return seen
  }

  /** Delete blobs not in `keep` and stale temp files; returns what was removed and the bytes freed. */
  async pruneBlobs(keep: Set<string>): Promise<{removed: string[]; bytes: number}> {
    const removed: string[] = []
    let bytes = 0
    if (!existsSync(this.blobDir)) return {removed, bytes}
    await withLock(join(this.root, 'index.lock'), async () => {
      for (const f of await readdir(this.blobDir)) {
        const p = join(this.blobDir, f)
        const digest = `sha256:${f}`
        if (f.startsWith('.tmp-') || !keep.has(digest)) {
          bytes += (await stat(p).catch(() => ({size: 0}))).size
          await rm(p, {force: true})
          removed.push(f.startsWith('.tmp-') ? f : digest)
        }
      }
    })
    return {removed, bytes}
  }
}

/** A stored name as `image ls` shows it (familiar form; older stores may hold fully qualified names). */
function displayName(stored: string): string {
  try {
    return normalizeName(stored)
  } catch {
    return stored
  }
}

/** Does a stored name denote `name`? Stored names from older stores may be fully qualified (`docker.io/library/web:1`). */
function sameName(stored: string | undefined, name: string): boolean {
  if (stored === undefined) return false
  if (stored === name) return true
  try {
    return normalizeName(stored) === name
  } catch {
    return false
  }
}

function setName(index: OciIndex, name: string, desc: Descriptor): void {
  index.manifests = index.manifests.filter(
    (d) => !sameName(d.annotations?.[REF_NAME_ANNOTATION], name) && !(d.digest === desc.digest && !d.annotations?.[REF_NAME_ANNOTATION]),
  )
  index.manifests.push({...desc, annotations: {[REF_NAME_ANNOTATION]: name}})
}
