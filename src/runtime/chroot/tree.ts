/**
 * The chroot arm's tree: the image's rootfs as a directory a plain chroot(2) can enter, and
 * nothing more (no namespace). It is an overlay of the image's read-only rootfs (the store's
 * unpacked dir, never written) with a writable layer, mounted in the host's mount namespace as a
 * chroot user would mount a tree, with /proc, /sys (read-only, as the OCI arms mount it) and a minimal /dev (tmpfs holding null, zero, full,
 * random, urandom, tty, and shm/ and pts/ dirs: the character devices the OCI arms' device allowlist
 * grants) mounted in it. One tree per image and writable medium per run, shared by the run's
 * instances, as one chroot directory is: files are their only isolation, from the host, not from each other.
 *
 * Host files the arm binds in (an injected init) are bind-mounted read-only over files made in the
 * writable layer.
 *
 * Layout: `<stateDir>/chroot/<tag>/` (labelled with the run, host/run-label.ts) holding, per tree,
 * `<key>/root` (the mount point), `<key>/upper` and `<key>/work` (a tmpfs `<key>/layer` for in-memory
 * trees). `isobench prune` finds a killed run's trees by that label (runtime/labelled-dirs.ts).
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {labelDir} from '../../host/run-label.js'
import {detachMounts} from '../labelled-dirs.js'

/** Where every run's chroot trees live under a state dir. */
export function chrootParent(stateDir: string): string {
  return join(stateDir, 'chroot')
}

/** The character devices of the tree's /dev: [name, major, minor], as in the OCI runtime spec's default devices. */
export const CHROOT_DEVICES: ReadonlyArray<[string, number, number]> = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
]

export interface ChrootTree {
  /** The directory to chroot into. */
  root: string
  /** The tree's own directory (root, layers). */
  dir: string
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, {stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000})
}

/**
 * Mount a tree for one image (its read-only lower dirs, topmost first) under this run's dir, its
 * writable layer on disk (the state dir's filesystem) or in a tmpfs of its own. Errors: the mount's
 * own (overlayfs missing, not root).
 */
export function mountChrootTree(
  runDir: string,
  runId: string,
  key: string,
  lowerDirs: string[],
  medium: 'disk' | 'memory',
  binds: ReadonlyArray<{source: string; target: string}> = [],
): ChrootTree {
  if (!existsSync(join(runDir, 'owner.json'))) {
    mkdirSync(runDir, {recursive: true})
    labelDir(runDir, runId)
  }
  const dir = join(runDir, key)
  const root = join(dir, 'root')
  mkdirSync(root, {recursive: true})
  try {
    let layer = dir
    if (medium === 'memory') {
      layer = join(dir, 'layer')
      mkdirSync(layer, {recursive: true})
      run('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', layer])
    }
    const upper = join(layer, 'upper')
    const work = join(layer, 'work')
    mkdirSync(upper, {recursive: true})
    mkdirSync(work, {recursive: true})
    run('mount', ['-t', 'overlay', '-o', `lowerdir=${lowerDirs.join(':')},upperdir=${upper},workdir=${work}`, 'overlay', root])
    for (const d of ['proc', 'sys', 'dev', 'tmp']) mkdirSync(join(root, d), {recursive: true})
    run('mount', ['-t', 'proc', '-o', 'nosuid,nodev,noexec', 'proc', join(root, 'proc')])
    run('mount', ['-t', 'sysfs', '-o', 'ro,nosuid,nodev,noexec', 'sysfs', join(root, 'sys')])
    run('mount', ['-t', 'tmpfs', '-o', 'nosuid,mode=0755,size=65536k', 'tmpfs', join(root, 'dev')])
    for (const [name, major, minor] of CHROOT_DEVICES) run('mknod', ['-m', '0666', join(root, 'dev', name), 'c', String(major), String(minor)])
    for (const d of ['shm', 'pts']) mkdirSync(join(root, 'dev', d), {mode: 0o1777})
    // Host files the instance sees read-only (an injected init): a file made in the writable layer, bound over.
    for (const b of binds) {
      const target = join(root, b.target)
      mkdirSync(dirname(target), {recursive: true})
      if (!existsSync(target)) writeFileSync(target, '')
      run('mount', ['--bind', b.source, target])
      run('mount', ['-o', 'remount,bind,ro', target])
    }
    return {root, dir}
  } catch (error) {
    unmountChrootTree(dir)
    const e = error as Error & {stderr?: Buffer}
    throw new Error(`chroot tree ${root}: ${(e.stderr?.toString() || e.message).trim().slice(0, 500)}`)
  }
}

/** Detach the tree's mounts (dev, proc, the overlay, its tmpfs layer) and remove it. */
export function unmountChrootTree(dir: string): void {
  detachMounts(dir)
  execFileSync('rm', ['-rf', '--one-file-system', dir], {stdio: 'ignore'})
}
