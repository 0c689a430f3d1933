/**
 * Recipes: data that describes a small workload image built from the host's own files, without
 * debootstrap — host binaries with their shared-library closure (from `ldd`), busybox-static with
 * applet symlinks, and extra files (no init: every arm injects its own, outside the image). One deterministic
 * layer (sorted entries, mtime 0, numeric owners) and a config with a fixed `created`, so the same
 * recipe on the same host always gives the same image digest.
 *
 * The workload catalog's recipes are data beside it (scenarios/workloads/recipes/*.yaml, loaded by catalog.ts); `idle`,
 * the image of every workload that names none, lives here.
 */
import {existsSync, realpathSync, statSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import {execa} from 'execa'
import {UsageError} from '../core/errors.js'
import {sha256} from './digest.js'
import {writeLayerTar, type LayerEntry} from './layer/tar-write.js'
import {MEDIA, ociArch, type OciImageConfig} from './oci.js'
import type {ImageRef, ImageStore} from './store.js'
import type {Recipe} from '../workloads/profile.js'
import {workloadRecipes} from '../workloads/catalog.js'

export const BUSYBOX_HOST_PATH = '/bin/busybox'
export const BUSYBOX_IN_IMAGE = '/bin/busybox'
/** Applets every recipe image has, whatever it asks for (the init and the VM wrapper need them). */
export const REQUIRED_APPLETS = ['sh', 'sleep', 'true', 'false', 'echo', 'cat', 'mount', 'umount', 'poweroff', 'reboot', 'halt', 'mkdir', 'ls']
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
/** Bumped when the image layout a recipe produces changes. */
const RECIPE_FORMAT = 2
const EPOCH = '1970-01-01T00:00:00Z'
export const RECIPE_ANNOTATION = 'io.isobench.recipe.inputs'

export const idleRecipe: Recipe = {name: 'idle', binaries: [], busyboxApplets: 'all', cmd: ['sleep', '3600']}

export const BUILTIN_RECIPES: Recipe[] = [idleRecipe]

export function recipeImageName(name: string): string {
  return `isobench/${name}:latest`
}

/** Every recipe known: the built-in ones and the workload catalog's. */
export async function allRecipes(): Promise<Recipe[]> {
  const byName = new Map<string, Recipe>()
  for (const r of [...BUILTIN_RECIPES, ...workloadRecipes()]) byName.set(r.name, r)
  return [...byName.values()]
}

export async function findRecipe(name: string): Promise<Recipe> {
  const all = await allRecipes()
  const r = all.find((x) => x.name === name)
  if (!r) throw new UsageError(`unknown image recipe ${JSON.stringify(name)}; known: ${all.map((x) => x.name).join(', ')}`, 'unknown-recipe')
  return r
}

/** Shared libraries a dynamic executable loads (ldd), as absolute paths; [] for static ones. */
export async function lddClosure(binary: string): Promise<string[]> {
  const r = await execa('ldd', [binary], {reject: false})
  const text = `${r.stdout}\n${r.stderr}`
  if (/not a dynamic executable|statically linked/.test(text)) return []
  if (r.exitCode !== 0) throw new UsageError(`ldd ${binary} failed: ${text.trim().split('\n')[0]}`, 'ldd-failed')
  const libs: string[] = []
  for (const line of r.stdout.split('\n')) {
    const missing = line.match(/^\s*(\S+) => not found/)
    if (missing) throw new UsageError(`${binary}: shared library ${missing[1]} not found on this host`, 'ldd-failed')
    const m = line.match(/=>\s+(\/\S+)\s+\(/) ?? line.match(/^\s*(\/\S+)\s+\(/)
    if (m) libs.push(m[1]!)
  }
  return libs
}

async function appletPaths(wanted: 'all' | string[]): Promise<string[]> {
  const r = await execa(BUSYBOX_HOST_PATH, ['--list-full'])
  const full = r.stdout.split('\n').filter(Boolean)
  const byApplet = new Map(full.map((p) => [p.slice(p.lastIndexOf('/') + 1), p]))
  const names = wanted === 'all' ? [...byApplet.keys()] : [...new Set([...wanted, ...REQUIRED_APPLETS])]
  const out: string[] = []
  for (const n of names) {
    if (n === 'busybox') continue
    const p = byApplet.get(n)
    if (!p) throw new UsageError(`busybox applet ${JSON.stringify(n)} is not in ${BUSYBOX_HOST_PATH}`, 'unknown-applet')
    out.push('/' + p)
  }
  return out
}

function hostFile(path: string): {hostPath: string; size: number; mode: number; fingerprint: string} {
  if (!existsSync(path))
    throw new UsageError(`recipe needs host file ${path}, which does not exist (install its package; see \`isobench setup\`)`, 'missing-host-file')
  const real = realpathSync(path)
  const st = statSync(real)
  return {hostPath: real, size: st.size, mode: st.mode & 0o777, fingerprint: `${real}:${st.size}:${st.mtimeMs}:${st.ino}`}
}

/** The layer entries and a fingerprint of every input (recipe data and host files). */
export async function recipeEntries(recipe: Recipe): Promise<{entries: LayerEntry[]; fingerprint: string}> {
  const entries: LayerEntry[] = []
  const prints: string[] = []
  const dirs = new Map<string, number>([
    ['bin', 0o755],
    ['sbin', 0o755],
    ['usr', 0o755],
    ['usr/bin', 0o755],
    ['usr/sbin', 0o755],
    ['etc', 0o755],
    ['proc', 0o555],
    ['sys', 0o555],
    ['dev', 0o755],
    ['tmp', 0o1777],
    ['run', 0o755],
    ['root', 0o700],
    ['var', 0o755],
    ['var/tmp', 0o1777],
  ])
  const addParents = (p: string) => {
    const parts = p.replace(/^\/+/, '').split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/')
      if (!dirs.has(d)) dirs.set(d, 0o755)
    }
  }
  const files = new Map<string, LayerEntry>()
  const addHost = (imagePath: string, host: string, mode?: number) => {
    const f = hostFile(host)
    prints.push(`${imagePath}=${f.fingerprint}`)
    addParents(imagePath)
    files.set(imagePath, {path: imagePath, type: 'file', hostPath: f.hostPath, size: f.size, mode: mode ?? f.mode})
  }
  addHost(BUSYBOX_IN_IMAGE, BUSYBOX_HOST_PATH, 0o755)
  for (const p of await appletPaths(recipe.busyboxApplets)) {
    if (p === BUSYBOX_IN_IMAGE) continue
    addParents(p)
    files.set(p, {path: p, type: 'symlink', linkname: BUSYBOX_IN_IMAGE})
  }
  for (const bin of recipe.binaries) {
    if (!bin.startsWith('/')) throw new UsageError(`recipe ${recipe.name}: binary ${JSON.stringify(bin)} must be an absolute host path`, 'bad-recipe')
    addHost(bin, bin)
    for (const lib of await lddClosure(bin)) if (!files.has(lib)) addHost(lib, lib)
  }
  files.set('/etc/passwd', {
    path: '/etc/passwd',
    type: 'file',
    content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    mode: 0o644,
  })
  files.set('/etc/group', {path: '/etc/group', type: 'file', content: 'root:x:0:\nnogroup:x:65534:\n', mode: 0o644})
  for (const f of recipe.files ?? []) {
    if (!f.path.startsWith('/') || f.path.split('/').includes('..'))
      throw new UsageError(`recipe ${recipe.name}: file path ${JSON.stringify(f.path)} must be absolute without '..'`, 'bad-recipe')
    if ((f.content === undefined) === (f.hostPath === undefined))
      throw new UsageError(`recipe ${recipe.name}: file ${f.path}: give exactly one of content or hostPath`, 'bad-recipe')
    if (f.hostPath) addHost(f.path, f.hostPath, f.mode)
    else {
      addParents(f.path)
      files.set(f.path, {path: f.path, type: 'file', content: f.content!, mode: f.mode ?? 0o644})
    }
  }
  for (const [d, mode] of dirs) entries.push({path: d, type: 'dir', mode})
  entries.push(...files.values())
  const fingerprint = sha256(JSON.stringify({format: RECIPE_FORMAT, recipe, prints: prints.sort()}))
  return {entries, fingerprint}
}

export function recipeConfig(recipe: Recipe, diffId: string): OciImageConfig {
  const env = {PATH: DEFAULT_PATH, ...recipe.env}
  return {
    created: EPOCH,
    architecture: ociArch(),
    os: 'linux',
    config: {
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Cmd: recipe.cmd ?? ['/bin/sh'],
      WorkingDir: '/',
      Labels: {'io.isobench.recipe': recipe.name},
    },
    rootfs: {type: 'layers', diff_ids: [diffId]},
    history: [{created: EPOCH, created_by: `isobench recipe ${recipe.name}`}],
  }
}

/** Build the recipe's image into the store (always) and tag it isobench/<name>:latest. */
export async function buildRecipeImage(store: ImageStore, recipe: Recipe, prepared?: {entries: LayerEntry[]; fingerprint: string}): Promise<ImageRef> {
  const {entries, fingerprint} = prepared ?? (await recipeEntries(recipe))
  await store.init()
  const tmp = join(store.tmpDir, `recipe-${process.pid}-${randomBytes(4).toString('hex')}.tar`)
  try {
    await writeLayerTar(entries, tmp)
    const layer = await store.putBlobFile(tmp)
    return await store.putImage(
      recipeConfig(recipe, layer.digest),
      [{mediaType: MEDIA.layerTar, digest: layer.digest, size: layer.size}],
      [recipeImageName(recipe.name)],
      {[RECIPE_ANNOTATION]: fingerprint},
    )
  } finally {
    await rm(tmp, {force: true})
  }
}

/** The recipe's image, built only if missing or if its inputs (recipe data, host files) changed. */
export async function ensureRecipe(store: ImageStore, recipe: Recipe): Promise<ImageRef & {built: boolean}> {
  const prepared = await recipeEntries(recipe)
  const existing = await store.tryResolve(recipeImageName(recipe.name))
  if (existing && store.hasBlob(existing.manifestDigest)) {
    const m = await store.manifest(existing)
    if (m.annotations?.[RECIPE_ANNOTATION] === prepared.fingerprint && m.layers.every((l) => store.hasBlob(l.digest))) return {...existing, built: false}
  }
  return {...(await buildRecipeImage(store, recipe, prepared)), built: true}
}
