/**
 * Firecracker's launch, as data in → config and argv out (pure; unit-tested against its docs).
 * Sources (firecracker-microvm/firecracker, main as of 2026-08):
 * - docs/getting-started.md, "Configuring the microVM without sending API requests": `--config-file`
 *   takes one JSON document whose keys are the API's resources (`boot-source`, `drives`,
 *   `machine-config`, `network-interfaces`, …) with the same field names as the API requests
 *   (src/firecracker/swagger/firecracker.yaml); the file starts the microVM by itself. `--no-api`
 *   (src/firecracker/src/main.rs: it requires `--config-file`) opens no API socket, so two microVMs
 *   never race for the default `/run/firecracker.socket`.
 * - swagger BootSource: `kernel_image_path` (required), `boot_args`, `initrd_path`;
 *   MachineConfiguration: `vcpu_count` (1‥32) and `mem_size_mib` (required), `smt` (x86 only; with
 *   it on, vcpu_count must be 1 or even: machine_config.rs); VmmConfig has `drives` without a serde
 *   default, so the key must be present even when empty.
 * - docs/initrd.md: boot from an initrd with `initrd_path` and no drive with `is_root_device`;
 *   `rdinit=` names an init that is not /init; its boot args are `console=ttyS0 reboot=k panic=1 pci=off`.
 * - FAQ.md: the serial console is off unless the command line says `console=ttyS0` (it then goes to
 *   Firecracker's stdout); on x86 there is no ACPI power-off, so a guest `poweroff` leaves the
 *   process running, and `reboot` ends it only with `reboot=k` (Firecracker emulates the i8042 and
 *   exits on its reset line).
 * - docs/rootfs-and-kernel-setup.md: x86_64 boots an uncompressed ELF `vmlinux` (recommended; newer
 *   releases also take a bzImage); docs/pvh.md: an ELF with the PVH note boots in PVH mode.
 * - docs/logger.md: `--log-path` names a file or fifo that must exist; `--level` filters it.
 * - src/utils/src/validators.rs: `--id` is 1‥64 characters, alphanumeric or '-'.
 * - docs/kernel-policy.md, "Minimal boot requirements": booting with an initrd on x86_64 needs
 *   CONFIG_BLK_DEV_INITRD=y and CONFIG_KVM_GUEST=y; boot logs need CONFIG_SERIAL_8250_CONSOLE=y and
 *   CONFIG_PRINTK=y (for isobench they carry the markers); a clean shutdown needs CONFIG_SERIO_I8042.
 */
import {createHash} from 'node:crypto'

export const FIRECRACKER_BINARY = 'firecracker'

/** Kernel parameters Firecracker's docs give for an initrd boot (docs/initrd.md, FAQ.md). */
export const FIRECRACKER_CMDLINE = {reboot: 'k' as const, panicSeconds: 1, extra: ['pci=off']}

/** Kernel options a Firecracker guest of ours needs built in (docs/kernel-policy.md; the serial console carries the markers). */
export const FIRECRACKER_KERNEL_NEEDS = ['BLK_DEV_INITRD', 'KVM_GUEST', 'SERIAL_8250_CONSOLE', 'PRINTK'] as const

/** Firecracker's own vCPU limit (swagger MachineConfiguration.vcpu_count maximum). */
export const FIRECRACKER_MAX_VCPUS = 32

export interface FirecrackerInput {
  /** Uncompressed ELF vmlinux (x86_64). */
  kernel: string
  initrd: string
  /** The whole kernel command line (boot_args). */
  cmdline: string
  vcpus: number
  memoryMiB: number
}

/** The `--config-file` document (docs/getting-started.md; tests/framework/vm_config.json is its example). */
export interface FirecrackerConfig {
  'boot-source': {kernel_image_path: string; initrd_path: string; boot_args: string}
  drives: never[]
  'machine-config': {vcpu_count: number; mem_size_mib: number; smt: false}
  'network-interfaces': never[]
}

/**
 * The microVM's configuration: kernel, initrd and boot args, `vcpu_count` and `mem_size_mib`, SMT
 * off (so any count 1‥32 is valid), no drive (the initrd is the root) and no network interface.
 * Throws (a plain Error naming the field) for a count or size Firecracker would refuse.
 */
export function firecrackerConfig(i: FirecrackerInput): FirecrackerConfig {
  if (!Number.isInteger(i.vcpus) || i.vcpus < 1 || i.vcpus > FIRECRACKER_MAX_VCPUS)
    throw new Error(`firecracker: machine-config.vcpu_count ${i.vcpus}: expected an integer 1‥${FIRECRACKER_MAX_VCPUS}`)
  if (!Number.isInteger(i.memoryMiB) || i.memoryMiB < 1)
    throw new Error(`firecracker: machine-config.mem_size_mib ${i.memoryMiB}: expected a whole number of MiB ≥ 1`)
  return {
    'boot-source': {kernel_image_path: i.kernel, initrd_path: i.initrd, boot_args: i.cmdline},
    drives: [],
    'machine-config': {vcpu_count: i.vcpus, mem_size_mib: i.memoryMiB, smt: false},
    'network-interfaces': [],
  }
}

/** A valid `--id` for an instance: `isobench-<id>` when it fits the validator's rule, else a hash of it (the logs' label only). */
export function firecrackerId(id: string): string {
  const plain = `isobench-${id}`
  if (plain.length <= 64 && /^[A-Za-z0-9-]+$/.test(plain)) return plain
  return `isobench-${createHash('sha256').update(id).digest('hex').slice(0, 16)}`
}

/**
 * The argv after the binary: no API socket, the config file, the instance id, and the logger into
 * a file of the instance dir (`logFile` must exist: docs/logger.md) at level Warning, so that
 * Firecracker's own lines never land among the guest's serial output on stdout.
 */
export function firecrackerArgs(o: {id: string; configFile: string; logFile: string}): string[] {
  return ['--no-api', '--config-file', o.configFile, '--id', firecrackerId(o.id), '--log-path', o.logFile, '--level', 'Warning']
}
