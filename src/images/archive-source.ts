/**
 * Reading an image archive as a set of named files, whether it is a directory (OCI layout) or a tar
 * (OCI layout tar, `docker save` / `skopeo copy … docker-archive:` tarball, optionally gzipped).
 * A tar is unpacked member by member into a private temp dir under flat numbered names — member
 * names are never used as host paths, so a hostile archive cannot write anywhere. Every name asked
 * for (e.g. a layer path from manifest.json) is checked: no absolute paths, no `..`, and in a
 * directory source the file must really be inside the directory.
 */
import {closeSync, constants, existsSync, openSync, readFileSync, realpathSync, statSync, writeSync} from 'node:fs'
import {mkdir, rm} from 'node:fs/promises'
import {join, posix} from 'node:path'
import {randomBytes} from 'node:crypto'
import {UsageError} from '../core/errors.js'
import {memberComponents, UnsafeLayerError} from './layer/safe-path.js'
import {openTarStream, tarEntries} from './layer/tar-read.js'

export interface ArchiveSource {
  /** What the user gave (for messages). */
  origin: string
  has(name: string): boolean
  /** Host path of the named member; UsageError if it is missing. */
  file(name: string): string
  readJson<T>(name: string): T
  close(): Promise<void>
}

function clean(origin: string, name: string): string {
  try {
    return memberComponents(name, 'archive member').join('/')
  } catch (error) {
    if (error instanceof UnsafeLayerError) throw new UsageError(`${origin}: ${error.message}`, 'unsafe-archive')
    throw error
  }
}

function readJsonFile<T>(origin: string, name: string, path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (error) {
    throw new UsageError(`${origin}: ${name}: not valid JSON (${(error as Error).message})`, 'bad-archive')
  }
}

export function directorySource(dir: string): ArchiveSource {
  const real = realpathSync(dir)
  const resolve = (name: string): string | null => {
    const p = join(real, clean(dir, name))
    if (!existsSync(p)) return null
    const r = realpathSync(p)
    if (r !== real && !r.startsWith(real + '/')) throw new UsageError(`${dir}: ${name} points outside the directory`, 'unsafe-archive')
    return statSync(r).isFile() ? r : null
  }
  return {
    origin: dir,
    has: (name) => resolve(name) !== null,
    file(name) {
      const p = resolve(name)
      if (!p) throw new UsageError(`${dir}: ${name} is missing`, 'bad-archive')
      return p
    },
    readJson(name) {
      return readJsonFile(dir, name, this.file(name))
    },
    close: async () => {},
  }
}

/** Unpack a tar's regular files (and in-archive symlinks) into a private temp dir. */
export async function tarSource(tarPath: string, tmpRoot: string): Promise<ArchiveSource> {
  const dir = join(tmpRoot, `import-${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(dir, {recursive: true, mode: 0o700})
  const files = new Map<string, string>()
  const links = new Map<string, string>()
  try {
    let n = 0
    for await (const {header, stream} of tarEntries(await openTarStream(tarPath))) {
      if (header.type !== 'file' && header.type !== 'contiguous-file' && header.type !== 'symlink' && header.type !== 'link') continue
      const name = clean(tarPath, header.name)
      if (!name) continue
      if (header.type === 'file' || header.type === 'contiguous-file') {
        const host = join(dir, String(n++))
        const fd = openSync(host, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
        try {
          for await (const chunk of stream) {
            const buf = chunk as Buffer
            for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off)
          }
        } finally {
          closeSync(fd)
        }
        files.set(name, host)
      } else {
        // Links resolve to another member of the archive, never to a host path.
        const target = header.type === 'link' ? (header.linkname ?? '') : posix.join(posix.dirname(name), header.linkname ?? '')
        links.set(name, clean(tarPath, target))
      }
    }
  } catch (error) {
    await rm(dir, {recursive: true, force: true})
    if ((error as Error).message.includes('Invalid tar header') || (error as Error).message.includes('Unexpected end'))
      throw new UsageError(`${tarPath}: not a tar archive (${(error as Error).message})`, 'bad-archive')
    throw error
  }
  const resolve = (name: string): string | null => {
    let n = clean(tarPath, name)
    for (let hops = 0; hops < 16; hops++) {
      const f = files.get(n)
      if (f) return f
      const l = links.get(n)
      if (!l) return null
      n = l
    }
    return null
  }
  const file = (name: string): string => {
    const p = resolve(name)
    if (!p) throw new UsageError(`${tarPath}: member ${name} is missing`, 'bad-archive')
    return p
  }
  const source: ArchiveSource = {
    origin: tarPath,
    has: (name) => resolve(name) !== null,
    file,
    readJson: <T>(name: string) => readJsonFile<T>(tarPath, name, file(name)),
    close: () => rm(dir, {recursive: true, force: true}),
  }
  return source
}

export async function openArchive(path: string, tmpRoot: string): Promise<ArchiveSource> {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`, 'not-found')
  return statSync(path).isDirectory() ? directorySource(path) : tarSource(path, tmpRoot)
}
