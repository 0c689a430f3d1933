/**
 * Writing a file so that readers never see half of it: the data goes to a temp file beside the target
 * (same directory, so the same filesystem) and is renamed over it; rename(2) replaces the target
 * atomically. A crash leaves at most the temp file, named `<file>.tmp-<pid>-<hex>`.
 */
import {randomBytes} from 'node:crypto'
import {mkdirSync, renameSync, writeFileSync} from 'node:fs'
import {mkdir, rename, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`
}

/** Write `data` to `file` atomically (temp file + rename), creating its directory. Safe in a signal handler. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), {recursive: true})
  const tmp = tempName(file)
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

/** writeFileAtomic without blocking the event loop. */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), {recursive: true})
  const tmp = tempName(file)
  await writeFile(tmp, data)
  await rename(tmp, file)
}
