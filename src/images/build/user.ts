/**
 * Users and groups resolved against an image's own /etc/passwd and /etc/group (read from the unpacked
 * rootfs, never the host's), by the rules Docker applies:
 *
 *  - resolveUser (USER, `container run --user`, RUN steps): runc's GetExecUser, which Docker uses:
 *    `name` → its passwd uid and primary gid; `uid` → that uid, with the passwd gid when the uid is
 *    listed, else gid 0; `:group`/`:gid` overrides the gid. An unknown name is an error.
 *  - resolveChown (COPY/ADD --chown): BuildKit's rule: `name` → passwd uid and primary gid;
 *    `uid` → gid = uid (the Dockerfile reference: "a UID without GID will use the same numeric UID
 *    as the GID"); `:group`/`:gid` overrides.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {resolveDirInRoot} from '../layer/safe-path.js'

function readDb(rootfs: string, file: 'passwd' | 'group'): string[][] {
  let dir: string | null = null
  try {
    dir = resolveDirInRoot(rootfs, ['etc'], false)
  } catch {
    dir = null
  }
  const p = dir ? join(dir, file) : null
  if (!p || !existsSync(p)) return []
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
}

const isId = (s: string) => /^\d+$/.test(s) && Number(s) <= 0xffffffff - 1

function groupId(rootfs: string, g: string): number {
  if (isId(g)) return Number(g)
  const row = readDb(rootfs, 'group').find((r) => r[0] === g)
  if (!row || !isId(row[2] ?? '')) throw new UsageError(`unable to find group ${g}: no matching entries in the image's /etc/group`, 'unknown-group')
  return Number(row[2])
}

function userRow(rootfs: string, u: string): string[] {
  const row = readDb(rootfs, 'passwd').find((r) => r[0] === u)
  if (!row || !isId(row[2] ?? '') || !isId(row[3] ?? ''))
    throw new UsageError(`unable to find user ${u}: no matching entries in the image's /etc/passwd`, 'unknown-user')
  return row
}

function split(spec: string): [string, string | undefined] {
  const i = spec.indexOf(':')
  return i < 0 ? [spec, undefined] : [spec.slice(0, i), spec.slice(i + 1)]
}

/** USER semantics (runc GetExecUser). `spec` = `user[:group]`, names or ids. */
export function resolveUser(rootfs: string, spec: string): {uid: number; gid: number} {
  const [u, g] = split(spec.trim())
  let uid: number
  let gid: number
  if (u === '') [uid, gid] = [0, 0]
  else if (isId(u)) {
    uid = Number(u)
    const row = readDb(rootfs, 'passwd').find((r) => r[2] === u)
    gid = row && isId(row[3] ?? '') ? Number(row[3]) : 0
  } else {
    const row = userRow(rootfs, u)
    uid = Number(row[2])
    gid = Number(row[3])
  }
  if (g !== undefined && g !== '') gid = groupId(rootfs, g)
  return {uid, gid}
}

/** COPY/ADD --chown semantics (BuildKit). `spec` = `user[:group]`, names or ids. */
export function resolveChown(rootfs: string, spec: string): {uid: number; gid: number} {
  const [u, g] = split(spec.trim())
  let uid: number
  let gid: number
  if (isId(u)) [uid, gid] = [Number(u), Number(u)]
  else {
    const row = userRow(rootfs, u)
    uid = Number(row[2])
    gid = Number(row[3])
  }
  if (g !== undefined && g !== '') gid = groupId(rootfs, g)
  return {uid, gid}
}

/** The home directory of USER `spec` in the image (`/root` for root, `/` when the user has no passwd entry), as Docker sets HOME. */
export function userHome(rootfs: string, spec: string): string {
  const [u] = split(spec.trim())
  const rows = readDb(rootfs, 'passwd')
  const row = u === '' ? rows.find((r) => r[2] === '0') : isId(u) ? rows.find((r) => r[2] === u) : rows.find((r) => r[0] === u)
  if (row?.[5]) return row[5]
  return u === '' || u === '0' || u === 'root' ? '/root' : '/'
}
