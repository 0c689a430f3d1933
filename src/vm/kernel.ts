/**
 * The guest kernel. Default: Debian's cloud kernel (`linux-image-<ver>-cloud-amd64`, small, virtio
 * and ACPI, no hardware drivers), fetched with `apt-get download` and unpacked with `dpkg -x` — no
 * package is installed on the host. Kept per version under `<stateDir>/vm/kernel/`:
 *   vmlinuz-<kver>             bzImage (the file kvm.ts's probe boots; written last = complete)
 *   <kver>/kernel.json         this record
 *   <kver>/vmlinux             uncompressed ELF with a PVH entry note (microvm loads it directly,
 *                              so a TCG guest does not spend time decompressing itself)
 *   <kver>/config              the kernel's .config (decides whether microvm can work)
 *   <kver>/modules/*.ko        only the modules a guest needs (src/vm/modules.ts)
 * Or any kernel the user names in bench.config.ts (`vm.kernel`), used as it is.
 */
import {makeTempDir, removeTempDir} from '../host/temp.js'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  closeSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  chmodSync,
  statSync,
} from 'node:fs'
import {createHash} from 'node:crypto'
import {spawn} from 'node:child_process'
import {basename, dirname, join} from 'node:path'
import {execa} from 'execa'
import {UsageError} from '../core/errors.js'
import {GUEST_MODULES, neededModuleFiles} from './modules.js'
import {kernelDir} from './paths.js'

export const CLOUD_KERNEL_META = 'linux-image-cloud-amd64'

export interface GuestKernel {
  /** Kernel release, e.g. 6.1.0-56-cloud-amd64 (or the file name for a user kernel). */
  version: string
  /** bzImage / vmlinuz: what -kernel gets on q35/pc. */
  vmlinuz: string
  /** Uncompressed ELF with a PVH note, when we could extract one: what -kernel gets on microvm. */
  vmlinux?: string
  /** The kernel's .config, when known. */
  config?: string
  /** Modules to load in the guest, dependencies first (absolute paths). */
  modules: Array<{name: string; file: string; depends: string[]}>
  source: 'debian-cloud' | 'config'
  /** Debian package it came from. */
  package?: string
}

/** Kernel .config text → the options that matter to the VM arm. */
export function kernelFeatures(configText: string | null): {virtioMmio: boolean; pvh: boolean; known: boolean} {
  if (configText === null) return {virtioMmio: false, pvh: false, known: false}
  const on = (opt: string) => new RegExp(`^CONFIG_${opt}=(y|m)$`, 'm').test(configText)
  return {virtioMmio: on('VIRTIO_MMIO'), pvh: on('PVH'), known: true}
}

export function readKernelConfig(kernel: GuestKernel): string | null {
  try {
    return kernel.config ? readFileSync(kernel.config, 'utf8') : null
  } catch {
    return null
  }
}

function recordPath(stateDir: string, version: string): string {
  return join(kernelDir(stateDir), version, 'kernel.json')
}

/** Kernels fetched into the state dir, newest first. */
export function installedKernels(stateDir: string): GuestKernel[] {
  const dir = kernelDir(stateDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((n) => n.startsWith('vmlinuz-'))
    .sort((a, b) => b.localeCompare(a, 'en', {numeric: true}))
    .map((n) => {
      try {
        return JSON.parse(readFileSync(recordPath(stateDir, n.slice('vmlinuz-'.length)), 'utf8')) as GuestKernel
      } catch {
        return null
      }
    })
    .filter((k): k is GuestKernel => k !== null && existsSync(k.vmlinuz))
}

/** The kernel to boot: the configured one, else the newest fetched cloud kernel; a UsageError when none. */
export function findGuestKernel(stateDir: string, configured?: string): GuestKernel {
  if (configured) {
    if (!existsSync(configured))
      throw new UsageError(`bench.config.ts: vm.kernel: ${configured} does not exist (expected a bzImage/vmlinuz file)`, 'invalid-input')
    const name = basename(configured)
    const suffix = name.replace(/^(vmlinuz|bzImage)-?/, '')
    const config = [join(dirname(configured), `config-${suffix}`), join(dirname(configured), 'config')].find((p) => suffix && existsSync(p))
    return {version: suffix || name, vmlinuz: configured, config, modules: [], source: 'config'}
  }
  const k = installedKernels(stateDir)[0]
  if (!k)
    throw new UsageError(
      `no guest kernel in ${kernelDir(stateDir)}: run \`isobench vm kernel\` (or \`isobench setup\`) to fetch Debian's cloud kernel, or set vm.kernel in bench.config.ts`,
      'no-kernel',
    )
  return k
}

/** `apt-cache depends linux-image-cloud-amd64` → the versioned package it points at. */
export function parseMetaDepends(text: string): string | null {
  const m = /Depends:\s*(linux-image-[0-9][^\s]*-cloud-amd64)\b/.exec(text)
  return m ? m[1]! : null
}

async function resolveCloudPackage(log: (m: string) => void): Promise<string> {
  const ask = () => execa('apt-cache', ['depends', CLOUD_KERNEL_META], {reject: false})
  let r = await ask()
  let pkg = parseMetaDepends(r.stdout)
  if (!pkg) {
    log('apt lists have no cloud kernel yet: apt-get update …')
    await execa('apt-get', ['update', '-qq'], {reject: false})
    r = await ask()
    pkg = parseMetaDepends(r.stdout)
  }
  if (!pkg) throw new Error(`apt-cache knows no ${CLOUD_KERNEL_META} (is Debian's main archive in the apt sources?)`)
  return pkg
}

/** Run a decompressor with `input` on its stdin and its stdout on `out` (an fd of ours); resolves when it has exited, whatever its status. */
function decompressToFile(cmd: string[], input: Buffer, out: string): Promise<void> {
  const fd = openSync(out, 'w')
  return new Promise<void>((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), {stdio: ['pipe', fd, 'ignore']})
    child.on('error', () => resolve())
    child.on('close', () => resolve())
    child.stdin!.on('error', () => {}) // it may stop reading at the stream's end (trailing bytes)
    child.stdin!.end(input)
  }).finally(() => closeSync(fd))
}

/** Find the compressed payload in a bzImage and decompress it to an ELF vmlinux; null if we cannot. */
export async function extractVmlinux(vmlinuz: string, out: string, kernelConfig: string | null): Promise<boolean> {
  const data = readFileSync(vmlinuz)
  const formats: Array<{opt: string; magic: number[]; cmd: string[]}> = [
    {opt: 'LZ4', magic: [0x02, 0x21, 0x4c, 0x18], cmd: ['lz4', '-dc']},
    {opt: 'ZSTD', magic: [0x28, 0xb5, 0x2f, 0xfd], cmd: ['zstd', '-dcq']},
    {opt: 'GZIP', magic: [0x1f, 0x8b, 0x08], cmd: ['gzip', '-dc']},
    {opt: 'XZ', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], cmd: ['xz', '-dc']},
  ]
  const chosen = formats.filter((f) => !kernelConfig || new RegExp(`^CONFIG_KERNEL_${f.opt}=y`, 'm').test(kernelConfig))
  for (const f of chosen) {
    const at = data.indexOf(Buffer.from(f.magic))
    if (at < 0) continue
    const tmp = `${out}.tmp-${process.pid}`
    // Trailing bytes after the stream make the tools complain; the ELF they wrote is still whole.
    // The decompressor writes straight into the file (an fd, not execa's {file} stream: that made the
    // 50 MB of a cloud kernel take 12-17 s here instead of 0.1 s).
    await decompressToFile(f.cmd, data.subarray(at), tmp)
    const head = Buffer.alloc(4)
    const fd = openSync(tmp, 'r')
    readSync(fd, head, 0, 4, 0)
    closeSync(fd)
    if (head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
      renameSync(tmp, out)
      return true
    }
    rmSync(tmp, {force: true})
  }
  return false
}

export interface FetchOptions {
  log?: (msg: string) => void
  /** Only say whether a kernel is there; fetch nothing. */
  check?: boolean
}

/** Fetch Debian's current cloud kernel into the state dir (idempotent; quick when it is there). */
export async function fetchCloudKernel(stateDir: string, opts: FetchOptions = {}): Promise<{kernel: GuestKernel | null; fetched: boolean}> {
  const log = opts.log ?? (() => {})
  let pkg: string
  try {
    pkg = await resolveCloudPackage(log)
  } catch (error) {
    // Offline, or no apt: a kernel fetched earlier is good enough.
    const have = installedKernels(stateDir)[0]
    if (have) return {kernel: have, fetched: false}
    throw error
  }
  const version = pkg.replace(/^linux-image-/, '')
  const existing = installedKernels(stateDir).find((k) => k.version === version)
  if (existing) return {kernel: existing, fetched: false}
  if (opts.check) {
    log(`guest kernel ${version} not fetched yet (isobench vm kernel)`)
    return {kernel: installedKernels(stateDir)[0] ?? null, fetched: false}
  }
  const tmp = makeTempDir('kernel')
  chmodSync(tmp, 0o755) // apt's _apt user must be able to write the download here
  try {
    log(`apt-get download ${pkg} …`)
    await execa('apt-get', ['download', '-q', pkg], {cwd: tmp})
    const deb = readdirSync(tmp).find((n) => n.endsWith('.deb'))
    if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`)
    const root = join(tmp, 'x')
    await execa('dpkg', ['-x', join(tmp, deb), root])
    const out = join(kernelDir(stateDir), version)
    rmSync(out, {recursive: true, force: true})
    mkdirSync(join(out, 'modules'), {recursive: true})
    const config = join(out, 'config')
    copyFileSync(join(root, 'boot', `config-${version}`), config)
    const configText = readFileSync(config, 'utf8')
    const vmlinuz = join(kernelDir(stateDir), `vmlinuz-${version}`)
    const vmlinux = join(out, 'vmlinux')
    const hasVmlinux = await extractVmlinux(join(root, 'boot', `vmlinuz-${version}`), vmlinux, configText)
    const modules = neededModuleFiles(join(root, 'lib', 'modules', version), GUEST_MODULES).map(({name, file, depends}) => {
      const dest = join(out, 'modules', `${name}.ko`)
      copyFileSync(join(root, 'lib', 'modules', version, file), dest)
      return {name, file: dest, depends}
    })
    const kernel: GuestKernel = {version, vmlinuz, vmlinux: hasVmlinux ? vmlinux : undefined, config, modules, source: 'debian-cloud', package: pkg}
    writeFileSync(recordPath(stateDir, version), JSON.stringify(kernel, null, 2))
    // The bzImage goes last: its presence means the whole record is there.
    copyFileSync(join(root, 'boot', `vmlinuz-${version}`), `${vmlinuz}.tmp`)
    renameSync(`${vmlinuz}.tmp`, vmlinuz)
    log(`guest kernel ${version}: ${vmlinuz}${hasVmlinux ? ' (+ vmlinux for microvm)' : ''}, ${modules.length} modules`)
    return {kernel, fetched: true}
  } finally {
    removeTempDir(tmp)
  }
}

/**
 * The options of `needs` (names without CONFIG_) that a kernel .config does not build in (`=y`):
 * [] when all are there; null when the config is unknown (nothing can be said).
 */
export function missingKernelOptions(configText: string | null, needs: readonly string[]): string[] | null {
  if (configText === null) return null
  return needs.filter((opt) => !new RegExp(`^CONFIG_${opt}=y$`, 'm').test(configText)).map((opt) => `CONFIG_${opt}`)
}

/** XEN_ELFNOTE_PHYS32_ENTRY: the note a PVH-capable vmlinux carries (xen/include/public/elfnote.h; Firecracker docs/pvh.md). */
export const XEN_ELFNOTE_PHYS32_ENTRY = 18

/**
 * What an x86-64 kernel file is: 'elf' (an uncompressed vmlinux, with `pvh` when a PT_NOTE segment
 * holds a "Xen" note of type XEN_ELFNOTE_PHYS32_ENTRY, which Firecracker and Cloud Hypervisor use
 * to boot it directly), 'bzimage' ("HdrS" at offset 0x202: the x86 boot protocol), or 'other'.
 * Reads only the headers and notes; throws when the file cannot be read.
 */
export function kernelImageFormat(path: string): {format: 'elf' | 'bzimage' | 'other'; pvh: boolean} {
  const fd = openSync(path, 'r')
  try {
    const read = (pos: number, len: number) => {
      const b = Buffer.alloc(len)
      const n = readSync(fd, b, 0, len, pos)
      return b.subarray(0, n)
    }
    const head = read(0, 0x210)
    if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) {
      // ELF64 little-endian only (x86-64): e_phoff at 0x20, e_phentsize 0x36, e_phnum 0x38.
      if (head[4] !== 2 || head[5] !== 1) return {format: 'elf', pvh: false}
      const phoff = Number(head.readBigUInt64LE(0x20))
      const phentsize = head.readUInt16LE(0x36)
      const phnum = head.readUInt16LE(0x38)
      for (let i = 0; i < phnum; i++) {
        const ph = read(phoff + i * phentsize, phentsize)
        if (ph.length < 0x30 || ph.readUInt32LE(0) !== 4) continue // PT_NOTE
        const notes = read(Number(ph.readBigUInt64LE(0x08)), Math.min(Number(ph.readBigUInt64LE(0x20)), 1 << 20))
        for (let at = 0; at + 12 <= notes.length;) {
          const namesz = notes.readUInt32LE(at)
          const descsz = notes.readUInt32LE(at + 4)
          const type = notes.readUInt32LE(at + 8)
          const name = notes
            .subarray(at + 12, at + 12 + namesz)
            .toString('latin1')
            .replace(/\0+$/, '')
          if (name === 'Xen' && type === XEN_ELFNOTE_PHYS32_ENTRY) return {format: 'elf', pvh: true}
          at += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4
        }
      }
      return {format: 'elf', pvh: false}
    }
    if (head.length >= 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS') return {format: 'bzimage', pvh: false}
    return {format: 'other', pvh: false}
  } finally {
    closeSync(fd)
  }
}

/**
 * The uncompressed ELF vmlinux of a guest kernel, for the VMMs that boot it directly (Firecracker,
 * Cloud Hypervisor): the one the cloud kernel's record names, else the configured file itself when
 * it is already an ELF, else one extracted from the bzImage (extractVmlinux: the payload's
 * compression found by its magic and decompressed with Debian's lz4/zstd/gzip/xz) and cached in
 * `<stateDir>/vm/kernel/extracted/<hash of the file's path, size and mtime>/vmlinux`. Throws when
 * none can be had.
 */
export async function ensureVmlinux(kernel: GuestKernel, stateDir: string): Promise<string> {
  if (kernel.vmlinux && existsSync(kernel.vmlinux)) return kernel.vmlinux
  if (kernelImageFormat(kernel.vmlinuz).format === 'elf') return kernel.vmlinuz
  const st = statSync(kernel.vmlinuz)
  const key = createHash('sha256').update(`${kernel.vmlinuz}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16)
  const dir = join(kernelDir(stateDir), 'extracted', key)
  const out = join(dir, 'vmlinux')
  if (existsSync(out)) return out
  mkdirSync(dir, {recursive: true})
  if (!(await extractVmlinux(kernel.vmlinuz, out, readKernelConfig(kernel))))
    throw new Error(`${kernel.vmlinuz}: no lz4, zstd, gzip or xz payload that decompresses to an ELF vmlinux`)
  return out
}
