/**
 * Reading tar archives and layer blobs: detects the compression by its magic bytes (gzip via zlib;
 * zstd, bzip2 and xz through their binaries; plain tar) — the formats Docker's ADD and layer
 * handling recognise (moby pkg/archive DetectCompression) — and yields tar entries one at a time
 * (tar-stream parses ustar, pax and GNU long names). Nothing here writes to disk: callers decide
 * every write.
 */
import {createReadStream} from 'node:fs'
import {open} from 'node:fs/promises'
import {PassThrough, type Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {execa} from 'execa'
import tar from 'tar-stream'

export type Compression = 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'none'

export async function detectCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(6)
    const {bytesRead} = await fh.read(buf, 0, 6, 0)
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip'
    if (bytesRead >= 4 && buf.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
    if (bytesRead >= 3 && buf.toString('latin1', 0, 3) === 'BZh') return 'bzip2'
    if (bytesRead === 6 && buf.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz'
    return 'none'
  } finally {
    await fh.close()
  }
}

/** A readable of the decompressed tar stream of `path`. */
export async function openTarStream(path: string): Promise<Readable> {
  const compression = await detectCompression(path)
  if (compression === 'gzip') return createReadStream(path).pipe(createGunzip())
  if (compression !== 'none') {
    const child = execa(compression, ['-dc', '--', path], {stdout: 'pipe', stderr: 'pipe', buffer: {stdout: false, stderr: true}, stripFinalNewline: true})
    const out = new PassThrough()
    child.stdout!.pipe(out)
    child.then(
      () => undefined,
      (error: Error & {stderr?: string}) => out.destroy(new Error(`${compression} could not decompress ${path}: ${error.stderr || error.message}`)),
    )
    return out
  }
  return createReadStream(path)
}

export interface TarEntry {
  header: tar.Headers & {pax?: Record<string, string>}
  /** The entry's content (regular files); must be consumed or drained before the next entry. */
  stream: Readable
}

/** Iterate the entries of a tar stream; the caller must consume or `resume()` each entry's stream. */
export async function* tarEntries(source: Readable): AsyncGenerator<TarEntry> {
  const extract = tar.extract()
  source.on('error', (e) => extract.destroy(e))
  source.pipe(extract)
  for await (const entry of extract) {
    yield {header: entry.header as TarEntry['header'], stream: entry}
    entry.resume()
  }
}
