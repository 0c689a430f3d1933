/**
 * `image prune`: deletes what no image needs — unreferenced blobs, rootfs trees of layer chains no
 * image uses, stale temp files of dead isobench processes — and with `all`, the build cache too.
 */
import {existsSync, readdirSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {buildCacheDir, readBuildCacheBlobs} from './build/cache.js'
import type {OciManifest} from './oci.js'
import {pruneRootfs} from './rootfs.js'
import type {ImageStore} from './store.js'
import {pidAlive} from '../host/process.js'

export interface PruneResult {
  blobsRemoved: number
  bytesFreed: number
  rootfsRemoved: string[]
  buildCacheCleared: boolean
  tempRemoved: string[]
}

export async function pruneStore(store: ImageStore, opts: {all?: boolean} = {}): Promise<PruneResult> {
  if (opts.all) await rm(buildCacheDir(store), {recursive: true, force: true})
  const keep = await store.reachableBlobs()
  for (const b of await readBuildCacheBlobs(store)) keep.add(b)
  const {removed, bytes} = await store.pruneBlobs(keep)
  const chains: string[][] = []
  for (const d of (await store.readIndex()).manifests) {
    if (!store.hasBlob(d.digest)) continue
    const m = JSON.parse(await readFile(store.blobPath(d.digest), 'utf8')) as OciManifest
    if (Array.isArray(m.layers)) chains.push(m.layers.map((l) => l.digest))
  }
  const rootfsRemoved = await pruneRootfs(store, chains)
  const tempRemoved: string[] = []
  if (existsSync(store.tmpDir)) {
    for (const f of readdirSync(store.tmpDir)) {
      const pid = Number(f.match(/-(\d+)-/)?.[1])
      if (Number.isFinite(pid) && pidAlive(pid)) continue
      await rm(join(store.tmpDir, f), {recursive: true, force: true})
      tempRemoved.push(f)
    }
  }
  return {blobsRemoved: removed.length, bytesFreed: bytes, rootfsRemoved, buildCacheCleared: Boolean(opts.all), tempRemoved}
}
