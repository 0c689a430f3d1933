/**
 * COPY and ADD: sources → layer entries at the destination, plus a digest of every input (paths,
 * modes, contents, link targets, flags) for the step's cache key. As the Dockerfile reference says:
 *
 *  - Sources come from a SourceTree: the build context (never outside it; paths the ignore file
 *    excludes are invisible), or with `COPY --from` another stage's or image's rootfs. Paths are
 *    resolved in the tree's scope: `/x` and `x` are the same, symlinks in parent components (and a
 *    symlink named as the source itself) are followed inside the tree, never out of it. Inside a
 *    copied directory symlinks stay symlinks.
 *  - Wildcards per component (Go filepath.Match: `*`, `?`, `[…]`, `\x`). A directory source copies
 *    its contents, not itself. Here-documents (`COPY <<EOF /dest`) are files named after the
 *    terminator, mode 0644.
 *  - Destination: relative to WORKDIR; a directory if it ends with `/`, there are several sources, or
 *    it already is a directory in the image; missing parents are created (0755, owned by the --chown
 *    owner). Existing directories keep their owner and mode.
 *  - Files keep their permission bits, owner 0:0 unless --chown; --chmod sets files and dirs. ADD
 *    unpacks local tar archives (plain, gzip, bzip2, xz, zstd) through the same safe unpack as layers.
 *  Destination parents that exist in the parent image (including through its symlinks, resolved
 *  inside the image) are left alone.
 */
import {createHash} from 'node:crypto'
import {closeSync, existsSync, lstatSync, mkdtempSync, openSync, readSync, readdirSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {join, posix} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {applyLayer} from '../layer/apply.js'
import {resolveDirInRoot, UnsafeLayerError} from '../layer/safe-path.js'
import {detectCompression, openTarStream} from '../layer/tar-read.js'
import type {LayerEntry} from '../layer/tar-write.js'
import {NO_IGNORE, type IgnoreRules} from './ignore.js'
import {resolveChown} from './user.js'

export interface SourceTree {
  /** Host directory the sources are found in. */
  root: string
  /** 'context': the build context (`..` out of it is an error); 'image': a stage's or image's rootfs. */
  kind: 'context' | 'image'
  /** Exclusions (build context only). */
  ignore: IgnoreRules
}

export interface CopySpec {
  sources: string[]
  /** Here-document sources: a file `name` with `data`. */
  contents?: Array<{name: string; data: string}>
  dest: string
  chown?: string
  chmod?: string
  /** ADD: unpack local tar archives into dest. */
  extractArchives: boolean
  /** `file:line` in the Containerfile, for messages. */
  where: string
}

type Entry = LayerEntry & {implied?: boolean}

const MAX_HOPS = 40

/** Go's filepath.Match for one path component. */
export function componentMatcher(pattern: string): RegExp {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) {
        re += '\\['
        continue
      }
      let body = pattern.slice(i + 1, end)
      if (body.startsWith('^')) body = '^' + body.slice(1)
      re += `[${body.replace(/\\(.)/g, '\\\\$1')}]`
      i = end
    } else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(re + '$', 's')
}

const hasGlob = (s: string) => /[*?[]/.test(s)

function lstatOrNull(p: string) {
  try {
    return lstatSync(p)
  } catch {
    return null
  }
}

/**
 * Resolve tree-relative components in scope, following every symlink inside the tree. Returns the
 * host path and the in-tree path, or null when it does not exist.
 */
function resolveInTree(tree: SourceTree, comps: string[], followLast: boolean): {host: string; rel: string} | null {
  let rel = [...comps]
  for (let hops = 0; hops <= MAX_HOPS; hops++) {
    let parent: string | null
    try {
      parent = resolveDirInRoot(tree.root, rel.slice(0, -1), false)
    } catch (error) {
      if (error instanceof UnsafeLayerError) return null
      throw error
    }
    if (parent === null) return null
    const base = rel.at(-1)
    const parentRel = parent.slice(tree.root.length).split('/').filter(Boolean)
    if (base === undefined) return {host: tree.root, rel: ''}
    const host = join(parent, base)
    const st = lstatOrNull(host)
    if (!st) return null
    if (!st.isSymbolicLink() || !followLast) return {host, rel: [...parentRel, base].join('/')}
    const target = readlinkSync(host)
    const next = target.startsWith('/') ? [] : [...parentRel]
    for (const c of target.split('/')) {
      if (c === '' || c === '.') continue
      if (c === '..') next.pop()
      else next.push(c)
    }
    rel = next
  }
  throw new UsageError(`${tree.root}: too many levels of symbolic links`, 'symlink-loop')
}

/** Expand one source to in-tree paths (wildcards per component; excluded paths are not there). */
function expandSource(tree: SourceTree, src: string, where: string): Array<{host: string; rel: string}> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src))
    throw new UsageError(`${where}: remote sources (${src}) are not supported; put the file in the build context`, 'unsupported')
  const comps: string[] = []
  for (const c of src.split('/')) {
    if (c === '' || c === '.') continue
    if (c === '..') {
      if (comps.length === 0 && tree.kind === 'context')
        throw new UsageError(`${where}: source ${JSON.stringify(src)} is outside the build context`, 'outside-context')
      comps.pop()
    } else comps.push(c)
  }
  let paths: string[][] = [[]]
  for (const [i, comp] of comps.entries()) {
    const next: string[][] = []
    for (const p of paths) {
      if (!hasGlob(comp)) {
        next.push([...p, comp])
        continue
      }
      const dir = resolveInTree(tree, p, true)
      if (!dir || !lstatOrNull(dir.host)?.isDirectory()) continue
      const re = componentMatcher(comp)
      for (const n of readdirSync(dir.host).sort()) {
        if (!re.test(n)) continue
        const rel = dir.rel ? `${dir.rel}/${n}` : n
        if (tree.kind === 'context' && tree.ignore.excludes(rel) && !(i < comps.length - 1 && tree.ignore.hasExceptions)) continue
        next.push([...dir.rel.split('/').filter(Boolean), n])
      }
    }
    paths = next
  }
  const hits: Array<{host: string; rel: string}> = []
  for (const p of paths) {
    const r = resolveInTree(tree, p, true)
    if (!r) continue
    if (tree.kind === 'context' && r.rel !== '' && tree.ignore.excludes(r.rel) && !(tree.ignore.hasExceptions && lstatOrNull(r.host)?.isDirectory())) continue
    hits.push(r)
  }
  if (hits.length === 0)
    throw new UsageError(
      `${where}: source ${JSON.stringify(src)} not found in ${tree.kind === 'context' ? `the build context ${tree.root}` : 'the source image'}${tree.ignore.file ? ` (or excluded by ${tree.ignore.file})` : ''}`,
      'missing-source',
    )
  return hits
}

function hashFile(path: string, h: ReturnType<typeof createHash>): void {
  const buf = Buffer.alloc(1 << 20)
  const fd = openSync(path, 'r')
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n))
  } finally {
    closeSync(fd)
  }
}

async function isTarArchive(path: string): Promise<boolean> {
  const compression = await detectCompression(path)
  if (compression !== 'none') return true
  const buf = Buffer.alloc(8)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, 8, 257)
  } finally {
    closeSync(fd)
  }
  return buf.toString('latin1').startsWith('ustar')
}

/** Where `imagePath` really is inside the parent rootfs (symlinks resolved in scope), as components; plus how much of it exists. */
export function resolveInImage(rootfs: string | null, imagePath: string): {comps: string[]; existingDepth: number; isDir: boolean} {
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
    const st = lstatOrNull(p)
    if (!st) {
      exists = false
      stack.push(c)
      continue
    }
    if (st.isSymbolicLink() && hops++ < MAX_HOPS) {
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
export async function copyEntries(
  tree: SourceTree,
  spec: CopySpec,
  parentRootfs: string | null,
  workingDir: string,
  tmpRoot: string,
): Promise<{entries: LayerEntry[]; inputsDigest: string; cleanup: () => void}> {
  const h = createHash('sha256')
  h.update(JSON.stringify({chown: spec.chown, chmod: spec.chmod, dest: spec.dest, extract: spec.extractArchives, kind: tree.kind}))
  const owner = spec.chown ? resolveChown(parentRootfs ?? '/nonexistent', spec.chown) : {uid: 0, gid: 0}
  if (spec.chmod && !/^[0-7]{3,4}$/.test(spec.chmod)) throw new UsageError(`${spec.where}: --chmod=${spec.chmod}: expected an octal mode like 755`, 'bad-flag')
  const chmod = spec.chmod ? Number.parseInt(spec.chmod, 8) : undefined
  const sources = spec.sources.flatMap((s) => expandSource(tree, s, spec.where))
  const contents = spec.contents ?? []
  const count = sources.length + contents.length
  const destAbs = posix.resolve(workingDir || '/', spec.dest)
  const destIsDir = spec.dest.endsWith('/') || count > 1 || resolveInImage(parentRootfs, destAbs).isDir
  if (spec.sources.length + contents.length > 1 && !spec.dest.endsWith('/'))
    throw new UsageError(`${spec.where}: with several sources the destination must end with /`, 'bad-copy')
  const entries: Entry[] = []
  const tmpDirs: string[] = []
  const excluded = (rel: string) => tree.kind === 'context' && tree.ignore.excludes(rel)
  /** Add hostPath (in-tree path rel) at imagePath; directories recurse. Returns whether anything was added. */
  const add = (hostPath: string, rel: string, imagePath: string, top: boolean): boolean => {
    const st = lstatSync(hostPath)
    if (st.isSymbolicLink()) {
      const t = readlinkSync(hostPath)
      h.update(`l ${imagePath} ${t}\n`)
      entries.push({path: imagePath, type: 'symlink', linkname: t, ...owner})
      return true
    }
    if (st.isDirectory()) {
      const at = entries.length
      let any = false
      for (const n of readdirSync(hostPath).sort()) {
        const childRel = rel ? `${rel}/${n}` : n
        if (excluded(childRel) && !(tree.ignore.hasExceptions && lstatOrNull(join(hostPath, n))?.isDirectory())) continue
        if (add(join(hostPath, n), childRel, `${imagePath}/${n}`, false)) any = true
      }
      // An excluded directory appears only for the included files under it (a `!` exception).
      if (top || !excluded(rel) || any) {
        h.update(`d ${imagePath} ${st.mode & 0o7777}\n`)
        if (!top) entries.splice(at, 0, {path: imagePath, type: 'dir', mode: chmod ?? st.mode & 0o7777, ...owner})
        return true
      }
      return false
    }
    if (st.isFile()) {
      h.update(`f ${imagePath} ${st.mode & 0o7777} ${st.size} `)
      hashFile(hostPath, h)
      h.update('\n')
      entries.push({path: imagePath, type: 'file', hostPath, size: st.size, mode: chmod ?? st.mode & 0o7777, ...owner})
      return true
    }
    return false
  }
  try {
    for (const src of sources) {
      const st = lstatSync(src.host)
      if (spec.extractArchives && tree.kind === 'context' && st.isFile() && (await isTarArchive(src.host))) {
        const tmp = mkdtempSync(join(tmpRoot, `add-${process.pid}-`))
        tmpDirs.push(tmp)
        h.update(`a ${src.rel} `)
        hashFile(src.host, h)
        h.update('\n')
        await applyLayer(tmp, await openTarStream(src.host), `${spec.where}: ADD ${src.rel}`)
        entries.push({path: destAbs, type: 'dir', mode: 0o755, ...owner, implied: true})
        const walk = (dir: string, imageDir: string) => {
          for (const n of readdirSync(dir).sort()) {
            const p = join(dir, n)
            const r = `${imageDir}/${n}`
            const s = lstatSync(p)
            const who = spec.chown ? owner : {uid: s.uid, gid: s.gid}
            if (s.isDirectory()) {
              entries.push({path: r, type: 'dir', mode: s.mode & 0o7777, ...who})
              walk(p, r)
            } else if (s.isSymbolicLink()) entries.push({path: r, type: 'symlink', linkname: readlinkSync(p), ...who})
            else if (s.isFile()) entries.push({path: r, type: 'file', hostPath: p, size: s.size, mode: s.mode & 0o7777, ...who})
          }
        }
        walk(tmp, destAbs)
        continue
      }
      if (st.isDirectory()) {
        entries.push({path: destAbs, type: 'dir', mode: 0o755, ...owner, implied: true})
        add(src.host, src.rel, destAbs, true)
      } else add(src.host, src.rel, destIsDir ? posix.join(destAbs, posix.basename(src.rel)) : destAbs, true)
    }
    if (contents.length > 0) {
      const tmp = mkdtempSync(join(tmpRoot, `heredoc-${process.pid}-`))
      tmpDirs.push(tmp)
      for (const [i, c] of contents.entries()) {
        const file = join(tmp, String(i))
        writeFileSync(file, c.data, {mode: 0o644})
        h.update(`h ${c.name} ${c.data.length}\n${c.data}\n`)
        const st = lstatSync(file)
        entries.push({path: destIsDir ? posix.join(destAbs, c.name) : destAbs, type: 'file', hostPath: file, size: st.size, mode: chmod ?? 0o644, ...owner})
      }
    }
    return {entries: reroot(entries, parentRootfs, owner), inputsDigest: 'sha256:' + h.digest('hex'), cleanup: () => removeAll(tmpDirs)}
  } catch (error) {
    removeAll(tmpDirs)
    throw error
  }
}

/** Re-root entries onto their real location in the parent image, adding only missing parents. */
function reroot(entries: Entry[], parentRootfs: string | null, owner: {uid: number; gid: number}): LayerEntry[] {
  const out: LayerEntry[] = []
  const index = new Map<string, number>()
  const push = (e: LayerEntry) => {
    const i = index.get(e.path)
    if (i === undefined) {
      index.set(e.path, out.length)
      out.push(e)
    } else if (e.type !== 'dir' || out[i]!.type !== 'dir') out[i] = e
  }
  for (const e of entries) {
    const {comps, existingDepth} = resolveInImage(parentRootfs, posix.dirname(e.path))
    for (let i = existingDepth + 1; i <= comps.length; i++) {
      const d = comps.slice(0, i).join('/')
      if (!index.has(d)) push({path: d, type: 'dir', mode: 0o755, ...owner})
    }
    const path = [...comps, posix.basename(e.path)].filter(Boolean).join('/')
    if (!path) continue
    if (e.implied) {
      const existing = parentRootfs ? lstatOrNull(join(parentRootfs, path)) : null
      if (existing?.isDirectory()) {
        // An existing destination directory keeps its owner and mode.
        push({path, type: 'dir', mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid})
        continue
      }
      if (!index.has(path) && e.type === 'dir') push({path, type: 'dir', mode: e.mode, uid: e.uid, gid: e.gid})
      continue
    }
    const entry = {...e, path}
    delete entry.implied
    push(entry)
  }
  return out
}

function removeAll(dirs: string[]): void {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
}
