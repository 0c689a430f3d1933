/**
 * The record of each VM we start: `<stateDir>/vm/instances/<id>/meta.json`, written before qemu is
 * spawned and updated with its pid. `vm ls` reads these; `vm stop` and `vm prune` act on them, and
 * prune also finds qemu processes by their `-name isobench-vm-<id>` when the record is gone.
 */
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../host/fs.js'
import type {Machine, VmAccel} from './qemu-args.js'
import {instanceDir, instancesDir} from './paths.js'

export interface VmMeta {
  id: string
  /** qemu's pid (0 until spawned). */
  pid: number
  /** The isobench process that started it; a non-detached VM whose owner is dead is a leftover. */
  ownerPid: number
  detached: boolean
  createdAt: string
  machine: Machine
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
  qmpSocket: string
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

/** Is `pid` a qemu process started for instance `id` (and not a recycled pid)? */
export function isOurQemu(pid: number, id: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    const i = argv.indexOf('-name')
    return i >= 0 && qemuName(argv[i + 1]) === `isobench-vm-${id}`
  } catch {
    return false
  }
}

/** Every running qemu process with an isobench `-name`: pid → instance id. */
export function findQemuProcesses(): Map<number, string> {
  const out = new Map<number, string>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let argv: string[]
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
    } catch {
      continue
    }
    if (!argv[0]?.includes('qemu-system')) continue
    const i = argv.indexOf('-name')
    const name = i >= 0 ? qemuName(argv[i + 1]) : undefined
    if (name?.startsWith('isobench-vm-')) out.set(Number(entry), name.slice('isobench-vm-'.length))
  }
  return out
}
