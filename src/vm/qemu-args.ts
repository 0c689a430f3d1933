/**
 * The qemu command line, as data in → argv out (pure; unit-tested). One place decides every flag:
 * machine and its virtio transport, accelerator, CPUs and RAM, kernel/initrd/cmdline, serial on
 * stdio (markers), QMP socket, network (user-mode with loopback port forwards, or a tap), disk.
 */

export const QEMU_BINARY = 'qemu-system-x86_64'

export type Machine = 'microvm' | 'q35' | 'pc'
export type VmAccel = 'kvm' | 'tcg'

/** The user-mode network's private subnet: inside 198.18.0.0/15, like every address we use. */
export const USER_NET = {net: '198.19.254.0/24', host: '198.19.254.2', dns: '198.19.254.3', guest: '198.19.254.15', prefix: 24}

export type VmNetwork = {mode: 'none'} | {mode: 'user'; forwards: Array<{hostPort: number; guestPort: number}>} | {mode: 'tap'; ifname: string; mac: string}

export interface QemuArgsInput {
  /** The -name, which is also how prune recognises our processes. */
  name: string
  machine: Machine
  accel: VmAccel
  /** TCG translation cache size in MiB (bounded: qemu's default is 1 GiB). */
  tbSizeMiB: number
  cpus: number
  memoryMiB: number
  kernel: string
  initrd: string
  cmdline: string
  qmpSocket: string
  /** 'stdio' (the arm reads markers from qemu's stdout) or a file path (detached VMs). */
  serial: 'stdio' | {file: string}
  network: VmNetwork
  /** A disk image for the root (qcow2 overlay of the cached ext4). */
  disk?: {path: string; format: 'qcow2' | 'raw'; cache?: 'unsafe' | 'none'}
}

/** Device names per machine: microvm has virtio-mmio, the PC machines have PCI. */
export function virtioDevice(machine: Machine, kind: 'net' | 'blk'): string {
  return `virtio-${kind}-${machine === 'microvm' ? 'device' : 'pci'}`
}

/** The guest kernel module that provides the virtio transport for a machine. */
export function virtioTransportModule(machine: Machine): string {
  return machine === 'microvm' ? 'virtio_mmio' : 'virtio_pci'
}

export function qemuArgs(i: QemuArgsInput): string[] {
  const machine = i.machine === 'microvm' ? 'microvm,isa-serial=on,pcie=off' : i.machine
  const accel = i.accel === 'tcg' ? `tcg,thread=multi,tb-size=${i.tbSizeMiB}` : 'kvm'
  const args = [
    '-name',
    // debug-threads names qemu's threads ('CPU 0/TCG', 'worker', 'IO …'): the attribution counters split its CPU by them.
    `${i.name},debug-threads=on`,
    '-M',
    machine,
    '-accel',
    accel,
    '-smp',
    String(i.cpus),
    '-m',
    `${i.memoryMiB}M`,
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-serial',
    i.serial === 'stdio' ? 'stdio' : `file:${i.serial.file}`,
    '-qmp',
    `unix:${i.qmpSocket},server=on,wait=off`,
    '-kernel',
    i.kernel,
    '-initrd',
    i.initrd,
    '-append',
    i.cmdline,
  ]
  if (i.network.mode === 'user') {
    const fwd = i.network.forwards.map((f) => `,hostfwd=tcp:127.0.0.1:${f.hostPort}-:${f.guestPort}`).join('')
    args.push('-netdev', `user,id=n0,net=${USER_NET.net},host=${USER_NET.host},dns=${USER_NET.dns}${fwd}`)
    args.push('-device', `${virtioDevice(i.machine, 'net')},netdev=n0`)
  } else if (i.network.mode === 'tap') {
    args.push('-netdev', `tap,id=n0,ifname=${i.network.ifname},script=no,downscript=no`)
    args.push('-device', `${virtioDevice(i.machine, 'net')},netdev=n0,mac=${i.network.mac}`)
  }
  if (i.disk) {
    args.push('-drive', `file=${i.disk.path},format=${i.disk.format},if=none,id=d0,cache=${i.disk.cache ?? 'unsafe'}`)
    args.push('-device', `${virtioDevice(i.machine, 'blk')},drive=d0`)
  }
  return args
}

/** `qemu -M help` lists microvm? */
export function machineListHasMicrovm(helpText: string): boolean {
  return /^microvm\s/m.test(helpText)
}

/** Parse a size like 256M, 1G, 512 (MiB) into MiB. */
export function parseMemoryMiB(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]i?[bB]?)?$/.exec(text.trim())
  if (!m) return null
  const n = Number(m[1])
  const unit = (m[2] ?? 'M')[0]!.toUpperCase()
  const mib = unit === 'K' ? n / 1024 : unit === 'G' ? n * 1024 : n
  return mib >= 1 ? Math.round(mib) : null
}
