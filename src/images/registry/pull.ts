/**
 * `image pull`: a registry reference → the store. skopeo copies the image (for a manifest list,
 * the linux/amd64 instance — the host's platform — or the one --platform names) into a private OCI
 * layout in the state dir's tmp/; the store imports it like any layout (every blob re-hashed against
 * its digest; layers are unpacked later by the same safe unpack as every image). One progress line
 * per layer as skopeo copies it.
 *
 * The image is named by the reference in its familiar form (`127.0.0.1:5000/web:1`, `web:1`, or
 * `repo@sha256:…` for a pull by digest).
 */
import {randomBytes} from 'node:crypto'
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {importImage} from '../import.js'
import {familiarString, fullyQualified, parseReference, withDefaultTag} from '../names.js'
import {ociArch} from '../oci.js'
import type {ImageRef, ImageStore} from '../store.js'
import {sideFlags, skopeo, type RegistryOptions} from './skopeo.js'

export interface PullOptions extends RegistryOptions {
  /** `os/arch[/variant]` (OCI image-index platform), default linux/<host arch>. */
  platform?: string
  /** Progress lines (one per layer) and notes. */
  log?: (line: string) => void
}

export interface PullResult extends ImageRef {
  /** What was fetched, fully qualified (`docker.io/library/web:1`). */
  reference: string
  layers: number
  platform: string
}

/** `linux/arm64/v8` → skopeo's --override-os/--override-arch/--override-variant. */
export function platformFlags(platform: string | undefined): {flags: string[]; label: string} {
  const p = platform ?? `linux/${ociArch()}`
  const parts = p.split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !/^[a-z0-9_.-]+$/.test(x)))
    throw new UsageError(`--platform ${JSON.stringify(p)}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`, 'bad-flag')
  const [os, arch, variant] = parts as [string, string, string | undefined]
  return {flags: ['--override-os', os, '--override-arch', arch, ...(variant ? ['--override-variant', variant] : [])], label: p}
}

export async function pullImage(store: ImageStore, reference: string, opts: PullOptions = {}): Promise<PullResult> {
  const ref = withDefaultTag(parseReference(reference))
  const fq = fullyQualified(ref)
  const name = familiarString(ref)
  const {flags, label} = platformFlags(opts.platform)
  await store.init()
  const dir = join(store.tmpDir, `pull-${process.pid}-${randomBytes(4).toString('hex')}`)
  const log = opts.log ?? (() => {})
  let n = 0
  try {
    await skopeo(['copy', ...flags, ...sideFlags('src', opts), `docker://${fq}`, `oci:${dir}:pulled`], {
      what: `pull ${fq}`,
      host: ref.domain,
      onLine(line) {
        const m = /^Copying blob (sha256:[a-f0-9]{64})(.*)$/.exec(line.trim())
        if (m) log(`  layer ${++n}: ${m[1]!.slice(0, 19)}${m[2]!.includes('skipped') ? ' (already present)' : ''}`)
      },
    })
    const [img] = await importImage(store, dir, {name})
    return {name, manifestDigest: img!.manifestDigest, reference: fq, layers: img!.layers, platform: label}
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
