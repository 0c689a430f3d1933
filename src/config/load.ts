/**
 * Loads the config file — bench.config.{ts,mts,mjs,js,json} from the working directory, or any file
 * given with --config, wherever it lives — and validates it. A config that does not load or does not
 * validate is an InputFileError (exit 2) naming the file, the field and the expectation.
 *
 * TypeScript and ES module files are loaded by jiti, a runtime dependency made for loading config
 * files: no Node loader hooks to register and no devDependency (tsx) needed, so a .ts config loads
 * after `npm ci --omit=dev` and from outside the checkout. JSON is parsed as JSON.
 */
import {existsSync, readFileSync} from 'node:fs'
import {extname, resolve} from 'node:path'
import {createJiti} from 'jiti'
import {configSchema, type IsobenchConfig} from '../core/config.js'
import {InputFileError} from '../core/errors.js'
import {describeZodIssue} from './zod-errors.js'

export const CONFIG_FILES = ['bench.config.ts', 'bench.config.mts', 'bench.config.mjs', 'bench.config.js', 'bench.config.json']

const LOADABLE = new Set(['.ts', '.mts', '.cts', '.mjs', '.js', '.cjs', '.json'])

/** The validated config (defaults for whatever the file leaves out), and the file it came from, if any. */
export async function loadConfig(cwd = process.cwd(), file?: string): Promise<{config: IsobenchConfig; file?: string}> {
  const path = file ? resolve(cwd, file) : CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f))
  if (!path) return {config: configSchema.parse({})}
  if (!existsSync(path)) throw new InputFileError(path, '', 'config file not found')
  if (!LOADABLE.has(extname(path)))
    throw new InputFileError(path, '', `expected a .ts, .mts, .mjs, .js or .json config file, got ${extname(path) || 'no extension'}`)
  let raw: unknown
  try {
    raw =
      extname(path) === '.json' ? JSON.parse(readFileSync(path, 'utf8')) : await createJiti(import.meta.url, {moduleCache: false}).import(path, {default: true})
  } catch (error) {
    throw new InputFileError(path, '', `could not load: ${(error as Error).message.split('\n')[0]}`)
  }
  const parsed = configSchema.safeParse(raw, {reportInput: true})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const {field, expected} = describeZodIssue(issue)
    throw new InputFileError(path, field, expected)
  }
  return {config: parsed.data, file: path}
}
