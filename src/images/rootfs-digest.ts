/**
 * The rootfs digest: a deterministic sha256 over an unpacked tree — for every entry, sorted by path:
 * path, type, permission bits (incl. sticky), uid, gid, and the content's sha256 (regular files) or
 * the link target (symlinks). Timestamps and inode numbers are not included, and hardlinked files
 * count as copies, so the same layers always give the same digest. The parity record uses it to
 * prove every arm ran the same tree.
 */
import {createHash} from 'node:crypto'
import {closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync} from 'node:fs'
import {join} from 'node:path'

const BUF = Buffer.alloc(1 << 20)

function fileSha256(path: string): string {
  const hash = createHash('sha256')
  const fd = openSync(path, 'r')
  try {
    for (;;) {
      const n = readSync(fd, BUF, 0, BUF.length, null)
      if (n === 0) break
      hash.update(BUF.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}

export interface TreeStats {
  digest: string
  files: number
  dirs: number
  symlinks: number
  bytes: number
}

export function rootfsDigest(root: string): TreeStats {
  const hash = createHash('sha256')
  const stats = {files: 0, dirs: 0, symlinks: 0, bytes: 0}
  const walk = (dir: string, rel: string): void => {
    const names = readdirSync(dir).sort()
    for (const name of names) {
      const p = join(dir, name)
      const r = rel ? `${rel}/${name}` : name
      const st = lstatSync(p)
      const head = `${JSON.stringify(r)} ${(st.mode & 0o1777).toString(8)} ${st.uid} ${st.gid}`
      if (st.isDirectory()) {
        stats.dirs++
        hash.update(`d ${head}\n`)
        walk(p, r)
      } else if (st.isSymbolicLink()) {
        stats.symlinks++
        hash.update(`l ${head} ${JSON.stringify(readlinkSync(p))}\n`)
      } else if (st.isFile()) {
        stats.files++
        stats.bytes += st.size
        hash.update(`f ${head} ${fileSha256(p)}\n`)
      } else {
        hash.update(`o ${head} ${st.rdev}\n`)
      }
    }
  }
  walk(root, '')
  return {digest: 'sha256:' + hash.digest('hex'), ...stats}
}
