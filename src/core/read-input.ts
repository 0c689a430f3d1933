/**
 * The one way isobench reads a file a user names (scenario, config, paper, results, Containerfile,
 * ignore file, seccomp profile): a regular file of at most a few MiB, read in one bounded read. A
 * device (/dev/zero), a FIFO (which would block the open for ever), a folder, a socket, a file
 * over the cap or a binary file is refused with an InputFileError naming the file: exit 2, one line.
 * The file is opened without following the path twice (O_NONBLOCK, then fstat on the open fd), so
 * what is checked is what is read.
 */
import {closeSync, constants, fstatSync, openSync, readSync, type Stats} from 'node:fs'
import {InputFileError} from './errors.js'

/** Default cap: 4 MiB. The largest input we ship (a results.json of a long run) is ≈ 1 MiB. */
export const INPUT_FILE_MAX_BYTES = 4 * 1024 * 1024

export interface ReadInputOptions {
  /** What the file is, for messages: 'scenario file', 'results file', 'config file', … */
  what: string
  maxBytes?: number
  /** Refuse NUL bytes (binary files); default true. */
  text?: boolean
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isFIFO()) return 'a named pipe (FIFO)'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MiB`
}

/** The file's bytes, checked as above. */
export function readInputBytes(file: string, opts: ReadInputOptions): Buffer {
  const max = opts.maxBytes ?? INPUT_FILE_MAX_BYTES
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? `${opts.what} not found`
        : code === 'EACCES' || code === 'EPERM'
          ? `${opts.what} is not readable (permission denied)`
          : code === 'ENOTDIR'
            ? `${opts.what} not found (a part of the path is not a folder)`
            : code === 'ELOOP'
              ? `${opts.what} is a symbolic link loop`
              : code === 'EISDIR'
                ? `expected a ${opts.what}, got a folder`
                : `cannot open ${opts.what}: ${code ?? (error as Error).message}`
    throw new InputFileError(file, '', why)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new InputFileError(file, '', `expected a ${opts.what} (a regular file), got ${kindOf(st)}`)
    if (st.size > max) throw new InputFileError(file, '', `${opts.what} is ${mib(st.size)}; at most ${mib(max)} is read (too large)`)
    const buf = Buffer.alloc(Math.min(st.size, max) + 1)
    let n = 0
    for (;;) {
      let got: number
      try {
        got = readSync(fd, buf, n, buf.length - n, null)
      } catch (error) {
        throw new InputFileError(file, '', `cannot read ${opts.what}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
      }
      if (got === 0) break
      n += got
      if (n > max) throw new InputFileError(file, '', `${opts.what} grew past ${mib(max)} while being read (too large)`)
      if (n === buf.length) break
    }
    const bytes = buf.subarray(0, n)
    if ((opts.text ?? true) && bytes.includes(0)) throw new InputFileError(file, '', `expected a ${opts.what} (text), got binary data`)
    return bytes
  } finally {
    closeSync(fd)
  }
}

/** The file's text (UTF-8, a leading BOM dropped), checked as above. */
export function readInputText(file: string, opts: ReadInputOptions): string {
  return readInputBytes(file, opts)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
}
