/**
 * Loads bench.config.ts (or .js/.mjs) from the working directory and validates it.
 * A config that does not validate is a UsageError naming the file, the field and the expectation.
 */
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {InputFileError} from '../core/errors.js'
import {configSchema, type IsobenchConfig} from '../core/config.js'
import {describeZodIssue} from './zod-errors.js'

export const CONFIG_FILES = ['bench.config.ts', 'bench.config.mjs', 'bench.config.js']

export async function loadConfig(cwd = process.cwd(), file?: string): Promise<{config: IsobenchConfig; file?: string}> {
  const path = file ? resolve(cwd, file) : CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f))
  if (!path) return {config: configSchema.parse({})}
  if (!existsSync(path)) throw new InputFileError(path, '', 'config file not found')
  let raw: unknown
  try {
    const mod = path.endsWith('.ts')
      ? await (await import('tsx/esm/api')).tsImport(pathToFileURL(path).href, import.meta.url)
      : await import(pathToFileURL(path).href)
    raw = (mod as {default?: unknown}).default ?? mod
    // tsx may wrap the default export once more.
    if (raw && typeof raw === 'object' && 'default' in raw && Object.keys(raw).length === 1) raw = (raw as {default: unknown}).default
  } catch (error) {
    throw new InputFileError(path, '', `could not load: ${(error as Error).message.split('\n')[0]}`)
  }
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const {field, expected} = describeZodIssue(issue)
    throw new InputFileError(path, field, expected)
  }
  return {config: parsed.data, file: path}
}
