/**
 * The build cache: one JSON record per filesystem step, keyed by sha256 of (parent layer chain,
 * instruction as executed, digest of its inputs). A record names the layer blob the step made (or
 * says it changed nothing), so an unchanged rebuild never runs or unpacks anything.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, readdirSync} from 'node:fs'
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {digestHex, sha256} from '../digest.js'
import type {Descriptor} from '../oci.js'
import type {ImageStore} from '../store.js'

export interface BuildCacheRecord {
  key: string
  /** null: the step changed no file (no layer is added). */
  layer: Descriptor | null
  /** Uncompressed digest of the layer (== layer digest: build layers are stored uncompressed). */
  diffId: string | null
  createdBy: string
}

export function buildCacheDir(store: ImageStore): string {
  return join(store.stateDir, 'build-cache')
}

export function stepCacheKey(parentLayers: string[], instruction: string, inputsDigest: string): string {
  return sha256(JSON.stringify({v: 1, parentLayers, instruction, inputsDigest}))
}

export async function readStepCache(store: ImageStore, key: string): Promise<BuildCacheRecord | null> {
  const p = join(buildCacheDir(store), digestHex(key) + '.json')
  if (!existsSync(p)) return null
  const rec = JSON.parse(await readFile(p, 'utf8')) as BuildCacheRecord
  if (rec.layer && !store.hasBlob(rec.layer.digest)) return null
  return rec
}

export async function writeStepCache(store: ImageStore, rec: BuildCacheRecord): Promise<void> {
  const dir = buildCacheDir(store)
  await mkdir(dir, {recursive: true})
  const p = join(dir, digestHex(rec.key) + '.json')
  const tmp = `${p}.${randomBytes(4).toString('hex')}`
  await writeFile(tmp, JSON.stringify(rec, null, 2))
  await rename(tmp, p)
}

/** Layer blobs the build cache refers to (kept by `image prune` unless --all). */
export async function readBuildCacheBlobs(store: ImageStore): Promise<string[]> {
  const dir = buildCacheDir(store)
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue
    try {
      const rec = JSON.parse(await readFile(join(dir, f), 'utf8')) as BuildCacheRecord
      if (rec.layer) out.push(rec.layer.digest)
    } catch {
      // a torn record is simply not a cache hit
    }
  }
  return out
}
