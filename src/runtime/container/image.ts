/**
 * What a container runs on: an image name (a recipe such as `idle`, or any image in the store) or
 * a directory that already is a rootfs. Resolved outside timed regions to read-only lower dirs.
 */
import {existsSync, statSync} from 'node:fs'
import {isAbsolute} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {ensureRecipeImage, imageConfig, openImageStore, unpackRootfs} from '../../images/rootfs.js'

export interface ResolvedImage {
  /** Read-only lower dirs for the overlay, topmost first. */
  lowerDirs: string[]
  /** Rootfs digest (sha256:…) for parity records; null for a plain directory. */
  digest: string | null
  /** The image's own run config (Env, Cmd, WorkingDir, User), when it came from the store. */
  env: string[]
  cmd: string[]
  workingDir: string
  /** The image's USER (`name|uid[:group|gid]`), '' = root. */
  user: string
}

export async function resolveImage(stateDir: string, image: string): Promise<ResolvedImage> {
  if (isAbsolute(image)) {
    if (!existsSync(image) || !statSync(image).isDirectory()) throw new UsageError(`image ${image}: not a directory`, 'bad-image')
    if (/[:,]/.test(image)) throw new UsageError(`image ${image}: a rootfs directory must not contain ':' or ','`, 'bad-image')
    return {lowerDirs: [image], digest: null, env: [], cmd: [], workingDir: '/', user: ''}
  }
  const store = openImageStore(stateDir)
  let ref: string | {name: string | null; manifestDigest: string} = image
  try {
    await store.manifest(image)
  } catch (error) {
    // Not in the store: a recipe name (idle, isobench/idle[:latest]) is built on first use.
    const recipe = image.replace(/^isobench\//, '').replace(/:latest$/, '')
    try {
      ref = await ensureRecipeImage(store, recipe)
    } catch {
      throw error // the store's own "not found" message names the image
    }
  }
  const {dir, digest} = await unpackRootfs(store, ref)
  const cfg = await imageConfig(store, ref)
  return {
    lowerDirs: [dir],
    digest,
    env: cfg.Env ?? [],
    cmd: [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])],
    workingDir: cfg.WorkingDir || '/',
    user: cfg.User ?? '',
  }
}

/**
 * `-e` flags as Docker reads them: `KEY=VALUE` as given; a bare `KEY` takes the host's value, and is
 * left out when the host has none.
 */
export function envFlags(list: string[], host: NodeJS.ProcessEnv = process.env): string[] {
  return list.flatMap((e) => (e.includes('=') ? [e] : host[e] !== undefined ? [`${e}=${host[e]}`] : []))
}

/** `KEY=VALUE` strings (image Env, --env flags) → a record; later entries win. */
export function envRecord(list: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of list) {
    const eq = e.indexOf('=')
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1)
  }
  return out
}
