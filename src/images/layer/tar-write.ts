/**
 * Writing deterministic layer tars: entries sorted by path, parents before children, fixed mtime
 * (0 unless given), numeric owners only (no user/group names). Same entries → same bytes → same
 * digest. Content comes from memory or streams from a host file.
 */
import {createReadStream, createWriteStream} from 'node:fs'
import {pipeline} from 'node:stream/promises'
import tar from 'tar-stream'

export type LayerEntry =
  | {path: string; type: 'dir'; mode?: number; uid?: number; gid?: number}
  | {path: string; type: 'file'; mode?: number; uid?: number; gid?: number; content: Buffer | string}
  | {path: string; type: 'file'; mode?: number; uid?: number; gid?: number; hostPath: string; size: number}
  | {path: string; type: 'symlink' | 'link'; linkname: string; uid?: number; gid?: number}
  /** An OCI whiteout marker (empty file named .wh.<name> or .wh..wh..opq). */
  | {path: string; type: 'whiteout'}

/** Strip slashes and `./`: layer member names are relative ("usr/bin/x"). */
export function memberName(path: string): string {
  return path.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '')
}

const ORDER = (a: LayerEntry, b: LayerEntry) => {
  const x = memberName(a.path)
  const y = memberName(b.path)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Write entries as a tar file; returns nothing — hash the file to get its digest. */
export async function writeLayerTar(entries: LayerEntry[], outPath: string, mtime = new Date(0)): Promise<void> {
  const pack = tar.pack()
  const out = pipeline(pack, createWriteStream(outPath, {mode: 0o644}))
  const sorted = [...entries].sort(ORDER)
  const seen = new Set<string>()
  for (const e of sorted) {
    const name = memberName(e.path)
    if (!name || seen.has(name)) continue
    seen.add(name)
    const base = {uid: 'uid' in e ? (e.uid ?? 0) : 0, gid: 'gid' in e ? (e.gid ?? 0) : 0, mtime, uname: '', gname: ''}
    switch (e.type) {
      case 'dir':
        await entryDone(pack, {...base, name: name + '/', type: 'directory', mode: e.mode ?? 0o755})
        break
      case 'symlink':
      case 'link':
        await entryDone(pack, {...base, name, type: e.type, linkname: e.type === 'link' ? memberName(e.linkname) : e.linkname, mode: 0o777})
        break
      case 'whiteout':
        await entryDone(pack, {...base, name, type: 'file', mode: 0o644, size: 0}, Buffer.alloc(0))
        break
      case 'file':
        if ('content' in e) {
          const buf = typeof e.content === 'string' ? Buffer.from(e.content) : e.content
          await entryDone(pack, {...base, name, type: 'file', mode: e.mode ?? 0o644, size: buf.length}, buf)
        } else {
          const w = pack.entry({...base, name, type: 'file', mode: e.mode ?? 0o644, size: e.size})
          await pipeline(createReadStream(e.hostPath), w)
        }
        break
    }
  }
  pack.finalize()
  await out
}

function entryDone(pack: tar.Pack, header: tar.Headers, buf?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (buf) pack.entry(header, buf, (err) => (err ? reject(err) : resolve()))
    else pack.entry(header, (err) => (err ? reject(err) : resolve())).end()
  })
}
