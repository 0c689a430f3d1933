/**
 * Where a process's memory goes, from /proc/PID/smaps (proc(5)): each mapping's address range,
 * permissions, backing file and PSS. For a VMM (qemu) the mappings split into the guest's RAM (the
 * anonymous mapping of exactly the guest's size: the pages the guest touched), the boot files it
 * maps (kernel image, initramfs: file pages shared by every VM booting them), the TCG translation
 * cache (the anonymous executable mapping, or qemu's `tcg-jit` memfd on W^X hosts), the VMM binary,
 * and the rest (heap, libraries, stacks).
 */
import {readFileSync, readlinkSync} from 'node:fs'

export interface Mapping {
  /** Size of the address range in bytes. */
  size: number
  perms: string
  /** Backing file or pseudo-name ('[heap]', '/memfd:…'); '' for an anonymous mapping. */
  path: string
  pssBytes: number
  rssBytes: number
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$/

export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = []
  let cur: Mapping | null = null
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line)
    if (h) {
      cur = {size: parseInt(h[2]!, 16) - parseInt(h[1]!, 16), perms: h[3]!, path: h[4]!.trim(), pssBytes: 0, rssBytes: 0}
      out.push(cur)
      continue
    }
    if (!cur) continue
    const kb = /^(Pss|Rss):\s+(\d+) kB/.exec(line)
    if (kb) cur[kb[1] === 'Pss' ? 'pssBytes' : 'rssBytes'] = Number(kb[2]) * 1024
  }
  return out
}

/** The parts of a VMM's memory, PSS in bytes. */
export interface VmmMemoryParts {
  guestRam: number
  bootFiles: number
  tcgCache: number
  vmmBinary: number
  heapAndLibs: number
}

const isLibrary = (path: string) => /\.so(\.[\d.]+)?$/.test(path)

/**
 * Split a VMM's mappings. `guestBytes`: the guest's RAM size, matched exactly (qemu allocates it as
 * one anonymous mapping); without it (or no exact match) the largest anonymous, non-executable
 * mapping of at least 32 MiB is taken as guest RAM. `exe`: the VMM binary's path.
 */
export function vmmMemoryParts(mappings: readonly Mapping[], opts: {guestBytes?: number; exe?: string}): VmmMemoryParts {
  const parts: VmmMemoryParts = {guestRam: 0, bootFiles: 0, tcgCache: 0, vmmBinary: 0, heapAndLibs: 0}
  const anonymous = (m: Mapping) => m.path === ''
  let guest = mappings.filter((m) => anonymous(m) && !m.perms.includes('x') && opts.guestBytes !== undefined && m.size === opts.guestBytes)
  if (guest.length === 0) {
    const largest = mappings.filter((m) => anonymous(m) && !m.perms.includes('x')).sort((a, b) => b.size - a.size)[0]
    guest = largest && largest.size >= 32 * 1024 * 1024 ? [largest] : []
  }
  for (const m of mappings) {
    if (guest.includes(m)) parts.guestRam += m.pssBytes
    else if ((anonymous(m) && m.perms.includes('x')) || m.path.startsWith('/memfd:tcg-jit')) parts.tcgCache += m.pssBytes
    else if (opts.exe && m.path === opts.exe) parts.vmmBinary += m.pssBytes
    else if (m.path.startsWith('/') && !isLibrary(m.path) && !m.path.startsWith('/dev/') && !m.path.startsWith('/memfd:')) parts.bootFiles += m.pssBytes
    else parts.heapAndLibs += m.pssBytes
  }
  return parts
}

/** vmmMemoryParts of a live process; null once it has exited. */
export function readVmmMemoryParts(pid: number, guestBytes?: number): VmmMemoryParts | null {
  try {
    const text = readFileSync(`/proc/${pid}/smaps`, 'utf8')
    let exe: string | undefined
    try {
      exe = readlinkSync(`/proc/${pid}/exe`)
    } catch {
      // not ours to read: the binary stays in heapAndLibs
    }
    return vmmMemoryParts(parseSmaps(text), {guestBytes, exe})
  } catch {
    return null
  }
}

/** PSS of a process in bytes from smaps_rollup; null once it has exited. */
export function readPss(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return null
  }
}
