/**
 * The rootfs interface every arm uses. One workload image (an OCI image in the store) becomes one
 * unpacked directory that the container arms use as their overlay lower dir and the VM arm packs
 * into an initramfs or ext4 disk.
 *
 *   const store = openImageStore(config.stateDir)          // <stateDir>/images: an OCI layout
 *   const ref = await ensureRecipeImage(store, 'idle')      // builds isobench/idle:latest if missing
 *   const {dir, digest} = await unpackRootfs(store, ref)    // <stateDir>/rootfs/<hex>, cached
 *   const cfg = await imageConfig(store, ref)               // Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts
 *   const ref2 = await ensureImage(store, 'idle')           // a store image by name, else the recipe of that name
 *
 * - `ref` may be an ImageRef or a string: `name[:tag]`, `name@sha256:…`, a manifest digest or a
 *   unique prefix of one.
 * - The rootfs dir is shared and READ-ONLY BY CONVENTION: never write into it; mount it as an
 *   overlay lower dir (its path has no ':' or ',') or copy it. Its name is the rootfs digest's hex.
 * - `digest` is the rootfs digest (src/images/rootfs-digest.ts): a deterministic hash over paths,
 *   modes, uid/gid, contents and link targets; the parity record compares it across arms.
 * - Unpacking is safe against hostile layers (src/images/layer/apply.ts lists the rules); `warnings`
 *   says what was neutralised (setuid bits stripped, device nodes skipped, …).
 * - The cache key is the layer chain (the ordered layer digests), so images sharing layers share
 *   the rootfs. Concurrent unpackers each build a temp dir and the first rename wins.
 * - Every recipe image has /bin/busybox with applet links; no image needs an init or a shell: every
 *   arm injects its own init (src/runtime/native/init), outside the rootfs and its digest.
 */
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream, existsSync, readdirSync} from 'node:fs'
import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {digestHex, sha256} from './digest.js'
import {applyLayer} from './layer/apply.js'
import {openTarStream} from './layer/tar-read.js'
import type {OciRunConfig} from './oci.js'
import type {CleanupRegistry} from '../core/cleanup.js'
import {allRecipes, ensureRecipe, findRecipe} from './recipe.js'
import {rootfsDigest} from './rootfs-digest.js'
import {ImageStore, type ImageRef} from './store.js'
import type {Recipe} from '../workloads/profile.js'
import {pidAlive} from '../host/process.js'

export {ImageStore, type ImageRef} from './store.js'
export type {OciRunConfig, OciImageConfig} from './oci.js'

export interface UnpackedRootfs {
  /** Absolute path of the unpacked tree: `<stateDir>/rootfs/<hex of digest>`. Do not write into it. */
  dir: string
  /** The rootfs digest, `sha256:<hex>`. */
  digest: string
  /** What the safe unpack neutralised (empty for ordinary images). */
  warnings: string[]
  /** True when it was unpacked by this call (false: served from the cache). */
  unpacked: boolean
}

interface ChainRecord {
  digest: string
  layers: string[]
  warnings: string[]
  stats: {files: number; dirs: number; symlinks: number; bytes: number}
}

export function openImageStore(stateDir: string): ImageStore {
  return new ImageStore(stateDir)
}

/** The image built from recipe `recipe` (a name from the recipe registry, or the data itself). */
export async function ensureRecipeImage(store: ImageStore, recipe: string | Recipe): Promise<ImageRef> {
  const r = typeof recipe === 'string' ? await findRecipe(recipe) : recipe
  const {name, manifestDigest} = await ensureRecipe(store, r)
  return {name, manifestDigest}
}

export function rootfsRoot(store: ImageStore): string {
  return join(store.stateDir, 'rootfs')
}

function chainPath(store: ImageStore, layers: string[]): string {
  return join(rootfsRoot(store), 'chains', digestHex(sha256(layers.join('\n'))) + '.json')
}

/** Apply a layer blob, checking on the way that its bytes still hash to its digest. */
async function applyBlob(store: ImageStore, dir: string, layerDigest: string, label: string): Promise<string[]> {
  const path = store.blobPath(layerDigest)
  const hash = createHash('sha256')
  await new Promise<void>((resolve, reject) => {
    const s = createReadStream(path)
    s.on('data', (c) => hash.update(c as Buffer))
    s.on('end', resolve)
    s.on('error', reject)
  })
  const actual = 'sha256:' + hash.digest('hex')
  if (actual !== layerDigest) throw new Error(`layer blob ${layerDigest} is corrupt (content hashes to ${actual}); remove the image and import it again`)
  const {warnings} = await applyLayer(dir, await openTarStream(path), label)
  return warnings
}

/** Unpack the image's layers (cached by layer chain) and return the rootfs dir and digest. */
export async function unpackRootfs(store: ImageStore, ref: string | ImageRef, opts: UnpackOptions = {}): Promise<UnpackedRootfs> {
  const manifest = await store.manifest(ref)
  return unpackLayers(
    store,
    manifest.layers.map((l) => l.digest),
    opts,
  )
}

export interface UnpackOptions {
  /** A run's cleanup registry: an interrupted unpack then removes its temp dir too. */
  cleanup?: CleanupRegistry
}

/**
 * An image by name, or else the recipe of that name (`idle`, `isobench/idle`, `isobench/idle:latest`)
 * built on first use. Throws the store's "not found" UsageError when it is neither.
 */
export async function ensureImage(store: ImageStore, nameOrRecipe: string | ImageRef): Promise<ImageRef> {
  if (typeof nameOrRecipe !== 'string') return nameOrRecipe
  const found = await store.tryResolve(nameOrRecipe)
  if (found) return found
  const recipe = nameOrRecipe.replace(/^isobench\//, '').replace(/:latest$/, '')
  if ((await allRecipes()).some((r) => r.name === recipe)) return ensureRecipeImage(store, recipe)
  return store.resolve(nameOrRecipe)
}

/** Unpack a chain of layer blobs (bottom first) from the store; cached like unpackRootfs. */
export async function unpackLayers(store: ImageStore, layers: string[], opts: UnpackOptions = {}): Promise<UnpackedRootfs> {
  const root = rootfsRoot(store)
  const chainFile = chainPath(store, layers)
  if (existsSync(chainFile)) {
    const rec = JSON.parse(await readFile(chainFile, 'utf8')) as ChainRecord
    const dir = join(root, digestHex(rec.digest))
    if (existsSync(dir)) return {dir, digest: rec.digest, warnings: rec.warnings, unpacked: false}
  }
  await mkdir(join(root, 'chains'), {recursive: true})
  const tmp = join(root, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(tmp, {mode: 0o755})
  const undo = opts.cleanup?.add(`rootfs temp dir ${tmp}`, () => rm(tmp, {recursive: true, force: true}))
  try {
    const warnings: string[] = []
    for (const [i, digest] of layers.entries())
      warnings.push(...(await applyBlob(store, tmp, digest, `layer ${i + 1}/${layers.length} (${digest.slice(7, 19)})`)))
    const stats = rootfsDigest(tmp)
    const dir = join(root, digestHex(stats.digest))
    try {
      await rename(tmp, dir)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error
      // Another process (or another image with the same tree) got there first: same digest, same tree.
    }
    const {digest, ...rest} = stats
    const rec: ChainRecord = {digest, layers, warnings, stats: rest}
    const t = `${chainFile}.${randomBytes(4).toString('hex')}`
    await writeFile(t, JSON.stringify(rec, null, 2))
    await rename(t, chainFile)
    return {dir, digest, warnings, unpacked: true}
  } finally {
    await rm(tmp, {recursive: true, force: true})
    undo?.dispose()
  }
}

/** The image's run config (Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts, Labels). */
export async function imageConfig(store: ImageStore, ref: string | ImageRef): Promise<OciRunConfig> {
  return (await store.config(ref)).config ?? {}
}

/** Rootfs dirs and chain records not used by any image still in the store; and dead temp dirs. */
export async function pruneRootfs(store: ImageStore, keepLayerChains: string[][]): Promise<string[]> {
  const root = rootfsRoot(store)
  if (!existsSync(root)) return []
  const removed: string[] = []
  const keepChains = new Set(keepLayerChains.map((l) => chainPath(store, l)))
  const keepDirs = new Set<string>()
  const chainsDir = join(root, 'chains')
  for (const f of existsSync(chainsDir) ? readdirSync(chainsDir) : []) {
    const p = join(chainsDir, f)
    if (!keepChains.has(p)) {
      await rm(p, {force: true})
      continue
    }
    const rec = JSON.parse(await readFile(p, 'utf8')) as ChainRecord
    keepDirs.add(digestHex(rec.digest))
  }
  for (const f of readdirSync(root)) {
    if (f === 'chains') continue
    const tmpOwner = f.match(/^\.tmp-(\d+)-/)
    if (tmpOwner) {
      if (pidAlive(Number(tmpOwner[1]))) continue
    } else if (keepDirs.has(f)) continue
    await rm(join(root, f), {recursive: true, force: true})
    removed.push(join(root, f))
  }
  return removed
}
