/**
 * Guest artefacts built from an unpacked rootfs, cached by rootfs digest (never by image name), so
 * the VM boots exactly the tree the containers run:
 *   - initramfs: the rootfs as a newc cpio, followed by a small cpio with the guest init, a static
 *     busybox and the needed modules under /isobench/vm and the injected init at /isobench/init (the
 *     kernel unpacks concatenated archives in order, so these win over anything the image has there;
 *     none of it is part of the rootfs digest). Uncompressed by default: under TCG the guest decompresses slowly, while qemu only
 *     copies the bytes in; gzip/zstd on request.
 *   - ext4 disk (large images): `mkfs.ext4 -d <rootfs>`; the guest boots the small cpio and mounts
 *     the disk (virtio-blk). Each instance writes to its own qcow2 overlay, never to the cached disk.
 * Temp files are named `*.tmp-<pid>-*` beside the cache entry and renamed when complete; an
 * interrupted build leaves only such files, which `isobench vm prune` removes.
 */
import {createHash, randomBytes} from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  createWriteStream,
  createReadStream,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {execa} from 'execa'
import type {CleanupRegistry} from '../core/cleanup.js'
import {digestHex} from '../images/digest.js'
import {ensureInit, INIT_PATH_IN_INSTANCE} from '../runtime/native/init.js'
import {GUEST_INIT_HASH, GUEST_INIT_SCRIPT, GUEST_VM_DIR} from './guest-init.js'
import type {GuestKernel} from './kernel.js'
import {artefactCacheDir} from './paths.js'
import {capText, spawnToFile} from '../host/process.js'

export const HOST_BUSYBOX = '/bin/busybox'
export type Compression = 'none' | 'gzip' | 'zstd'
/** Rootfs trees larger than this boot from an ext4 disk instead of an initramfs (guest RAM holds an initramfs twice while unpacking). */
export const INITRAMFS_MAX_BYTES = 128 * 1024 * 1024

export interface GuestArtefacts {
  kind: 'initramfs' | 'ext4'
  /** -initrd file (for ext4: the small cpio that mounts the disk). */
  initrd: string
  /** The cached ext4 base disk (ext4 only). */
  disk?: string
  rootfsDigest: string
  bytes: number
  built: boolean
}

export interface BuildOptions {
  rootfsDir: string
  rootfsDigest: string
  kernel: GuestKernel
  compression?: Compression
  /** Force a kind; default by size. */
  kind?: 'initramfs' | 'ext4'
  cleanup?: CleanupRegistry
}

/** Total size of regular files in a tree (for the initramfs/ext4 decision and the disk size). */
export function treeBytes(dir: string): number {
  let total = 0
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e)
      const st = lstatSync(p)
      if (st.isDirectory()) walk(p)
      else if (st.isFile()) total += st.size
    }
  }
  walk(dir)
  return total
}

function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`
}

/**
 * `find . | sort | cpio -o -H newc` in dir, streamed into out: the archive (hundreds of MB for a
 * large image) never passes through this process, and a failure quotes only cpio's stderr, capped.
 */
async function cpioOf(dir: string, out: string): Promise<void> {
  const script = 'set -o pipefail 2>/dev/null; find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --reproducible'
  await spawnToFile(['bash', '-c', script], out, {cwd: dir})
}

/** Is the image's /bin/busybox byte-for-byte the host's static busybox (true for every recipe image)? */
function imageHasHostBusybox(rootfsDir: string): boolean {
  const p = join(rootfsDir, 'bin', 'busybox')
  try {
    const st = lstatSync(p)
    return st.isFile() && st.size === statSync(HOST_BUSYBOX).size && readFileSync(p).equals(readFileSync(HOST_BUSYBOX))
  } catch {
    return false
  }
}

/**
 * The /isobench/vm overlay (guest init, busybox, modules, /dev/console) as a cpio archive. When the
 * image already holds the same static busybox, the overlay links to it instead of carrying a
 * second copy (2 MiB less for the guest to unpack, which is slow under TCG).
 */
async function overlayCpio(kernel: GuestKernel, init: string, linkBusybox: boolean, out: string): Promise<void> {
  const stage = mkdtempSync(join(tmpdir(), `isobench-vm-overlay-${process.pid}-`))
  try {
    const vm = join(stage, GUEST_VM_DIR.slice(1))
    mkdirSync(join(vm, 'modules'), {recursive: true})
    writeFileSync(join(vm, 'init'), GUEST_INIT_SCRIPT, {mode: 0o755})
    if (linkBusybox) symlinkSync('/bin/busybox', join(vm, 'busybox'))
    else {
      copyFileSync(HOST_BUSYBOX, join(vm, 'busybox'))
      chmodSync(join(vm, 'busybox'), 0o755)
    }
    for (const m of kernel.modules) copyFileSync(m.file, join(vm, 'modules', `${m.name}.ko`))
    copyFileSync(init, join(stage, INIT_PATH_IN_INSTANCE.slice(1)))
    chmodSync(join(stage, INIT_PATH_IN_INSTANCE.slice(1)), 0o755)
    mkdirSync(join(stage, 'dev'))
    await execa('mknod', ['-m', '600', join(stage, 'dev', 'console'), 'c', '5', '1'])
    await cpioOf(stage, out)
  } finally {
    rmSync(stage, {recursive: true, force: true})
  }
}

async function compress(src: string, dst: string, how: Compression): Promise<void> {
  if (how === 'none') return renameSync(src, dst)
  await spawnToFile(how === 'gzip' ? ['gzip', '-c', '-6', src] : ['zstd', '-q', '-c', '-3', src], dst)
  rmSync(src, {force: true})
}

async function concat(parts: string[], out: string): Promise<void> {
  const ws = createWriteStream(out)
  for (const p of parts) await pipeline(createReadStream(p), ws, {end: false})
  await new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

/** Build (or reuse) what the guest boots for this rootfs and kernel. */
export async function ensureGuestArtefacts(stateDir: string, o: BuildOptions): Promise<GuestArtefacts> {
  const cache = artefactCacheDir(stateDir)
  mkdirSync(cache, {recursive: true})
  const hex = digestHex(o.rootfsDigest)
  const compression = o.compression ?? 'none'
  const init = await ensureInit()
  const initHash = createHash('sha256').update(readFileSync(init)).digest('hex').slice(0, 12)
  const kind = o.kind ?? (treeBytes(o.rootfsDir) > INITRAMFS_MAX_BYTES ? 'ext4' : 'initramfs')
  const linkBusybox = kind === 'initramfs' && imageHasHostBusybox(o.rootfsDir)
  const tag = `${o.kernel.version}-${GUEST_INIT_HASH}-${initHash}${linkBusybox ? '-linked' : ''}`
  const suffix = compression === 'none' ? '' : compression === 'gzip' ? '.gz' : '.zst'
  const overlay = join(cache, `overlay-${tag}.cpio`)
  const temps: string[] = []
  const undo = o.cleanup?.add('vm artefact temp files', () => temps.forEach((t) => rmSync(t, {force: true})))
  const tmp = (p: string) => {
    const t = tmpName(p)
    temps.push(t)
    return t
  }
  try {
    let built = false
    if (!existsSync(overlay)) {
      const t = tmp(overlay)
      await overlayCpio(o.kernel, init, linkBusybox, t)
      renameSync(t, overlay)
      built = true
    }
    if (kind === 'ext4') {
      const disk = join(cache, `disk-${hex}.ext4`)
      if (!existsSync(disk)) {
        const t = tmp(disk)
        const mib = Math.ceil((treeBytes(o.rootfsDir) * 1.3) / 2 ** 20) + 64
        const r = await execa(
          'mkfs.ext4',
          ['-q', '-F', '-L', 'isobench-root', '-d', o.rootfsDir, '-E', 'lazy_itable_init=0,lazy_journal_init=0', t, `${mib}M`],
          {
            reject: false,
            all: true,
            stdin: 'ignore',
          },
        )
        if (r.exitCode !== 0) throw new Error(`mkfs.ext4 -d ${o.rootfsDir} failed (exit ${r.exitCode}): ${capText(r.all ?? '')}`)
        renameSync(t, disk)
        built = true
      }
      const initrd = join(cache, `initrd-disk-${tag}.cpio${suffix}`)
      if (!existsSync(initrd)) {
        const t = tmp(initrd)
        const plain = tmp(initrd)
        copyFileSync(overlay, plain)
        await compress(plain, t, compression)
        renameSync(t, initrd)
        built = true
      }
      return {kind, initrd, disk, rootfsDigest: o.rootfsDigest, bytes: statSync(disk).size, built}
    }
    const initrd = join(cache, `initramfs-${hex}-${tag}.cpio${suffix}`)
    if (!existsSync(initrd)) {
      const rootCpio = tmp(initrd)
      await cpioOf(o.rootfsDir, rootCpio)
      const joined = tmp(initrd)
      await concat([rootCpio, overlay], joined)
      rmSync(rootCpio, {force: true})
      const t = tmp(initrd)
      await compress(joined, t, compression)
      renameSync(t, initrd)
      built = true
    }
    return {kind, initrd, rootfsDigest: o.rootfsDigest, bytes: statSync(initrd).size, built}
  } finally {
    for (const t of temps) rmSync(t, {force: true})
    undo?.dispose()
  }
}

/** A per-instance copy-on-write overlay of the cached disk (qcow2 backed by the raw ext4). */
export async function instanceDisk(base: string, path: string): Promise<string> {
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', base, path])
  return path
}
