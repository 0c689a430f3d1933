/**
 * Paths inside a rootfs under construction, resolved the way the container will see them: symlinks
 * in parent components are followed *within* the rootfs (an absolute target restarts at the rootfs,
 * `..` stops at the rootfs), like chroot(2) or Docker's FollowSymlinkInScope. The result is always a
 * host path below the rootfs made only of real directories, so a write there never escapes.
 */
import {lstatSync, mkdirSync, readlinkSync} from 'node:fs'
import {join} from 'node:path'

export class UnsafeLayerError extends Error {
  readonly code = 'unsafe-layer'
}

const MAX_LINK_HOPS = 40

/**
 * A tar member name as clean components. Rejects (UnsafeLayerError) absolute names and any `..`
 * component; strips leading `./` and empty/`.` components. Returns [] for the archive root.
 */
export function memberComponents(name: string, what = 'entry'): string[] {
  if (name.includes('\0')) throw new UnsafeLayerError(`${what} ${JSON.stringify(name)}: NUL byte in name`)
  if (name.startsWith('/')) throw new UnsafeLayerError(`${what} ${JSON.stringify(name)}: absolute path (layers must use paths relative to the rootfs)`)
  const comps = name.split('/').filter((c) => c !== '' && c !== '.')
  if (comps.includes('..')) throw new UnsafeLayerError(`${what} ${JSON.stringify(name)}: '..' component (would climb out of the rootfs)`)
  return comps
}

/**
 * Resolve directory components inside `root`, following symlinks in scope. Missing directories are
 * created (mode 0755, owned by root) when `create` is set, otherwise null is returned. A component
 * that exists but is not a directory (after following links) is an UnsafeLayerError.
 */
export function resolveDirInRoot(root: string, comps: string[], create: boolean): string | null {
  const stack: string[] = []
  const queue = [...comps]
  let hops = 0
  while (queue.length > 0) {
    const c = queue.shift()!
    if (c === '' || c === '.') continue
    if (c === '..') {
      stack.pop()
      continue
    }
    const p = join(root, ...stack, c)
    let st
    try {
      st = lstatSync(p)
    } catch {
      if (!create) return null
      mkdirSync(p, {mode: 0o755})
      stack.push(c)
      continue
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) throw new UnsafeLayerError(`${comps.join('/')}: too many levels of symbolic links`)
      const target = readlinkSync(p)
      if (target.startsWith('/')) stack.length = 0
      queue.unshift(...target.split('/'))
      continue
    }
    if (!st.isDirectory()) throw new UnsafeLayerError(`${comps.join('/')}: ${[...stack, c].join('/')} is not a directory`)
    stack.push(c)
  }
  return join(root, ...stack)
}
