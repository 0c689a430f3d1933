/** sha256 digests in OCI form ("sha256:<64 hex>"): computing, validating, and turning into safe names. */
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'

export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/

export function sha256(data: string | Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex')
}

export async function sha256File(path: string): Promise<{digest: string; size: number}> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return {digest: 'sha256:' + hash.digest('hex'), size}
}

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s)
}

/** The hex part: safe as a file name and inside overlayfs option strings (no ':' or ','). */
export function digestHex(digest: string): string {
  if (!isDigest(digest)) throw new Error(`not a sha256 digest: ${JSON.stringify(digest)}`)
  return digest.slice('sha256:'.length)
}

export function shortDigest(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(7, 19) : digest.slice(0, 12)
}
