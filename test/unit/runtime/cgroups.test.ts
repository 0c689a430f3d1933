import {describe, expect, it} from 'vitest'
import {cgroupPlan, parseCgroupLayout, sharesToWeight} from '../../../src/runtime/cgroups/cgroups.js'
import {DEFAULT_DEVICE_RULES, deviceCgroupMode, deviceRuleText} from '../../../src/runtime/cgroups/devices.js'

const HYBRID = `cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,nosuid,nodev,noexec,relatime,cpu 0 0
cgroup /sys/fs/cgroup/cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpuacct 0 0
cgroup /sys/fs/cgroup/cpuset cgroup rw,nosuid,nodev,noexec,relatime,cpuset 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0
cgroup /sys/fs/cgroup/devices cgroup rw,nosuid,nodev,noexec,relatime,devices 0 0`
const V1_COMOUNTED = `cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0`
const V2 = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0'

describe('cgroup layout', () => {
  it("tells hybrid, v1 and v2 apart and never uses a hybrid host's v2 mount for limits", () => {
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
    expect(plan.dirs).toEqual([
      '/sys/fs/cgroup/memory/isobench/c1',
      '/sys/fs/cgroup/cpuacct/isobench/c1',
      '/sys/fs/cgroup/cpu/isobench/c1',
      '/sys/fs/cgroup/cpuset/isobench/c1',
      '/sys/fs/cgroup/pids/isobench/c1',
      '/sys/fs/cgroup/devices/isobench/c1',
    ])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpu/isobench/c1/cpu.cfs_quota_us', '150000'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpu/isobench/c1/cpu.cfs_period_us', '100000'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpu/isobench/c1/cpu.shares', '512'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/memory/isobench/c1/memory.limit_in_bytes', String(64 * 1024 * 1024)])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/cpuset/isobench/c1/cpuset.cpus', '0'])
    expect(plan.settings).toContainEqual(['/sys/fs/cgroup/pids/isobench/c1/pids.max', '100'])
    expect(plan.memoryUsageFile).toBe('/sys/fs/cgroup/memory/isobench/c1/memory.usage_in_bytes')
    expect(plan.cpuUsage).toEqual({file: '/sys/fs/cgroup/cpuacct/isobench/c1/cpuacct.usage', kind: 'v1-ns'})
  })

  it('v1 without limits joins only the accounting hierarchies and the device cgroup (each extra one costs a migration)', () => {
    const plan = cgroupPlan(parseCgroupLayout(HYBRID), 'c2', {})
    expect(plan.dirs).toEqual(['/sys/fs/cgroup/memory/isobench/c2', '/sys/fs/cgroup/cpuacct/isobench/c2', '/sys/fs/cgroup/devices/isobench/c2'])
    expect(plan.settings).toEqual([])
  })

  it('co-mounted v1 controllers share one dir', () => {
    const plan = cgroupPlan(parseCgroupLayout(V1_COMOUNTED), 'c3', {cpus: 1})
    expect(plan.dirs).toEqual(['/sys/fs/cgroup/memory/isobench/c3', '/sys/fs/cgroup/cpu,cpuacct/isobench/c3'])
  })

  it('v2: one dir with cpu.max, cpu.weight, cpuset.cpus, memory.max, pids.max', () => {
    const plan = cgroupPlan(
      parseCgroupLayout(V2, () => ['cpuset', 'cpu', 'memory', 'pids']),
      'c4',
      {cpus: 0.5, cpuShares: 1024, cpuset: '0-1', memoryMiB: 32, pids: 10},
    )
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

describe('device cgroup plan', () => {
  it('hybrid and v1 hosts: the v1 devices hierarchy, with the default allowlist', () => {
    const plan = cgroupPlan(parseCgroupLayout(HYBRID), 'd1', {})
    expect(plan.devices).toEqual({mode: 'v1', dir: '/sys/fs/cgroup/devices/isobench/d1', rules: DEFAULT_DEVICE_RULES})
  })

  it('forced v2 on a hybrid host: a dir in its cgroup2 mount (BPF program), joined like the others', () => {
    const layout = parseCgroupLayout(HYBRID)
    const plan = cgroupPlan(layout, 'd2', {}, deviceCgroupMode(layout, 'v2'))
    expect(plan.devices).toMatchObject({mode: 'v2', dir: '/sys/fs/cgroup/unified/isobench/d2'})
    expect(plan.dirs).toContain('/sys/fs/cgroup/unified/isobench/d2')
    expect(plan.dirs).not.toContain('/sys/fs/cgroup/devices/isobench/d2')
  })

  it("v2 hosts: the container's own cgroup, no extra dir", () => {
    const layout = parseCgroupLayout(V2, () => ['memory'])
    expect(deviceCgroupMode(layout)).toBe('v2')
    const plan = cgroupPlan(layout, 'd3', {})
    expect(plan.dirs).toEqual(['/sys/fs/cgroup/isobench/d3'])
    expect(plan.devices).toMatchObject({mode: 'v2', dir: '/sys/fs/cgroup/isobench/d3'})
  })

  it('forcing a mechanism the host lacks is an error; a host with neither has no device plan', () => {
    expect(() => deviceCgroupMode(parseCgroupLayout(V2), 'v1')).toThrow(/no cgroup v1 devices hierarchy/)
    expect(() => deviceCgroupMode(parseCgroupLayout(V1_COMOUNTED), 'v2')).toThrow(/no cgroup2 mount/)
    expect(() => deviceCgroupMode(parseCgroupLayout(HYBRID), 'v3')).toThrow(/expected v1, v2 or auto/)
    expect(cgroupPlan(parseCgroupLayout(V1_COMOUNTED), 'd4', {}).devices).toBeNull()
  })
})

describe('default device allowlist', () => {
  it("is Docker's spec (moby oci/defaults.go) followed by runc's AllowedDevices, deny-all first", () => {
    expect(DEFAULT_DEVICE_RULES[0]).toEqual({allow: false, access: 'rwm'})
    const text = DEFAULT_DEVICE_RULES.map(deviceRuleText)
    // moby DefaultLinuxSpec: zero, null, urandom, random, tty, console allowed; fuse denied.
    expect(text.slice(0, 8)).toEqual([
      'deny a *:* rwm',
      'allow c 1:5 rwm',
      'allow c 1:3 rwm',
      'allow c 1:9 rwm',
      'allow c 1:8 rwm',
      'allow c 5:0 rwm',
      'allow c 5:1 rwm',
      'deny c 10:229 rwm',
    ])
    // runc AllowedDevices: mknod of anything, the standard nodes, pts, ptmx, tun.
    expect(text.slice(8)).toEqual([
      'allow c *:* m',
      'allow b *:* m',
      'allow c 1:3 rwm',
      'allow c 1:8 rwm',
      'allow c 1:7 rwm',
      'allow c 5:0 rwm',
      'allow c 1:5 rwm',
      'allow c 1:9 rwm',
      'allow c 136:* rwm',
      'allow c 5:2 rwm',
      'allow c 10:200 rwm',
    ])
    // Never anything that reads or writes kmsg (1:11), mem (1:1), loop (7:*) or a disk.
    expect(text.filter((t) => / (1:11|1:1|7:\*|7:0|8:0|254:0) [rw]/.test(t))).toEqual([])
  })
})
