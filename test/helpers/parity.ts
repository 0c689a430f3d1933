/**
 * The build-parity harness: the same Containerfile built by isobench and by buildah (the reference
 * builder, Debian's package; `--isolation chroot --storage-driver vfs`, a private --root/--runroot,
 * `--pull=never`, in a network namespace of its own), and the two images compared as trees (path,
 * type, mode, uid/gid, content digest, link target) and configs.
 *
 * The shared base image `parity-base:1` is a busybox-static tree (the host's /bin/busybox, applet
 * links, /etc/passwd and /etc/group, /tmp) that both builders make from the same tar with
 * `FROM scratch` + `ADD rootfs.tar /`, so nothing comes from a network.
 */
import {createHash} from 'node:crypto'
import {closeSync, existsSync, lstatSync, mkdirSync, openSync, readSync, readdirSync, readlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {importImage} from '../../src/images/import.js'
import {writeLayerTar, type LayerEntry} from '../../src/images/layer/tar-write.js'
import type {OciImageConfig} from '../../src/images/oci.js'
import {openImageStore, unpackRootfs, type ImageStore} from '../../src/images/rootfs.js'

export const BUILDAH = '/usr/bin/buildah'
export const BASE_NAME = 'parity-base:1'
/** Applets the base links to /bin/busybox (what the corpus's RUN steps use). */
const APPLETS = [
  'sh',
  'ls',
  'cat',
  'echo',
  'mkdir',
  'touch',
  'id',
  'chmod',
  'chown',
  'ln',
  'rm',
  'cp',
  'mv',
  'true',
  'false',
  'printf',
  'env',
  'stat',
  'wc',
  'sort',
  'head',
  'test',
  'tr',
  'sed',
  'grep',
  'basename',
  'dirname',
  'rmdir',
  'whoami',
  'pwd',
]

/** The config keys compared (the list, plus Labels, Volumes and StopSignal). */
export const CONFIG_KEYS = ['Env', 'Entrypoint', 'Cmd', 'WorkingDir', 'User', 'ExposedPorts', 'Labels', 'Volumes', 'StopSignal'] as const
export type ComparedConfig = Partial<Record<(typeof CONFIG_KEYS)[number], unknown>>

/** One line per tree entry: `path type mode uid gid content` (content: sha256 of a file, target of a link). */
export function treeListing(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      const r = rel ? `${rel}/${name}` : name
      const st = lstatSync(p)
      const head = `${r} ${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : 'o'} ${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${st.uid} ${st.gid}`
      if (st.isDirectory()) {
        out.push(head)
        walk(p, r)
      } else if (st.isSymbolicLink()) out.push(`${head} -> ${readlinkSync(p)}`)
      else if (st.isFile()) out.push(`${head} ${fileDigest(p)}`)
      else out.push(head)
    }
  }
  walk(root, '')
  return out
}

function fileDigest(p: string): string {
  const h = createHash('sha256')
  const buf = Buffer.alloc(1 << 16)
  const fd = openSync(p, 'r')
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n))
  } finally {
    closeSync(fd)
  }
  return 'sha256:' + h.digest('hex').slice(0, 16)
}

/** What an image is, for comparison: its tree relative to the base tree, and its config. */
export interface ImageFacts {
  /** Entries not in the base tree as they are (added or changed). */
  entries: string[]
  /** Base paths the image no longer has. */
  removed: string[]
  config: ComparedConfig
}

export function facts(listing: string[], base: string[], cfg: OciImageConfig): ImageFacts {
  const baseSet = new Set(base)
  const paths = new Set(listing.map((l) => l.split(' ')[0]))
  const config: ComparedConfig = {}
  for (const k of CONFIG_KEYS) {
    let v = (cfg.config as Record<string, unknown> | undefined)?.[k]
    if (k === 'Labels' && v) {
      // buildah stamps every image with its version: a builder stamp, like a timestamp.
      const {['io.buildah.version']: _stamp, ...rest} = v as Record<string, string>
      v = Object.keys(rest).length ? rest : undefined
    }
    if (v !== undefined && v !== null && v !== '' && !(typeof v === 'object' && Object.keys(v as object).length === 0)) config[k] = v
  }
  return {entries: listing.filter((l) => !baseSet.has(l)), removed: base.map((l) => l.split(' ')[0]!).filter((p) => !paths.has(p)), config}
}

/** rootfs.tar of the base image, from the host's busybox-static. */
export async function writeBaseContext(dir: string): Promise<void> {
  mkdirSync(dir, {recursive: true})
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n'
  const group = 'root:x:0:\nnobody:x:65534:\napp:x:1000:\nstaff:x:50:app\n'
  const entries: LayerEntry[] = [
    {path: 'bin', type: 'dir', mode: 0o755},
    {path: 'bin/busybox', type: 'file', hostPath: '/bin/busybox', size: lstatSync('/bin/busybox').size, mode: 0o755},
    ...APPLETS.map((a): LayerEntry => ({path: `bin/${a}`, type: 'symlink', linkname: 'busybox'})),
    {path: 'etc', type: 'dir', mode: 0o755},
    {path: 'etc/passwd', type: 'file', content: passwd, mode: 0o644},
    {path: 'etc/group', type: 'file', content: group, mode: 0o644},
    // What real base images have, and what builders mount over in RUN steps.
    {path: 'etc/hostname', type: 'file', content: 'parity\n', mode: 0o644},
    {path: 'etc/hosts', type: 'file', content: '127.0.0.1 localhost\n', mode: 0o644},
    {path: 'etc/resolv.conf', type: 'file', content: '', mode: 0o644},
    {path: 'dev', type: 'dir', mode: 0o755},
    {path: 'proc', type: 'dir', mode: 0o755},
    {path: 'run', type: 'dir', mode: 0o755},
    {path: 'sys', type: 'dir', mode: 0o755},
    {path: 'home', type: 'dir', mode: 0o755},
    {path: 'home/app', type: 'dir', mode: 0o750, uid: 1000, gid: 1000},
    {path: 'tmp', type: 'dir', mode: 0o1777},
    {path: 'usr', type: 'dir', mode: 0o755},
    {path: 'usr/share', type: 'dir', mode: 0o755},
    {path: 'usr/share/doc', type: 'dir', mode: 0o755},
    {path: 'usr/share/doc/README', type: 'file', content: 'base image\n', mode: 0o644},
  ]
  await writeLayerTar(entries, join(dir, 'rootfs.tar'))
  writeFileSync(join(dir, 'Containerfile'), 'FROM scratch\nADD rootfs.tar /\n')
}

/** buildah with a private store, in its own network namespace, never pulling. */
export class Buildah {
  readonly root: string
  readonly runroot: string
  constructor(
    dir: string,
    readonly buildahStore: ImageStore,
  ) {
    this.root = join(dir, 'root')
    this.runroot = join(dir, 'runroot')
  }

  static available(): boolean {
    return existsSync(BUILDAH)
  }

  private base(): string[] {
    return [BUILDAH, '--root', this.root, '--runroot', this.runroot, '--storage-driver', 'vfs']
  }

  /** Build; resolves with exit code and output (buildah's own messages). */
  async build(file: string, context: string, tag: string, buildArgs: Record<string, string> = {}): Promise<{exitCode: number; output: string}> {
    const args = [...this.base(), 'bud', '--isolation', 'chroot', '--pull=never', '--format', 'oci', '--layers=false', '-f', file, '-t', tag]
    for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`)
    args.push(context)
    const r = await execa('unshare', ['--net', '--', ...args], {reject: false, all: true, env: {BUILDAH_ISOLATION: 'chroot'}})
    return {exitCode: r.exitCode ?? 1, output: r.all ?? ''}
  }

  /** The built image as an OCI layout, imported into our own (separate) store and unpacked by the same code. */
  async unpack(tag: string, tmp: string): Promise<{dir: string; config: OciImageConfig}> {
    const layout = join(tmp, `buildah-${tag.replace(/[^a-z0-9]+/g, '-')}`)
    await execa(this.base()[0]!, [...this.base().slice(1), 'push', '--quiet', tag, `oci:${layout}:img`])
    const [img] = await importImage(this.buildahStore, layout, {name: `buildah/${tag.replace(/^localhost\//, '').replace(/:.*$/, '')}:latest`})
    const {dir} = await unpackRootfs(this.buildahStore, img!)
    return {dir, config: await this.buildahStore.config(img!)}
  }
}

export {openImageStore}
