/**
 * Image recipes as data (scenarios/workloads/recipes/*.yaml): a small image built from the host's
 * own files — host binaries with their shared-library closure, busybox applets, extra files — that
 * a workload names with `image: {recipe: NAME}`. src/images/recipe.ts builds them.
 */
import {z} from 'zod'
import {parseYamlInput, readInputFile} from '../config/input-file.js'
import type {Recipe} from './profile.js'

export const recipeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a recipe name'),
  /** Host executables copied to the same path in the image, with their ldd closure. */
  binaries: z.array(z.string().startsWith('/', 'an absolute host path')).max(64).default([]),
  busyboxApplets: z.union([z.literal('all'), z.array(z.string().regex(/^[a-z0-9_.[-]+$/))]).default('all'),
  files: z
    .array(
      z.strictObject({
        path: z.string().startsWith('/'),
        content: z.string().optional(),
        hostPath: z.string().startsWith('/').optional(),
        mode: z.number().int().min(0).max(0o7777).optional(),
      }),
    )
    .max(256)
    .optional(),
  env: z.record(z.string(), z.string()).optional(),
  cmd: z.array(z.string()).optional(),
})

export function loadRecipeFile(file: string): Recipe {
  return parseYamlInput(readInputFile(file, 'recipe file'), file, recipeSchema, 'expected a mapping with name, binaries, busyboxApplets, … at the top level')
    .data
}
