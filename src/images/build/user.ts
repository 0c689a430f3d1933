/**
 * USER resolution against an image's own /etc/passwd and /etc/group (read from the unpacked
 * rootfs, never the host's): `name`, `uid`, `name:group`, `uid:gid`. Unknown names are an error.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {resolveDirInRoot} from '../layer/safe-path.js'

function readDb(rootfs: string, file: 'passwd' | 'group'): string[][] {
  const dir = resolveDirInRoot(rootfs, ['etc'], false)
  const p = dir ? join(dir, file) : null
  if (!p || !existsSync(p)) return []
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
}

export function resolveUser(rootfs: string, user: string): {uid: number; gid: number} {
  const [u, g] = user.split(':', 2) as [string, string | undefined]
  let uid: number
  let gid: number | undefined
  if (/^\d+$/.test(u)) {
    uid = Number(u)
    const row = readDb(rootfs, 'passwd').find((r) => r[2] === u)
    gid = row ? Number(row[3]) : uid
  } else {
    const row = readDb(rootfs, 'passwd').find((r) => r[0] === u)
    if (!row) throw new Error(`user ${JSON.stringify(u)} is not in the image's /etc/passwd`)
    uid = Number(row[2])
    gid = Number(row[3])
  }
  if (g !== undefined) {
    if (/^\d+$/.test(g)) gid = Number(g)
    else {
      const row = readDb(rootfs, 'group').find((r) => r[0] === g)
      if (!row) throw new Error(`group ${JSON.stringify(g)} is not in the image's /etc/group`)
      gid = Number(row[2])
    }
  }
  return {uid, gid: gid ?? uid}
}
