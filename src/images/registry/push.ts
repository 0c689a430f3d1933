/**
 * `image push`: a store image → a registry reference, through skopeo. The image is laid out as a
 * temp OCI layout (its blobs hard-linked from the store), and skopeo uploads what the registry lacks
 * (layers are gzip-compressed on the way, as `docker push` does). One progress line per layer.
 */
import {randomBytes} from 'node:crypto'
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {exportImage} from '../export.js'
import {fullyQualified, parseReference, withDefaultTag} from '../names.js'
import type {ImageStore} from '../store.js'
import {sideFlags, skopeo, type RegistryOptions} from './skopeo.js'

export interface PushResult {
  /** The destination, fully qualified. */
  reference: string
  /** The manifest digest in the registry (pull it back by `<repo>@<digest>`). */
  digest: string
  layers: number
}

export async function pushImage(
  store: ImageStore,
  image: string,
  destination: string,
  opts: RegistryOptions & {log?: (line: string) => void} = {},
): Promise<PushResult> {
  const ref = withDefaultTag(parseReference(destination))
  if (ref.digest) throw new UsageError(`push destination ${JSON.stringify(destination)}: a digest cannot be pushed to; give name[:tag]`, 'bad-image-name')
  const fq = fullyQualified(ref)
  const resolved = await store.resolve(image)
  await store.init()
  const dir = join(store.tmpDir, `push-${process.pid}-${randomBytes(4).toString('hex')}`)
  const digestFile = `${dir}.digest`
  const log = opts.log ?? (() => {})
  let n = 0
  try {
    await exportImage(store, resolved.manifestDigest, dir, {tag: 'push', link: true})
    const layers = (await store.manifest(resolved)).layers.length
    await skopeo(['copy', '--digestfile', digestFile, ...sideFlags('dest', opts), `oci:${dir}:push`, `docker://${fq}`], {
      what: `push ${fq}`,
      host: ref.domain,
      onLine(line) {
        const m = /^Copying blob (sha256:[a-f0-9]{64})(.*)$/.exec(line.trim())
        if (m) log(`  layer ${++n}/${layers}: ${m[1]!.slice(0, 19)}${m[2]!.includes('skipped') ? ' (already in the registry)' : ''}`)
      },
    })
    const digest = (await readFile(digestFile, 'utf8')).trim()
    return {reference: fq, digest, layers}
  } finally {
    await rm(dir, {recursive: true, force: true})
    await rm(digestFile, {force: true})
  }
}
