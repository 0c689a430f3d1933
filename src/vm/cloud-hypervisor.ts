/**
 * Cloud Hypervisor's command line, as data in → argv out (pure; unit-tested against its docs).
 * Sources (cloud-hypervisor/cloud-hypervisor, main as of 2026-08):
 * - README.md, "Custom Kernel and Disk Image": direct kernel boot with `--kernel` (on x86-64 "a
 *   vmlinux ELF kernel (compiled with PVH support)"; newer releases also take a bzImage: the PVH
 *   vmlinux is what every release boots), `--cmdline`, `--cpus boot=N`, `--memory size=…M`, and,
 *   for the kernel's own early messages, `--serial tty --console off` with `console=ttyS0`.
 * - cloud-hypervisor/src/main.rs: `--initramfs` (path to an initramfs image), `--serial` defaults
 *   to `null` and `--console` to `tty` (virtio-console), `--log-file` (stderr if not given), no API
 *   socket unless `--api-socket` is given.
 * - docs/device_model.md: with ACPI on (the default) reboot and shutdown go through the ACPI device;
 *   vmm/src/lib.rs: a guest reboot resets and boots the VM again (vm_reboot), a shutdown ends the
 *   process. So the guest powers off when its workload is done (guest-init: `isobench.halt=poweroff`).
 */

export const CLOUD_HYPERVISOR_BINARY = 'cloud-hypervisor'

/**
 * Kernel options a Cloud Hypervisor guest of ours needs built in: the PVH entry (README: direct
 * kernel boot of a vmlinux), an initramfs, the 8250 serial console (the markers), ACPI (its
 * power-off ends the VMM: docs/device_model.md).
 */
export const CLOUD_HYPERVISOR_KERNEL_NEEDS = ['PVH', 'BLK_DEV_INITRD', 'SERIAL_8250_CONSOLE', 'ACPI'] as const

/** Kernel parameters for a Cloud Hypervisor guest: ACPI power-off ends the VMM (a reboot would boot it again). */
export const CLOUD_HYPERVISOR_CMDLINE = {halt: 'poweroff' as const}

export interface CloudHypervisorInput {
  /** vmlinux ELF with a PVH entry note (CONFIG_PVH). */
  kernel: string
  initramfs: string
  cmdline: string
  vcpus: number
  memoryMiB: number
  /** Cloud Hypervisor's own log (so its lines stay out of the serial output). */
  logFile: string
}

/**
 * The argv after the binary: kernel, initramfs and command line; `boot=N` vCPUs; `size=NM` of RAM;
 * the guest's ttyS0 on Cloud Hypervisor's stdout (`--serial tty`) and no virtio-console; its log
 * in a file. No disk, no network, no API socket. Throws (naming the option) for a count or size
 * it would refuse.
 */
export function cloudHypervisorArgs(i: CloudHypervisorInput): string[] {
  if (!Number.isInteger(i.vcpus) || i.vcpus < 1) throw new Error(`cloud-hypervisor: --cpus boot=${i.vcpus}: expected a whole number ≥ 1`)
  if (!Number.isInteger(i.memoryMiB) || i.memoryMiB < 1) throw new Error(`cloud-hypervisor: --memory size=${i.memoryMiB}M: expected a whole number of MiB ≥ 1`)
  return [
    '--kernel',
    i.kernel,
    '--initramfs',
    i.initramfs,
    '--cmdline',
    i.cmdline,
    '--cpus',
    `boot=${i.vcpus}`,
    '--memory',
    `size=${i.memoryMiB}M`,
    '--serial',
    'tty',
    '--console',
    'off',
    '--log-file',
    i.logFile,
  ]
}
