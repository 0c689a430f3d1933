/**
 * Writing a file so that readers never see half of it: the data goes to a temp file beside the target
 * (same directory, so the same filesystem) and is renamed over it; rename(2) replaces the target
 * atomically. A crash leaves at most the temp file, named `<file>.tmp-<pid>-<hex>`.
 */
import {randomBytes} from 'node:crypto'
import {renameSync, rmSync, writeFileSync} from 'node:fs'
import {rename, writeFile} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {UsageError} from '../core/errors.js'
import {ensureOutputDir, mkdirp, mkdirReason} from '../core/output-dir.js'

/** Write a file a user named for output (`report --out`, `export --out`): its folder made as ensureOutputDir does, errors as one line. */
export function writeOutputFile(file: string, data: string | Uint8Array, what: string): void {
  ensureOutputDir(dirname(resolve(file)), what)
  try {
    writeFileAtomic(file, data)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    const why = e.code === 'EISDIR' ? 'it is a folder' : mkdirReason(e, resolve(file))
    throw new UsageError(`${what} ${file}: cannot write: ${why}`, 'bad-output')
  }
}

function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`
}

/**
 * Write `data` to `file` atomically (temp file + rename), creating its directory unless `mkdir` is
 * false (then a missing directory is ENOENT, and the temp file is removed when the rename fails).
 * Safe in a signal handler.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: {mkdir?: boolean} = {}): void {
  if (opts.mkdir !== false) mkdirp(dirname(file))
  const tmp = tempName(file)
  writeFileSync(tmp, data)
  try {
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, {force: true})
    throw error
  }
}

/** writeFileAtomic without blocking the event loop. */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  mkdirp(dirname(file))
  const tmp = tempName(file)
  await writeFile(tmp, data)
  await rename(tmp, file)
}

export {ensureOutputDir, mkdirp}
