/**
 * The virtual machine monitors isobench knows, one entry each: the arm it becomes, its binary, how
 * to install it, and whether it needs KVM. QEMU is the VM arm that runs everywhere (TCG where KVM
 * cannot run); Firecracker and Cloud Hypervisor boot only on KVM and are not packaged by Debian 12.
 * Their launch (vm/vmm-launch.ts) boots qemu's guest, but it was never run on isobench's build
 * hosts (nested KVM that cannot boot a guest, no binaries): every text about them says so.
 * `isobench doctor` and `isobench providers` read this table.
 */
import {execa} from 'execa'

export interface Vmm {
  /** Arm name. */
  name: string
  binary: string
  /** The Debian package, when Debian has one. */
  apt?: string
  /** What to install when Debian has no package. */
  install?: string
  /** Boots only with KVM (no software emulation). */
  needsKvm: boolean
  description: string
}

export const VMMS: readonly Vmm[] = [
  {
    name: 'qemu',
    binary: 'qemu-system-x86_64',
    apt: 'qemu-system-x86',
    needsKvm: false,
    description: 'QEMU (microvm or pc machine), KVM where a probe boot works, else TCG',
  },
  {
    name: 'firecracker',
    binary: 'firecracker',
    needsKvm: true,
    install:
      "Firecracker is not packaged by Debian 12: put its release binary (firecracker, from the project's GitHub releases) on PATH, on a host where KVM boots a guest (`isobench doctor`: kvm ok)",
    description:
      "Firecracker microVM booting qemu's guest (vmlinux, initramfs, markers); needs KVM and its release binary; not run on isobench's build hosts (no KVM)",
  },
  {
    name: 'cloud-hypervisor',
    binary: 'cloud-hypervisor',
    needsKvm: true,
    install:
      "Cloud Hypervisor is not packaged by Debian 12: put its release binary (cloud-hypervisor, static, from the project's GitHub releases) on PATH, on a host where KVM boots a guest (`isobench doctor`: kvm ok)",
    description:
      "Cloud Hypervisor booting qemu's guest (PVH vmlinux, initramfs, markers); needs KVM and its release binary; not run on isobench's build hosts (no KVM)",
  },
]

/** What every text about the KVM-only VMMs says: their launch is written from their docs, never run by us. */
export const NOT_RUN_HERE = "its launch was never run on isobench's build hosts (no KVM there): unverified"

export interface VmmProbe {
  name: string
  present: boolean
  /** Can it run here (binary present, and KVM usable when it needs it)? */
  works: boolean
  /** The binary's absolute path, when found. */
  path?: string
  version?: string
  reason: string
}

/**
 * Whether a VMM of the table can run here: its binary (and version), and KVM when it needs it
 * (`kvmUsable`: the result of host/kvm.ts's probe boot, never the mere existence of /dev/kvm).
 */
export async function probeVmm(vmm: Vmm, kvm: {usable: boolean; reason: string}): Promise<VmmProbe> {
  const which = await execa('sh', ['-c', `command -v ${vmm.binary}`], {reject: false})
  const path = which.stdout.trim()
  if (!path)
    return {
      name: vmm.name,
      present: false,
      works: false,
      reason: `${vmm.binary} not found: ${vmm.apt ? `apt package ${vmm.apt} (run \`isobench setup\`)` : vmm.install}`,
    }
  const v = await execa(path, ['--version'], {reject: false, timeout: 5000})
  const version = /(\d+\.\d+(?:\.\d+)?)/.exec(v.stdout + v.stderr)?.[1]
  if (vmm.needsKvm && !kvm.usable)
    return {name: vmm.name, present: true, works: false, path, version, reason: `${vmm.name} needs KVM, which cannot boot a guest here: ${kvm.reason}`}
  const label = `${vmm.name} ${version ?? ''}`.trim()
  const reason = vmm.needsKvm ? `${label} with KVM; ${NOT_RUN_HERE}` : label
  return {name: vmm.name, present: true, works: true, path, version, reason}
}
