/** Runs the built CLI (bin/run.js) as a user would, capturing output and the exit code. */
import {execa} from 'execa'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export function isobench(args: string[], opts: {env?: Record<string, string>; cwd?: string} = {}) {
  return execa('node', [BIN, ...args], {cwd: opts.cwd ?? ROOT, reject: false, all: true, env: {CI: 'true', ...opts.env}})
}

export function tempDir(prefix = 'isobench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}
