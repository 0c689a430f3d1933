/**
 * COPY and ADD: sources from the build context (never outside it) → layer entries at the
 * destination, plus a digest of every input (paths, modes, contents, link targets, owner flags) for
 * the step's cache key. ADD also unpacks local tar archives (through the same safe unpack as layers).
 * Destination parents that exist in the parent image (including through its symlinks, resolved
 * inside the image) are left alone; missing ones become directories.
 */
import {createHash} from 'node:crypto'
import {closeSync, existsSync, lstatSync, mkdtempSync, openSync, readSync, readdirSync, readlinkSync, realpathSync, rmSync} from 'node:fs'
import {join, posix, relative} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {applyLayer} from '../layer/apply.js'
import {detectCompression, openTarStream} from '../layer/tar-read.js'
import type {LayerEntry} from '../layer/tar-write.js'
import {resolveUser} from './user.js'

export interface CopySpec {
  sources: string[]
  dest: string
  chown?: string
  chmod?: string
  /** ADD: unpack local tar archives into dest. */
  extractArchives: boolean
  /** Line in the Containerfile, for messages. */
  where: string
}

function globToRe(pattern: string): RegExp {
  return new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$')
}

/** Expand one source (relative to the context, `*`/`?` per component) to context-relative paths. */
function expandSource(context: string, src: string, where: string): string[] {
  if (/^[a-z]+:\/\//i.test(src)) throw new UsageError(`${where}: remote sources (${src}) are not supported; put the file in the build context`, 'unsupported')
  const norm = posix.normalize(src.replace(/^\/+/, ''))
  if (norm === '..' || norm.startsWith('../')) throw new UsageError(`${where}: source ${JSON.stringify(src)} is outside the build context`, 'outside-context')
  let paths = ['']
  for (const comp of norm.split('/').filter((c) => c && c !== '.')) {
    const next: string[] = []
    for (const p of paths) {
      if (/[*?]/.test(comp)) {
        const dir = join(context, p)
        if (!existsSync(dir) || !lstatSync(dir).isDirectory()) continue
        for (const n of readdirSync(dir).sort()) if (globToRe(comp).test(n)) next.push(p ? `${p}/${n}` : n)
      } else next.push(p ? `${p}/${comp}` : comp)
    }
    paths = next
  }
  const real = realpathSync(context)
  const hits = paths.filter((p) => {
    const abs = join(context, p)
    if (!existsSync(abs) && !isLink(abs)) return false
    // Parents must not lead out of the context through symlinks (the last component may be a link: copied as a link).
    const parentReal = realpathSync(join(abs, '..'))
    if (parentReal !== real && !parentReal.startsWith(real + '/')) throw new UsageError(`${where}: source ${JSON.stringify(src)} leads outside the build context through a symlink`, 'outside-context')
    return true
  })
  if (hits.length === 0) throw new UsageError(`${where}: source ${JSON.stringify(src)} not found in the build context ${context}`, 'missing-source')
  return hits
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}

function hashFile(path: string, h: ReturnType<typeof createHash>): void {
  const buf = Buffer.alloc(1 << 20)
  const fd = openSync(path, 'r')
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n))
  } finally {
    closeSync(fd)
  }
}

async function isTarArchive(path: string): Promise<boolean> {
  if ((await detectCompression(path)) !== 'none') return true
  const buf = Buffer.alloc(8)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, 8, 257)
  } finally {
    closeSync(fd)
  }
  return buf.toString('latin1').startsWith('ustar')
}

/** Where `imagePath` really is inside the parent rootfs (symlinks resolved in scope), as components; plus whether it exists as a dir. */
function resolveInImage(rootfs: string | null, imagePath: string): {comps: string[]; existingDepth: number; isDir: boolean} {
  const queue = imagePath.split('/').filter((c) => c && c !== '.')
  const stack: string[] = []
  let existingDepth = 0
  let exists = true
  let hops = 0
  while (queue.length) {
    const c = queue.shift()!
    if (c === '..') {
      stack.pop()
      continue
    }
    if (!exists || !rootfs) {
      exists = false
      stack.push(c)
      continue
    }
    const p = join(rootfs, ...stack, c)
    let st
    try {
      st = lstatSync(p)
    } catch {
      exists = false
      stack.push(c)
      continue
    }
    if (st.isSymbolicLink() && hops++ < 40) {
      const t = readlinkSync(p)
      if (t.startsWith('/')) stack.length = 0
      queue.unshift(...t.split('/').filter(Boolean))
      continue
    }
    stack.push(c)
    existingDepth = stack.length
    if (!st.isDirectory()) exists = false
  }
  const full = rootfs ? join(rootfs, ...stack) : ''
  const isDir = Boolean(rootfs) && existingDepth === stack.length && existsSync(full) && lstatSync(full).isDirectory()
  return {comps: stack, existingDepth, isDir}
}

/** Build the entries and the inputs digest of a COPY/ADD step. `parentRootfs` null = empty image. */
export async function copyEntries(context: string, spec: CopySpec, parentRootfs: string | null, workingDir: string, tmpRoot: string): Promise<{entries: LayerEntry[]; inputsDigest: string; cleanup: () => void}> {
  const h = createHash('sha256')
  h.update(JSON.stringify({chown: spec.chown, chmod: spec.chmod, dest: spec.dest, extract: spec.extractArchives}))
  const owner = spec.chown ? resolveUser(parentRootfs ?? '/nonexistent', spec.chown) : {uid: 0, gid: 0}
  const chmod = spec.chmod ? Number.parseInt(spec.chmod, 8) : undefined
  if (spec.chmod && (!/^[0-7]{3,4}$/.test(spec.chmod) || Number.isNaN(chmod))) throw new UsageError(`${spec.where}: --chmod=${spec.chmod}: expected an octal mode like 755`, 'bad-flag')
  const sources = spec.sources.flatMap((s) => expandSource(context, s, spec.where))
  const destAbs = posix.resolve(workingDir || '/', spec.dest)
  const destIsDir = spec.dest.endsWith('/') || sources.length > 1 || resolveInImage(parentRootfs, destAbs).isDir
  if (spec.sources.length > 1 && !spec.dest.endsWith('/')) throw new UsageError(`${spec.where}: with several sources the destination must end with /`, 'bad-copy')
  const entries: LayerEntry[] = []
  const tmpDirs: string[] = []
  const add = (hostPath: string, imagePath: string, top: boolean) => {
    const st = lstatSync(hostPath)
    const rel = imagePath
    if (st.isSymbolicLink()) {
      const t = readlinkSync(hostPath)
      h.update(`l ${rel} ${t}\n`)
      entries.push({path: rel, type: 'symlink', linkname: t, ...owner})
    } else if (st.isDirectory()) {
      h.update(`d ${rel} ${st.mode & 0o7777}\n`)
      if (!top) entries.push({path: rel, type: 'dir', mode: chmod ?? st.mode & 0o7777, ...owner})
      for (const n of readdirSync(hostPath).sort()) add(join(hostPath, n), `${rel}/${n}`, false)
    } else if (st.isFile()) {
      h.update(`f ${rel} ${st.mode & 0o7777} ${st.size} `)
      hashFile(hostPath, h)
      h.update('\n')
      entries.push({path: rel, type: 'file', hostPath, size: st.size, mode: chmod ?? st.mode & 0o7777, ...owner})
    }
  }
  try {
    for (const src of sources) {
      const abs = join(context, src)
      const st = lstatSync(abs)
      if (spec.extractArchives && st.isFile() && (await isTarArchive(abs))) {
        const tmp = mkdtempSync(join(tmpRoot, `add-${process.pid}-`))
        tmpDirs.push(tmp)
        h.update(`a ${src} `)
        hashFile(abs, h)
        h.update('\n')
        await applyLayer(tmp, await openTarStream(abs), `${spec.where}: ADD ${src}`)
        const walk = (dir: string) => {
          for (const n of readdirSync(dir).sort()) {
            const p = join(dir, n)
            const r = `${destAbs}/${relative(tmp, p)}`
            const s = lstatSync(p)
            if (s.isDirectory()) {
              entries.push({path: r, type: 'dir', mode: s.mode & 0o7777, uid: s.uid, gid: s.gid})
              walk(p)
            } else if (s.isSymbolicLink()) entries.push({path: r, type: 'symlink', linkname: readlinkSync(p), uid: s.uid, gid: s.gid})
            else if (s.isFile()) entries.push({path: r, type: 'file', hostPath: p, size: s.size, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid})
          }
        }
        walk(tmp)
        continue
      }
      const target = st.isDirectory() ? destAbs : destIsDir ? posix.join(destAbs, posix.basename(src)) : destAbs
      if (st.isDirectory()) entries.push({path: destAbs, type: 'dir', mode: 0o755, ...owner})
      add(abs, target, st.isDirectory())
    }
    // Re-root every entry onto the real location in the parent image, adding only missing parents.
    const out: LayerEntry[] = []
    const madeDirs = new Set<string>()
    for (const e of entries) {
      const {comps, existingDepth} = resolveInImage(parentRootfs, posix.dirname(e.path))
      for (let i = Math.max(existingDepth, 0) + 1; i <= comps.length; i++) {
        const d = comps.slice(0, i).join('/')
        if (!madeDirs.has(d)) {
          madeDirs.add(d)
          out.push({path: d, type: 'dir', mode: 0o755})
        }
      }
      const path = [...comps, posix.basename(e.path)].join('/')
      if (e.type === 'dir' && madeDirs.has(path)) {
        const i = out.findIndex((x) => x.path === path)
        out[i] = {...e, path}
        continue
      }
      if (e.type === 'dir') madeDirs.add(path)
      out.push({...e, path})
    }
    // ADD's temp dirs stay until the caller has written the layer (file entries point into them).
    return {entries: out, inputsDigest: 'sha256:' + h.digest('hex'), cleanup: () => removeAll(tmpDirs)}
  } catch (error) {
    removeAll(tmpDirs)
    throw error
  }
}

function removeAll(dirs: string[]): void {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
}
