/** Which cgroup layout this host has: v2 (unified), v1, or hybrid (v1 controllers + a v2 mount). */
import {readFileSync} from 'node:fs'

export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none'

export function parseCgroupMode(mounts: string): CgroupMode {
  let v1 = false
  let v2 = false
  let v2AtRoot = false
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ')
    if (type === 'cgroup') v1 = true
    if (type === 'cgroup2') {
      v2 = true
      if (mountPoint === '/sys/fs/cgroup') v2AtRoot = true
    }
  }
  if (v2AtRoot && !v1) return 'v2'
  if (v1 && v2) return 'hybrid'
  if (v1) return 'v1'
  return v2 ? 'v2' : 'none'
}

export function cgroupMode(): CgroupMode {
  return parseCgroupMode(readFileSync('/proc/mounts', 'utf8'))
}
