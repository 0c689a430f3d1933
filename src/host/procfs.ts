/** Per-process memory and CPU from /proc, summed over an instance's host processes; and the mounts below a directory. */
import {readFileSync, readdirSync} from 'node:fs'
import type {ResourceSample} from '../core/arm.js'

const CLK_TCK = 100 // sysconf(_SC_CLK_TCK) is 100 on every Linux architecture we run on

export interface ProcMemory {
  rss: number
  pss: number
  uss: number
}

/** Memory of one process from /proc/PID/smaps_rollup, in bytes; null if it has exited. */
export function readProcMemory(pid: number): ProcMemory | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  } catch {
    return null
  }
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)
    return m ? Number(m[1]) * 1024 : 0
  }
  return {
    rss: kb('Rss'),
    pss: kb('Pss'),
    uss: kb('Private_Clean') + kb('Private_Dirty'),
  }
}

/**
 * The fields of /proc/PID/stat from field 3 (state) on, so field N is at index N − 3 (proc(5)); null
 * when the process does not exist. The comm before them may hold spaces and ')'.
 */
export function statFields(pid: number): string[] | null {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** utime+stime of one process in seconds (children that were waited for included); null if gone. */
export function readProcCpuSeconds(pid: number, includeChildren = false): number | null {
  const fields = statFields(pid)
  if (!fields) return null
  // fields[0] is state (field 3); utime is field 14 → index 11, stime 12, cutime 13, cstime 14.
  const ticks = Number(fields[11]) + Number(fields[12]) + (includeChildren ? Number(fields[13]) + Number(fields[14]) : 0)
  return ticks / CLK_TCK
}

/** All descendants of a process (children, grandchildren, …), from /proc/PID/task/TID/children. */
export function descendants(pid: number): number[] {
  const out: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    const p = queue.shift()!
    let tids: string[] = []
    try {
      tids = readdirSync(`/proc/${p}/task`)
    } catch {
      continue
    }
    for (const tid of tids) {
      let children = ''
      try {
        children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8')
      } catch {
        continue
      }
      for (const c of children.trim().split(/\s+/).filter(Boolean)) {
        out.push(Number(c))
        queue.push(Number(c))
      }
    }
  }
  return out
}

/** Sum memory and CPU over a set of PIDs (processes that exited meanwhile count as zero). */
export function sampleProcesses(pids: number[]): ResourceSample {
  let rss = 0
  let pss = 0
  let uss = 0
  let cpu = 0
  for (const pid of pids) {
    const mem = readProcMemory(pid)
    if (mem) {
      rss += mem.rss
      pss += mem.pss
      uss += mem.uss
    }
    cpu += readProcCpuSeconds(pid) ?? 0
  }
  return {rssBytes: rss, pssBytes: pss, ussBytes: uss, cpuSeconds: cpu}
}

/** The name (comm) isobench-launch's relay process gives itself (relay.c): the harness, never the instance. */
export const RELAY_COMM = 'isobench-relay'

/**
 * `root` and its descendants, without the launcher's relay (the process that stamps an instance's
 * markers: it belongs to the harness, so its memory and CPU are in no instance figure).
 */
export function instanceTree(root: number): number[] {
  return [root, ...descendants(root)].filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== RELAY_COMM
    } catch {
      return false // gone
    }
  })
}

/**
 * Mount points at or below dir in this process's mount namespace, in mount order (parents before
 * what is mounted on them), from /proc/self/mountinfo's field 5 (proc(5); a blank is escaped as \040).
 */
export function mountsBelow(dir: string): string[] {
  const out: string[] = []
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4]?.replace(/\\040/g, ' ')
    if (mp && (mp === dir || mp.startsWith(`${dir}/`))) out.push(mp)
  }
  return out
}
