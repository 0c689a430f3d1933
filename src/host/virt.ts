/**
 * What this host itself runs on, from the kernel: the hypervisor under it (cpuinfo's `hypervisor`
 * flag, DMI in /sys/class/dmi/id, `systemd-detect-virt --vm`, which reads the CPUID hypervisor
 * leaf), whether it really is a container, and the facts of nested virtualization (/dev/kvm and
 * the module behind it: kvm_intel, kvm_amd, or kvm_pvm for PVM nested guests).
 *
 * A file alone is no container: `/.dockerenv` is a file Docker creates in a container's rootfs, and
 * it survives in any root filesystem built from a Docker image (systeminformation and
 * `systemd-detect-virt --container` both report "docker" on such a KVM guest). A container is
 * counted only on a sign the container's engine sets at run time: `container=` in pid 1's
 * environment (systemd's convention: podman, nspawn, lxc), /run/.containerenv (podman), pid 1 in
 * a cgroup other than the root (or systemd's init.scope), or `/.dockerenv` together with a root
 * filesystem that is a container engine's (overlay, aufs, fuse-overlayfs: on cgroup v2 Docker's
 * private cgroup namespace shows pid 1 in `/`). A VM's root on a block device with /.dockerenv in it
 * is a VM.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import type {VirtFacts} from '../core/results.js'

export type {VirtFacts}

/** What the readers found; each field absent when its source is. */
export interface VirtInputs {
  cpuFlags: string[]
  /** `systemd-detect-virt --vm` output ('none' on bare metal). */
  detectVirtVm?: string
  /** `systemd-detect-virt --container` output. */
  detectVirtContainer?: string
  dmi?: {vendor?: string; product?: string}
  /** /sys/hypervisor/type (Xen). */
  sysHypervisor?: string
  dockerenv: boolean
  containerenv: boolean
  /** `container=` from pid 1's environment. */
  pid1Container?: string
  /** pid 1's cgroup paths (/proc/1/cgroup, the path field of each line). */
  pid1Cgroups: string[]
  /** The filesystem type and source of the mount on / (from /proc/self/mountinfo). */
  rootFs?: {type: string; source: string}
  kvmDevice: boolean
  kvmModules: string[]
  kvmNested: Record<string, string>
}

/** DMI vendors that name a hypervisor (the values systemd-detect-virt maps them to). */
const DMI_HYPERVISORS: Array<[RegExp, string]> = [
  [/^QEMU/i, 'qemu'],
  [/^KVM/i, 'kvm'],
  [/^Amazon EC2/i, 'amazon'],
  [/^Google/i, 'google'],
  [/VMware/i, 'vmware'],
  [/^innotek|VirtualBox/i, 'oracle'],
  [/^Xen/i, 'xen'],
  [/^Microsoft Corporation/i, 'microsoft'],
  [/^Parallels/i, 'parallels'],
  [/^Bochs/i, 'bochs'],
  [/Firecracker/i, 'firecracker'],
  [/^Cloud Hypervisor/i, 'cloud-hypervisor'],
]

/** Root filesystems a container engine gives its containers (a VM boots from a block device). */
const ENGINE_ROOT_FS = ['overlay', 'aufs', 'fuse.fuse-overlayfs']

/** The conclusions from the inputs (pure: unit-tested). */
export function virtFrom(i: VirtInputs): VirtFacts {
  const evidence: string[] = []
  const flag = i.cpuFlags.includes('hypervisor')
  evidence.push(flag ? 'cpuinfo: hypervisor flag set' : 'cpuinfo: no hypervisor flag')
  let hypervisor: string | null = null
  if (i.detectVirtVm && i.detectVirtVm !== 'none') {
    hypervisor = i.detectVirtVm
    evidence.push(`systemd-detect-virt --vm: ${i.detectVirtVm} (CPUID hypervisor leaf, DMI)`)
  }
  if (i.dmi?.vendor || i.dmi?.product) {
    const name = DMI_HYPERVISORS.find(([re]) => re.test(i.dmi?.vendor ?? '') || re.test(i.dmi?.product ?? ''))?.[1]
    evidence.push(`DMI: ${[i.dmi.vendor, i.dmi.product].filter(Boolean).join(' / ')}`)
    hypervisor ??= name ?? null
  } else if (flag) {
    evidence.push('DMI: no table (/sys/class/dmi/id absent)')
  }
  if (i.sysHypervisor) {
    evidence.push(`/sys/hypervisor/type: ${i.sysHypervisor}`)
    hypervisor ??= i.sysHypervisor
  }
  if (!hypervisor && flag) hypervisor = 'unknown'

  let container: string | null = null
  if (i.pid1Container) {
    container = i.pid1Container
    evidence.push(`pid 1 environment: container=${i.pid1Container}`)
  }
  if (i.containerenv) {
    container ??= 'podman'
    evidence.push('/run/.containerenv present')
  }
  const inner = i.pid1Cgroups.filter((p) => p !== '/' && p !== '/init.scope')
  if (inner.length > 0) {
    const engine = /docker/.test(inner[0]!) ? 'docker' : /lxc/.test(inner[0]!) ? 'lxc' : /kubepods/.test(inner[0]!) ? 'kubernetes' : 'container'
    container ??= engine
    evidence.push(`pid 1 cgroup: ${inner[0]}`)
  }
  if (i.dockerenv) {
    const engineRoot = i.rootFs && ENGINE_ROOT_FS.includes(i.rootFs.type)
    if (engineRoot) {
      container ??= 'docker'
      evidence.push(`/.dockerenv present, / is ${i.rootFs!.type}`)
    } else if (container) evidence.push('/.dockerenv present')
    else
      evidence.push(
        `/.dockerenv present but no sign of a running container (/ is ${i.rootFs ? `${i.rootFs.type} on ${i.rootFs.source}` : 'unknown'}, pid 1 in the root cgroup, no container= in its environment): a file left in the root filesystem`,
      )
    if (container === 'container') container = 'docker'
  }
  if (i.detectVirtContainer && i.detectVirtContainer !== 'none' && !container)
    evidence.push(`systemd-detect-virt --container: ${i.detectVirtContainer} (discounted: it takes /.dockerenv alone for a container)`)

  if (i.kvmDevice) {
    const nested = Object.entries(i.kvmNested).map(([m, v]) => `${m} nested=${v}`)
    evidence.push(`/dev/kvm present; KVM modules: ${i.kvmModules.join(', ') || 'none listed'}${nested.length ? ` (${nested.join(', ')})` : ''}`)
    if (i.kvmModules.includes('kvm_pvm'))
      evidence.push('kvm_pvm: /dev/kvm is PVM (pagetable-based virtual machines: nested virtualization without VMX/SVM in this guest)')
  }
  return {
    hypervisor,
    ...(i.dmi?.vendor || i.dmi?.product ? {dmi: i.dmi} : {}),
    container,
    kvm: {device: i.kvmDevice, modules: i.kvmModules, nested: i.kvmNested},
    evidence,
  }
}

/** One line for the report: "kvm guest · /dev/kvm by kvm_pvm (nested)", "docker container on a kvm guest", or undefined on bare metal. */
export function virtSummary(v: VirtFacts): string | undefined {
  const parts: string[] = []
  if (v.container) parts.push(`${v.container} container${v.hypervisor ? ` on a ${v.hypervisor} guest` : ''}`)
  else if (v.hypervisor) parts.push(v.hypervisor === 'unknown' ? 'guest of an unidentified hypervisor' : `${v.hypervisor} guest`)
  if (v.kvm.device) {
    const vendor = v.kvm.modules.filter((m) => m !== 'kvm')
    // Nested: KVM offered by a host that is itself a guest (PVM exists only for that).
    parts.push(`/dev/kvm by ${vendor.join(', ') || 'kvm'}${vendor.includes('kvm_pvm') || v.hypervisor ? ' (nested)' : ''}`)
  }
  return parts.length ? parts.join(' · ') : undefined
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

async function detectVirt(flag: '--vm' | '--container'): Promise<string | undefined> {
  // Exit 1 with "none" when there is nothing; a missing binary is an error: no answer.
  const r = await execa('systemd-detect-virt', [flag], {reject: false, timeout: 5000})
  return r.failed && !r.stdout ? undefined : r.stdout.trim() || undefined
}

/** Read the inputs from /proc, /sys and systemd-detect-virt (a few ms; outside timed regions). */
export async function readVirtInputs(): Promise<VirtInputs> {
  const flags = /^flags\s*:\s*(.*)$/m.exec(read('/proc/cpuinfo') ?? '')?.[1]?.split(/\s+/) ?? []
  const environ = read('/proc/1/environ')
  const pid1Container = environ
    ?.split('\0')
    .find((e) => e.startsWith('container='))
    ?.slice('container='.length)
  const cgroups = (read('/proc/1/cgroup') ?? '')
    .split('\n')
    .map((l) => l.split(':').slice(2).join(':'))
    .filter(Boolean)
  const modules = existsSync('/sys/module') ? readdirSync('/sys/module').filter((m) => m === 'kvm' || m.startsWith('kvm_')) : []
  const nested: Record<string, string> = {}
  for (const m of modules) {
    const v = read(join('/sys/module', m, 'parameters', 'nested'))
    if (v !== undefined) nested[m] = v
  }
  const root = (read('/proc/self/mountinfo') ?? '')
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[4] === '/')
  const sep = root?.indexOf('-') ?? -1
  const rootFs = root && sep > 0 ? {type: root[sep + 1] ?? '', source: root[sep + 2] ?? ''} : undefined
  const [vm, ctr] = await Promise.all([detectVirt('--vm'), detectVirt('--container')])
  const vendor = read('/sys/class/dmi/id/sys_vendor')
  const product = read('/sys/class/dmi/id/product_name')
  return {
    cpuFlags: flags,
    detectVirtVm: vm,
    detectVirtContainer: ctr,
    ...(vendor || product ? {dmi: {vendor, product}} : {}),
    sysHypervisor: read('/sys/hypervisor/type'),
    dockerenv: existsSync('/.dockerenv'),
    containerenv: existsSync('/run/.containerenv'),
    pid1Container,
    pid1Cgroups: cgroups,
    rootFs,
    kvmDevice: existsSync('/dev/kvm'),
    kvmModules: modules,
    kvmNested: nested,
  }
}

/** This host's virtualization facts. */
export async function virtFacts(): Promise<VirtFacts> {
  return virtFrom(await readVirtInputs())
}
