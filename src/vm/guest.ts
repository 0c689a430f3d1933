/**
 * Everything a VM needs before the timed region, in one call: the guest kernel (fetched on first
 * use when it is Debian's), the image's rootfs (the SAME unpacked tree and digest the containers
 * use), the initramfs/ext4 built from it, the accelerator (KVM only when a real probe boot works)
 * and the machine type (microvm when the kernel can run on it, else pc).
 */
import {existsSync} from 'node:fs'
import {execa} from 'execa'
import type {CleanupRegistry} from '../core/cleanup.js'
import {chooseAccel} from '../host/kvm.js'
import {ensureImage, imageConfig, openImageStore, unpackRootfs} from '../images/rootfs.js'
import {ensureGuestArtefacts, type Compression, type GuestArtefacts} from './artefacts.js'
import {fetchCloudKernel, findGuestKernel, installedKernels, kernelFeatures, readKernelConfig, type GuestKernel} from './kernel.js'
import {QEMU_BINARY, machineListHasMicrovm, type Machine, type VmAccel} from './qemu-args.js'

export type MachineSetting = 'auto' | Machine

export interface PreparedImage {
  image: string
  rootfsDir: string
  rootfsDigest: string
  artefacts: GuestArtefacts
  /** The image's own run config, for `vm run IMAGE` without a command. */
  env: string[]
  cmd: string[]
  workingDir: string
}

/** The guest kernel: the configured one, else the fetched cloud kernel (fetching it now if none). */
export async function ensureGuestKernel(stateDir: string, configured: string | undefined, log: (m: string) => void = () => {}): Promise<GuestKernel> {
  if (configured) return findGuestKernel(stateDir, configured)
  if (installedKernels(stateDir).length === 0) await fetchCloudKernel(stateDir, {log})
  return findGuestKernel(stateDir)
}

let microvmInQemu: boolean | null = null

/** Does this qemu have `-M microvm`? (asked once per process) */
export async function qemuHasMicrovm(): Promise<boolean> {
  if (microvmInQemu === null) {
    const r = await execa(QEMU_BINARY, ['-M', 'help'], {reject: false})
    microvmInQemu = machineListHasMicrovm(r.stdout)
  }
  return microvmInQemu
}

/**
 * microvm needs virtio-mmio in the guest kernel (for its devices) — known from the kernel's .config;
 * a kernel without a known config boots on pc, which every x86 kernel supports.
 */
export async function chooseMachine(setting: MachineSetting, kernel: GuestKernel): Promise<{machine: Machine; why: string}> {
  if (setting !== 'auto') return {machine: setting, why: 'set explicitly'}
  if (!(await qemuHasMicrovm())) return {machine: 'pc', why: `${QEMU_BINARY} has no microvm machine`}
  const f = kernelFeatures(readKernelConfig(kernel))
  if (!f.known) return {machine: 'pc', why: `kernel ${kernel.version}: no .config next to it, so microvm support is unknown`}
  if (!f.virtioMmio) return {machine: 'pc', why: `kernel ${kernel.version} lacks CONFIG_VIRTIO_MMIO`}
  return {machine: 'microvm', why: `kernel ${kernel.version} has virtio-mmio`}
}

export interface AccelChoice {
  accel: VmAccel
  reason: string
}

/** KVM when a real probe boot succeeds (src/host/kvm.ts, cached per boot), else TCG. */
export async function chooseVmAccel(setting: 'auto' | 'kvm' | 'tcg', kernel: GuestKernel, stateDir: string): Promise<AccelChoice> {
  const {accel, probe} = await chooseAccel(setting, {kernel: kernel.vmlinuz, stateDir})
  if (setting === 'tcg') return {accel, reason: 'vm.accel = tcg in the config'}
  if (setting === 'kvm' && !probe?.usable) return {accel, reason: `vm.accel = kvm although the probe says: ${probe?.reason}`}
  return {accel, reason: probe?.reason ?? accel}
}

/** Image name → rootfs (shared with the container arms) → guest artefacts. */
export async function prepareImage(
  stateDir: string,
  image: string,
  kernel: GuestKernel,
  opts: {compression?: Compression; kind?: 'initramfs' | 'ext4'; cleanup?: CleanupRegistry} = {},
): Promise<PreparedImage> {
  const store = openImageStore(stateDir)
  const ref = await ensureImage(store, image)
  const rootfs = await unpackRootfs(store, ref, {cleanup: opts.cleanup})
  const artefacts = await ensureGuestArtefacts(stateDir, {rootfsDir: rootfs.dir, rootfsDigest: rootfs.digest, kernel, ...opts})
  const cfg = await imageConfig(store, ref)
  return {
    image,
    rootfsDir: rootfs.dir,
    rootfsDigest: rootfs.digest,
    artefacts,
    env: cfg.Env ?? [],
    cmd: [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])],
    workingDir: cfg.WorkingDir || '/',
  }
}

export function qemuInstalled(): boolean {
  return ['/usr/bin', '/usr/local/bin', '/bin'].some((d) => existsSync(`${d}/${QEMU_BINARY}`))
}

export async function qemuVersion(): Promise<string> {
  const r = await execa(QEMU_BINARY, ['--version'], {reject: false})
  return /version\s+(\S+)/.exec(r.stdout)?.[1] ?? 'unknown'
}
