/**
 * Applying one layer (a tar stream) onto a rootfs directory, safely. Every write goes through these
 * rules (documented for users in src/images/README.md):
 *
 *  - member names that are absolute or contain `..` are rejected (UnsafeLayerError);
 *  - parent components that are symlinks are followed *inside* the rootfs only (resolveDirInRoot);
 *  - the final component is never followed: an existing file/link/dir there is removed first and
 *    files are created with O_CREAT|O_EXCL|O_NOFOLLOW;
 *  - hardlink targets must be clean relative names of an existing non-directory inside the rootfs,
 *    else rejected;
 *  - character/block devices and FIFOs are never created (skipped, with a warning);
 *  - setuid/setgid bits are stripped (kept: permission bits and sticky), with a warning;
 *  - xattrs (incl. file capabilities) are not applied;
 *  - OCI whiteouts (image-spec layer.md, "Whiteouts"): `.wh.<name>` deletes <name> as lower layers
 *    made it; `.wh..wh..opq` empties the directory of everything lower layers put there. Whiteouts
 *    apply to LOWER layers only: what this layer adds (entries, and the parent directories its entries
 *    imply even without entries of their own) survives, whatever the order of the tar's entries.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  linkSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  chmodSync,
  chownSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import {dirname, join} from 'node:path'
import type {Readable} from 'node:stream'
import {memberComponents, resolveDirInRoot, UnsafeLayerError} from './safe-path.js'
import {tarEntries} from './tar-read.js'

export const WHITEOUT_PREFIX = '.wh.'
export const OPAQUE_WHITEOUT = '.wh..wh..opq'
const MAX_WARNINGS = 20

export interface ApplyResult {
  entries: number
  warnings: string[]
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p)
  } catch {
    return null
  }
}

/** Remove whatever is at p (file, link, or whole directory tree), never following links. */
function removeAt(p: string): void {
  const st = lstatOrNull(p)
  if (!st) return
  if (st.isDirectory()) rmSync(p, {recursive: true, force: true})
  else unlinkSync(p)
}

/** Remove every child of dir not in keep (recursing into kept directories). */
function pruneExcept(dir: string, keep: Set<string>): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (!keep.has(p)) removeAt(p)
    else if (lstatOrNull(p)?.isDirectory()) pruneExcept(p, keep)
  }
}

/** Hide what lower layers put at p: remove it, but keep (and descend into) what this layer made. */
function whiteOut(p: string, keep: Set<string>): void {
  if (!keep.has(p)) return removeAt(p)
  if (lstatOrNull(p)?.isDirectory()) pruneExcept(p, keep)
}

/** Record host path p and its ancestors up to root as made (or used as a parent) by this layer. */
function markMade(root: string, p: string, made: Set<string>): void {
  for (let q = p; q.length > root.length && !made.has(q); q = dirname(q)) made.add(q)
}

export async function applyLayer(root: string, tarStream: Readable, label = 'layer'): Promise<ApplyResult> {
  const warnings: string[] = []
  let dropped = 0
  const warn = (m: string) => (warnings.length < MAX_WARNINGS ? warnings.push(`${label}: ${m}`) : dropped++)
  /**
   * Host paths this layer wrote, with every ancestor directory (implied parents included): a
   * whiteout never removes these, whether it comes before or after them in the tar.
   */
  const fromThisLayer = new Set<string>()
  let entries = 0

  for await (const {header, stream} of tarEntries(tarStream)) {
    entries++
    const type = header.type ?? 'file'
    if (type === 'pax-global-header' || type === 'pax-header' || type === 'gnu-long-path' || type === 'gnu-long-link-path') continue
    const comps = memberComponents(header.name)
    if (comps.length === 0) continue // the archive root ("./"): the rootfs dir itself is ours
    const base = comps.at(-1)!
    const parentComps = comps.slice(0, -1)

    if (base === OPAQUE_WHITEOUT) {
      const dir = resolveDirInRoot(root, parentComps, true)!
      // Entries after the marker are this layer's own: the lower content is already gone by then.
      pruneExcept(dir, fromThisLayer)
      continue
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const victim = base.slice(WHITEOUT_PREFIX.length)
      if (!victim || victim === '.' || victim === '..') throw new UnsafeLayerError(`${label}: whiteout ${JSON.stringify(header.name)} names no file`)
      const dir = resolveDirInRoot(root, parentComps, false)
      if (dir) whiteOut(join(dir, victim), fromThisLayer)
      continue
    }

    const parent = resolveDirInRoot(root, parentComps, true)!
    markMade(root, parent, fromThisLayer)
    const dst = join(parent, base)
    const uid = header.uid ?? 0
    const gid = header.gid ?? 0
    let mode = (header.mode ?? 0o644) & 0o7777
    if (mode & 0o6000) {
      warn(`${header.name}: setuid/setgid bits stripped`)
      mode &= 0o1777
    }
    const mtime = header.mtime ?? new Date(0)

    switch (type) {
      case 'directory': {
        const st = lstatOrNull(dst)
        if (!st?.isDirectory()) {
          if (st) removeAt(dst)
          mkdirSync(dst, {mode: 0o700})
        }
        chownSync(dst, uid, gid) // dst is a real directory here (checked or just made): no link to follow
        chmodSync(dst, mode)
        break
      }
      case 'file':
      case 'contiguous-file': {
        removeAt(dst)
        const fd = openSync(dst, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
        try {
          for await (const chunk of stream) {
            const buf = chunk as Buffer
            for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off)
          }
          fchownSync(fd, uid, gid)
          fchmodSync(fd, mode)
          futimesSync(fd, mtime, mtime)
        } finally {
          closeSync(fd)
        }
        break
      }
      case 'symlink': {
        const target = header.linkname ?? ''
        if (!target || target.includes('\0')) throw new UnsafeLayerError(`${label}: symlink ${JSON.stringify(header.name)} has an empty or invalid target`)
        removeAt(dst)
        symlinkSync(target, dst) // a link is only data: it is never followed while unpacking
        lchownSync(dst, uid, gid)
        lutimesSync(dst, mtime, mtime)
        break
      }
      case 'link': {
        const tcomps = memberComponents(header.linkname ?? '', `hardlink ${JSON.stringify(header.name)} → target`)
        if (tcomps.length === 0) throw new UnsafeLayerError(`${label}: hardlink ${JSON.stringify(header.name)} has no target`)
        const tdir = resolveDirInRoot(root, tcomps.slice(0, -1), false)
        const target = tdir ? join(tdir, tcomps.at(-1)!) : null
        const tst = target ? lstatOrNull(target) : null
        if (!target || !tst)
          throw new UnsafeLayerError(`${label}: hardlink ${JSON.stringify(header.name)} → ${JSON.stringify(header.linkname)}: target is not in the rootfs`)
        if (tst.isDirectory())
          throw new UnsafeLayerError(`${label}: hardlink ${JSON.stringify(header.name)} → ${JSON.stringify(header.linkname)}: target is a directory`)
        if (target === dst) break
        removeAt(dst)
        linkSync(target, dst) // link(2) does not follow a symlink target: it links the link itself
        break
      }
      case 'character-device':
      case 'block-device':
        warn(`${header.name}: ${type} (${header.devmajor ?? '?'}:${header.devminor ?? '?'}) not created (device nodes are never unpacked)`)
        continue
      case 'fifo':
        warn(`${header.name}: fifo not created`)
        continue
      default:
        warn(`${header.name}: unsupported entry type ${String(type)} skipped`)
        continue
    }
    fromThisLayer.add(dst)
  }
  if (dropped > 0) warnings.push(`${label}: … and ${dropped} more warnings`)
  return {entries, warnings}
}
