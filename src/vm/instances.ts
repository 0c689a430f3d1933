/**
 * The record of each VM we start: `<stateDir>/vm/instances/<id>/meta.json`, written before the VMM
 * is spawned and updated with its pid. `vm ls` reads these; `vm stop` and `vm prune` act on them, and
 * prune also finds VMM processes when the record is gone: qemu by its `-name isobench-vm-<id>`,
 * Firecracker and Cloud Hypervisor by a file of the instance dir on their command line (the config
 * file, the log file: `…/vm/instances/<id>/…`).
 */
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../host/fs.js'
import type {Machine, VmAccel} from './qemu-args.js'
import {instanceDir, instancesDir} from './paths.js'

/** The VMMs that can run an instance (vm/vmms.ts); a record without one is qemu's. */
export type VmmName = 'qemu' | 'firecracker' | 'cloud-hypervisor'

export interface VmMeta {
  id: string
  /** The VMM's pid (0 until spawned). */
  pid: number
  /** Absent: qemu (records written before the other VMMs could run). */
  vmm?: VmmName
  /** The isobench process that started it; a non-detached VM whose owner is dead is a leftover. */
  ownerPid: number
  detached: boolean
  createdAt: string
  /** qemu's machine type; Firecracker and Cloud Hypervisor have one machine each (named after them). */
  machine: Machine | 'firecracker' | 'cloud-hypervisor'
  accel: VmAccel
  cpus: number
  memoryMiB: number
  image?: string
  rootfsDigest: string
  artefact: 'initramfs' | 'ext4'
  network: 'none' | 'user' | 'tap'
  forwards: Array<{hostPort: number; guestPort: number}>
  tap?: string
  ip?: string
  /** qemu's QMP socket (the other VMMs run without an API socket). */
  qmpSocket?: string
  serialLog?: string
}

export function metaPath(stateDir: string, id: string): string {
  return join(instanceDir(stateDir, id), 'meta.json')
}

export function writeMeta(stateDir: string, meta: VmMeta): void {
  writeFileAtomic(metaPath(stateDir, meta.id), JSON.stringify(meta, null, 2))
}

export function readMeta(stateDir: string, id: string): VmMeta | null {
  try {
    return JSON.parse(readFileSync(metaPath(stateDir, id), 'utf8')) as VmMeta
  } catch {
    return null
  }
}

export function listInstanceIds(stateDir: string): string[] {
  const dir = instancesDir(stateDir)
  return existsSync(dir) ? readdirSync(dir) : []
}

/** The guest name of a qemu `-name` value (`NAME[,debug-threads=on]`, or `guest=NAME,…`). */
export function qemuName(value: string | undefined): string | undefined {
  const first = value?.split(',')[0]
  return first?.startsWith('guest=') ? first.slice('guest='.length) : first
}

/** Binaries (basenames) of the VMMs whose processes prune recognises by an instance file on their command line. */
const FILE_NAMED_VMMS = ['firecracker', 'cloud-hypervisor']

/**
 * The instance id a VMM process's argv names, if it is one of ours: qemu's `-name isobench-vm-<id>`;
 * for Firecracker and Cloud Hypervisor, an argument that is a path `…/vm/instances/<id>/<file>`
 * (their config or log file). Pure; undefined for any other process.
 */
export function vmProcessInstance(argv: string[]): string | undefined {
  const bin = argv[0]?.split('/').pop() ?? ''
  if (bin.startsWith('qemu-system')) {
    const i = argv.indexOf('-name')
    const name = i >= 0 ? qemuName(argv[i + 1]) : undefined
    return name?.startsWith('isobench-vm-') ? name.slice('isobench-vm-'.length) : undefined
  }
  if (!FILE_NAMED_VMMS.includes(bin)) return undefined
  for (const a of argv.slice(1)) {
    const m = /\/vm\/instances\/([^/]+)\/[^/]+$/.exec(a)
    if (m) return m[1]
  }
  return undefined
}

function procArgv(pid: number | string): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return null
  }
}

/** Is `pid` a VMM process (qemu, Firecracker, Cloud Hypervisor) started for instance `id` (and not a recycled pid)? */
export function isOurVm(pid: number, id: string): boolean {
  const argv = procArgv(pid)
  return argv !== null && vmProcessInstance(argv) === id
}

/** Every running VMM process of ours (qemu with an isobench `-name`, Firecracker, Cloud Hypervisor): pid → instance id. */
export function findVmProcesses(): Map<number, string> {
  const out = new Map<number, string>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const argv = procArgv(entry)
    const id = argv ? vmProcessInstance(argv) : undefined
    if (id) out.set(Number(entry), id)
  }
  return out
}
