/**
 * The workload sources, in one table: the built-in catalog (scenarios/workloads/*.yaml and the image
 * recipes in scenarios/workloads/recipes/*.yaml, loaded like any workload file), plugin workloads
 * (the `isobench:workloads` hook, src/workloads/hook.ts) and the files and inline documents a
 * scenario names (src/scenario/workloads.ts). Loaded on first use and cached.
 */
import {existsSync, readdirSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {UsageError} from '../core/errors.js'
import {loadWorkloadFile} from './load.js'
import type {Recipe, WorkloadProfile} from './profile.js'
import {loadRecipeFile} from './recipes.js'

/** The package root: two levels above this module in src/workloads and in dist/workloads alike. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Where the built-in catalog lives: one workload file per workload. */
export const CATALOG_DIR = join(PACKAGE_ROOT, 'scenarios', 'workloads')
export const RECIPES_DIR = join(CATALOG_DIR, 'recipes')

/** Where a workload may come from, in listing order: `isobench workloads` groups by these. */
export const WORKLOAD_SOURCES = [
  {kind: 'built-in', description: `the catalog in scenarios/workloads/*.yaml`},
  {kind: 'plugin', description: 'npm plugins, through the isobench:workloads hook'},
  {kind: 'file', description: 'workload files a scenario or the command line names'},
  {kind: 'inline', description: 'workload documents inline in a scenario'},
  {kind: 'command line', description: 'isobench run --image REF -- CMD'},
] as const

function yamlFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, f))
    : []
}

let builtins: Map<string, WorkloadProfile> | null = null
let recipes: Recipe[] | null = null

/** The built-in workloads by name (read from CATALOG_DIR once; a bad file there is an InputFileError). */
export function catalog(): ReadonlyMap<string, WorkloadProfile> {
  if (!builtins) {
    const map = new Map<string, WorkloadProfile>()
    for (const file of yamlFiles(CATALOG_DIR)) {
      const p = loadWorkloadFile(file, 'built-in', `scenarios/workloads/${file.slice(CATALOG_DIR.length + 1)}`)
      if (map.has(p.name)) throw new UsageError(`${file}: workload ${p.name} is already defined in ${map.get(p.name)!.origin?.label}`, 'duplicate-workload')
      map.set(p.name, p)
    }
    builtins = map
  }
  return builtins
}

/** The image recipes the built-in workloads run from (src/images/recipe.ts builds them by name). */
export function workloadRecipes(): readonly Recipe[] {
  recipes ??= yamlFiles(RECIPES_DIR).map(loadRecipeFile)
  return recipes
}

/** The workload a metric runs when neither the scenario nor the metric names one: busybox doing nothing. */
export const DEFAULT_WORKLOAD = 'idle'

export function workloadNames(): string[] {
  return [...catalog().keys()]
}

/** The profile for a user-given built-in name, or a UsageError listing the valid names. */
export function resolveWorkloadName(name: string): string {
  if (!catalog().has(name)) throw new UsageError(`unknown workload "${name}"; expected one of ${workloadNames().join(', ')}`)
  return name
}
