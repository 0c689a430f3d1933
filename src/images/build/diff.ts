/**
 * An overlayfs upper dir → layer entries: files, dirs and links as they are; a whiteout (char
 * device 0:0) → `.wh.<name>`; an opaque dir (xattr trusted.overlay.opaque=y, or user.overlay.opaque
 * with userxattr) → `<dir>/.wh..wh..opq`. Other special files (fifos, sockets, devices) are dropped.
 */
import {existsSync, lstatSync, readdirSync, readlinkSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import type {LayerEntry} from '../layer/tar-write.js'

/** Directories of `root` marked opaque by overlayfs (absolute host paths). */
export async function opaqueDirs(root: string): Promise<{dirs: Set<string>; warning?: string}> {
  if (!existsSync('/usr/bin/getfattr'))
    return {dirs: new Set(), warning: 'getfattr not found (apt package attr): opaque directories in RUN layers are not detected'}
  const r = await execa('getfattr', ['--absolute-names', '-P', '-R', '-d', '-m', '^(trusted|user)\\.overlay\\.opaque$', root], {reject: false})
  const dirs = new Set<string>()
  let current: string | null = null
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) current = line.slice('# file: '.length)
    else if (current && /overlay\.opaque="y"/.test(line)) dirs.add(current)
  }
  return {dirs}
}

export async function upperToEntries(upper: string): Promise<{entries: LayerEntry[]; warnings: string[]}> {
  const {dirs: opaque, warning} = await opaqueDirs(upper)
  const entries: LayerEntry[] = []
  const warnings = warning ? [warning] : []
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      const r = rel ? `${rel}/${name}` : name
      const st = lstatSync(p)
      const owner = {uid: st.uid, gid: st.gid}
      if (st.isDirectory()) {
        entries.push({path: r, type: 'dir', mode: st.mode & 0o7777, ...owner})
        if (opaque.has(p)) entries.push({path: `${r}/.wh..wh..opq`, type: 'whiteout'})
        walk(p, r)
      } else if (st.isFile()) {
        entries.push({path: r, type: 'file', hostPath: p, size: st.size, mode: st.mode & 0o7777, ...owner})
      } else if (st.isSymbolicLink()) {
        entries.push({path: r, type: 'symlink', linkname: readlinkSync(p), ...owner})
      } else if (st.isCharacterDevice() && st.rdev === 0) {
        entries.push({path: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, type: 'whiteout'})
      } else {
        warnings.push(`${r}: special file (fifo, socket or device) not put in the layer`)
      }
    }
  }
  walk(upper, '')
  return {entries, warnings}
}
