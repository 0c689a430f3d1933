/**
 * Headless Chromium for the report tests: Debian's binary (installed by `isobench setup`), driven by
 * playwright-core, one browser per test file, and where screenshots go (test-output/, git-ignored).
 */
import {mkdirSync, rmSync} from 'node:fs'
import {resolve} from 'node:path'
import {chromium, type Browser} from 'playwright-core'
import {afterAll, beforeAll} from 'vitest'
import {tempDir} from './cli.js'

export const CHROMIUM = '/usr/bin/chromium'
export const OUTPUT = resolve(import.meta.dirname, '..', '..', 'test-output')

/**
 * Inside a describe: launch the browser before the file's tests and close it after, with a temp dir
 * (prefix `prefix`) for the reports they write, removed after. `browser()` is valid inside tests.
 */
export function useChromium(prefix: string): {browser: () => Browser; dir: string} {
  let browser: Browser | undefined
  const dir = tempDir(prefix)
  beforeAll(async () => {
    browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox']})
    mkdirSync(OUTPUT, {recursive: true})
  })
  afterAll(async () => {
    await browser?.close()
    rmSync(dir, {recursive: true, force: true})
  })
  return {browser: () => browser!, dir}
}
