import {describe, expect, it} from 'vitest'
import {cgroupPlan, parseCgroupLayout, sharesToWeight} from '../../../src/runtime/cgroups/cgroups.js'

const HYBRID = `cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,nosuid,nodev,noexec,relatime,cpu 0 0
cgroup /sys/fs/cgroup/cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpuacct 0 0
cgroup /sys/fs/cgroup/cpuset cgroup rw,nosuid,nodev,noexec,relatime,cpuset 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0`
const V1_COMOUNTED = `cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0`
const V2 = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0'

describe('cgroup layout', () => {
  it('tells hybrid, v1 and v2 apart and never uses a hybrid host\'s v2 mount for limits', () => {
    const hybrid = parseCgroupLayout(HYBRID, () => ['hugetlb'])
    expect(hybrid.mode).toBe('hybrid')
    expect(hybrid.v2).toBeNull()
    expect(hybrid.v1.memory).toBe('/sys/fs/cgroup/memory')
    expect(parseCgroupLayout(V1_COMOUNTED).mode).toBe('v1')
    const v2 = parseCgroupLayout(V2, () => ['cpuset', 'cpu', 'io', 'memory', 'pids'])
    expect(v2).toMatchObject({mode: 'v2', v2: '/sys/fs/cgroup'})
  })
})

describe('cgroupPlan', () => {
  it('v1/hybrid: quota, shares, cpuset, memory and pids each in their hierarchy, usage read-back files', () => {
    const plan = cgroupPlan(parseCgroupLayout(HYBRID), 'c1', {cpus: 1.5, cpuShares: 512, cpuset: '0', memoryMiB: 64, pids: 100})
    expect(plan.dirs).toEqual(['/sys/fs/cgroup/memory/isobench/c1', '/sys/fs/cgroup/cpuacct/isobench/c1', '/sys/fs/cgroup/cpu/isobench/c1', '/sys/fs/cgroup/cpuset/isobench/c1', '/sys/fs/cgroup/pids/isobench/c1'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpu/isobench/c1/cpu.cfs_quota_us', '150000'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpu/isobench/c1/cpu.cfs_period_us', '100000'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpu/isobench/c1/cpu.shares', '512'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/memory/isobench/c1/memory.limit_in_bytes', String(64 * 1024 * 1024)])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpuset/isobench/c1/cpuset.cpus', '0'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/pids/isobench/c1/pids.max', '100'])
    expect(plan.memoryUsageFile).toBe('/sys/fs/cgroup/memory/isobench/c1/memory.usage_in_bytes')
    expect(plan.cpuUsage).toEqual({file: '/sys/fs/cgroup/cpuacct/isobench/c1/cpuacct.usage', kind: 'v1-ns'})
  })

  it('v1 without limits joins only the accounting hierarchies (each extra one costs a migration)', () => {
    const plan = cgroupPlan(parseCgroupLayout(HYBRID), 'c2', {})
    expect(plan.dirs).toEqual(['/sys/fs/cgroup/memory/isobench/c2', '/sys/fs/cgroup/cpuacct/isobench/c2'])
    expect(plan.settings).toEqual([])
  })

  it('co-mounted v1 controllers share one dir', () => {
    const plan = cgroupPlan(parseCgroupLayout(V1_COMOUNTED), 'c3', {cpus: 1})
    expect(plan.dirs).toEqual(['/sys/fs/cgroup/memory/isobench/c3', '/sys/fs/cgroup/cpu,cpuacct/isobench/c3'])
  })

  it('v2: one dir with cpu.max, cpu.weight, cpuset.cpus, memory.max, pids.max', () => {
    const plan = cgroupPlan(parseCgroupLayout(V2, () => ['cpuset', 'cpu', 'memory', 'pids']), 'c4', {cpus: 0.5, cpuShares: 1024, cpuset: '0-1', memoryMiB: 32, pids: 10})
    expect(plan.dirs).toEqual(['/sys/fs/cgroup/isobench/c4'])
    expect(Object.fromEntries(plan.settings)).toEqual({
      '/sys/fs/cgroup/isobench/c4/cpu.max': '50000 100000',
      '/sys/fs/cgroup/isobench/c4/cpu.weight': String(sharesToWeight(1024)),
      '/sys/fs/cgroup/isobench/c4/cpuset.cpus': '0-1',
      '/sys/fs/cgroup/isobench/c4/memory.max': String(32 * 1024 * 1024),
      '/sys/fs/cgroup/isobench/c4/memory.swap.max': '0',
      '/sys/fs/cgroup/isobench/c4/pids.max': '10',
    })
    expect(plan.cpuUsage?.kind).toBe('v2-stat')
  })

  it('shares → weight follows runc: 2 → 1, 1024 → 39, 262144 → 10000', () => {
    expect(sharesToWeight(2)).toBe(1)
    expect(sharesToWeight(1024)).toBe(39)
    expect(sharesToWeight(262_144)).toBe(10_000)
  })
})
