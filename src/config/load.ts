/**
 * Loads the config file — bench.config.{ts,mts,mjs,js,json} from the working directory, or any file
 * given with --config, wherever it lives — and validates it. A config that does not load or does not
 * validate is an InputFileError (exit 2) naming the file, the field and the expectation.
 *
 * TypeScript and ES module files are loaded by jiti, a runtime dependency made for loading config
 * files: no Node loader hooks to register and no devDependency (tsx) needed, so a .ts config loads
 * after `npm ci --omit=dev` and from outside the checkout. JSON is parsed as JSON.
 */
import {existsSync} from 'node:fs'
import {extname, resolve} from 'node:path'
import {createJiti} from 'jiti'
import {configSchema, type IsobenchConfig} from '../core/config.js'
import {InputFileError} from '../core/errors.js'
import {readInputBytes} from '../core/read-input.js'
import {describeValue, describeZodIssue, primaryIssue} from './zod-errors.js'

export const CONFIG_FILES = ['bench.config.ts', 'bench.config.mts', 'bench.config.mjs', 'bench.config.js', 'bench.config.json']

const LOADABLE = new Set(['.ts', '.mts', '.cts', '.mjs', '.js', '.cjs', '.json'])

/** The validated config (defaults for whatever the file leaves out), and the file it came from, if any. */
export async function loadConfig(cwd = process.cwd(), file?: string): Promise<{config: IsobenchConfig; file?: string}> {
  const path = file ? resolve(cwd, file) : CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f))
  if (!path) return {config: configSchema.parse({})}
  if (!existsSync(path)) throw new InputFileError(path, '', 'config file not found')
  if (!LOADABLE.has(extname(path)))
    throw new InputFileError(path, '', `expected a .ts, .mts, .mjs, .js or .json config file, got ${extname(path) || 'no extension'}`)
  // A regular file of bounded size, like every input (core/read-input.ts): a FIFO or /dev/zero never reaches the loader.
  const bytes = readInputBytes(path, {what: 'config file'})
  let raw: unknown
  try {
    if (extname(path) === '.json') raw = JSON.parse(bytes.toString('utf8'))
    else {
      // jiti hands a module without a default export an interop `default` made of its named exports: not a config.
      const mod = (await createJiti(import.meta.url, {moduleCache: false}).import(path)) as Record<string, unknown> | undefined
      raw = mod && 'default' in mod ? mod.default : undefined
    }
  } catch (error) {
    throw new InputFileError(path, '', `could not load: ${(error as Error).message.split('\n')[0]}`)
  }
  if (raw === undefined) throw new InputFileError(path, '', 'exports no config; expected `export default defineConfig({...})` (or a JSON object)')
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new InputFileError(path, '', `expected an object (\`export default defineConfig({...})\`), got ${describeValue(raw)}`)
  const parsed = configSchema.safeParse(raw, {reportInput: true})
  if (!parsed.success) {
    const issue = primaryIssue(parsed.error.issues)
    const {field, expected} = describeZodIssue(issue)
    throw new InputFileError(path, field, expected)
  }
  return {config: parsed.data, file: path}
}
