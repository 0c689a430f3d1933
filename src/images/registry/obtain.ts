/**
 * The one way code gets an image by reference (FROM, COPY --from, and workload image sources):
 * from the store when it is there, else the built-in recipe of that name (`isobench/<recipe>`), else
 * pulled from its registry once (then the store has it). Offline or refused, the error is one line
 * naming the reference and why (`pull docker.io/library/busybox:latest: cannot reach registry
 * docker.io: no such host`).
 */
import {RemoteError} from '../../core/errors.js'
import {allRecipes} from '../recipe.js'
import {ensureRecipeImage} from '../rootfs.js'
import type {ImageRef, ImageStore} from '../store.js'
import {pullImage, type PullOptions} from './pull.js'

export type {PullOptions} from './pull.js'

export async function obtainImage(store: ImageStore, reference: string, opts: PullOptions & {where?: string} = {}): Promise<ImageRef> {
  const found = await store.tryResolve(reference)
  if (found) return found
  const recipe = /^isobench\/([a-z0-9][a-z0-9_.-]*)(?::latest)?$/.exec(reference)?.[1]
  if (recipe && (await allRecipes()).some((r) => r.name === recipe)) return ensureRecipeImage(store, recipe)
  try {
    const pulled = await pullImage(store, reference, opts)
    opts.log?.(`pulled ${pulled.reference} ${pulled.manifestDigest.slice(7, 19)} (${pulled.layers} layers, ${pulled.platform})`)
    return pulled
  } catch (error) {
    if (error instanceof RemoteError && opts.where) throw new RemoteError(`${opts.where}: ${error.message}`, error.code)
    throw error
  }
}
