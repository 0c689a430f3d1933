import {describe, expect, it} from 'vitest'
import {parseCgroupMode} from '../../../src/host/cgroups.js'

describe('cgroup mode', () => {
  it('detects hybrid (v1 controllers + cgroup2 at unified)', () => {
    const mounts = 'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n'
    expect(parseCgroupMode(mounts)).toBe('hybrid')
  })
  it('detects v2 (unified at /sys/fs/cgroup)', () => {
    expect(parseCgroupMode('cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n')).toBe('v2')
  })
  it('detects v1', () => {
    expect(parseCgroupMode('cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n')).toBe('v1')
  })
  it('detects none', () => {
    expect(parseCgroupMode('proc /proc proc rw 0 0\n')).toBe('none')
  })
})
