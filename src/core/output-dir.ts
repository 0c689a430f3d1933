/**
 * Making the folders a user names for output (`--out`, config outDir, `--state-dir`) without ever
 * hanging, and saying in one line why one cannot be made.
 */
import {mkdirSync, statSync} from 'node:fs'
import {resolve, sep} from 'node:path'
import {UsageError} from './errors.js'

/**
 * mkdir -p that cannot hang: node's recursive mkdirSync loops for ever where the kernel answers
 * ENOENT to every mkdir (under /proc: `--out /proc/x` hung). Each missing component is made with a
 * plain mkdir, in order; the first error is thrown as the kernel gave it (ENOENT, EACCES, EROFS,
 * ENOTDIR when a component is a file).
 */
export function mkdirp(dir: string): void {
  const abs = resolve(dir)
  const parts = abs.split(sep).filter(Boolean)
  let path = ''
  for (const part of parts) {
    path += sep + part
    try {
      mkdirSync(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (!statSync(path).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), {code: 'ENOTDIR', path})
    }
  }
}

/** Why a folder cannot be made, in words (for the one-line errors). */
export function mkdirReason(error: NodeJS.ErrnoException, dir: string): string {
  switch (error.code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return `${error.path && error.path !== dir ? `${error.path} is a file, not a folder` : 'it is a file, not a folder'}`
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EROFS':
      return 'read-only filesystem'
    case 'ENOENT':
      return 'no folder can be made there (a pseudo-filesystem such as /proc, or a missing mount)'
    case 'ENOSPC':
      return 'no space left on the device'
    default:
      return error.code ?? error.message
  }
}

/**
 * Make (or accept) the folder a user named for output (`--out`, config outDir, `--state-dir`):
 * a UsageError (exit 2) naming `what` and the path when it cannot be, never a hang. With
 * `tolerate`, those errno codes pass silently (a state dir this user cannot write has fallbacks).
 */
export function ensureOutputDir(dir: string, what: string, opts: {tolerate?: string[]} = {}): void {
  if (!dir) throw new UsageError(`${what}: expected a folder, got an empty path`, 'bad-output')
  try {
    mkdirp(dir)
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (e.code && opts.tolerate?.includes(e.code)) return
    throw new UsageError(`${what} ${dir}: cannot create the folder: ${mkdirReason(e, resolve(dir))}`, 'bad-output')
  }
}
