import {describe, expect, it} from 'vitest'
import {cgroupPlan, parseCgroupLayout} from '../../../src/runtime/cgroups/cgroups.js'
import {containerPaths, nsexecArgs} from '../../../src/runtime/container/nsexec-args.js'
import {DEFAULT_DEVICE_RULES, deviceRuleText} from '../../../src/runtime/cgroups/devices.js'
import {rootfsMedium} from '../../../src/core/arm.js'
import type {ContainerConfig} from '../../../src/runtime/container/state.js'
import {hostVethName, intToIp, ipToInt, isLeasable} from '../../../src/runtime/network/bridge.js'

const config: ContainerConfig = {
  id: 'c1',
  image: 'idle',
  lowerDirs: ['/state/rootfs/abc'],
  rootfsMode: 'overlay',
  argv: ['/bin/sh', '-c', 'echo hi'],
  env: {A: '1'},
  cwd: '/',
  hostname: 'c1',
  network: 'bridge',
  limits: {memoryMiB: 64},
  mounts: [
    {type: 'bind', source: '/srv', target: '/srv', readonly: true},
    {type: 'volume', source: 'data', target: '/data', readonly: false},
  ],
  ports: [],
  autoRemove: false,
  createdAt: '2026-11-23T00:00:00Z',
}

describe('nsexecArgs', () => {
  const plan = cgroupPlan(parseCgroupLayout('cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0'), 'c1', config.limits)
  const paths = containerPaths('/state/containers/c1')

  it('overlay rootfs, new netns for bridge, cgroups, binds in order, state files, argv after --', () => {
    const a = nsexecArgs(config, paths, plan, {
      bindSources: ['/srv', '/state/volumes/data/_data'],
      tiedToParent: true,
      syncFd: 3,
      removeDir: false,
      stateFiles: true,
    })
    const s = a.join(' ')
    expect(a[0]).toBe('run')
    expect(s).toContain('--lower /state/rootfs/abc --upper /state/containers/c1/upper --work /state/containers/c1/work')
    expect(s).toContain('--net new')
    expect(s).toContain('--cgroup /sys/fs/cgroup/memory/isobench/c1')
    expect(s).toContain(`--cgset /sys/fs/cgroup/memory/isobench/c1/memory.limit_in_bytes=${64 * 1024 * 1024}`)
    expect(s).toContain('--bind-ro /srv=/srv --bind /state/volumes/data/_data=/data')
    expect(s).toContain('--pidfile /state/containers/c1/pid --exitfile /state/containers/c1/exit')
    expect(s).toContain('--cleanup /state/containers/c1/root --cleanup /state/containers/c1/upper --cleanup /state/containers/c1/work ')
    expect(s).not.toContain('--cleanup /state/containers/c1 ')
    expect(s).toContain('--sync-fd 3 --pdeathsig')
    expect(a.slice(a.indexOf('--') + 1)).toEqual(['/bin/sh', '-c', 'echo hi'])
  })

  it('auto-remove cleans the whole dir and writes no exit file; copy mode has no overlay; none → own netns', () => {
    const a = nsexecArgs({...config, rootfsMode: 'copy', network: 'none', mounts: []}, paths, plan, {
      bindSources: [],
      tiedToParent: false,
      removeDir: true,
      stateFiles: true,
    }).join(' ')
    expect(a).not.toContain('--lower')
    expect(a).toContain('--net none')
    expect(a).toContain('--cleanup /state/containers/c1 ')
    expect(a).not.toContain('--exitfile')
    expect(a).not.toContain('--pdeathsig')
  })

  it('a writable layer in memory: the container dir is the mount point, no upper/work dirs, nothing else to remove', () => {
    const mem = {...config, network: 'none' as const, mounts: [], writableLayer: 'memory' as const}
    const kept = nsexecArgs(mem, paths, plan, {bindSources: [], tiedToParent: true, removeDir: false, stateFiles: true}).join(' ')
    expect(kept).toContain('--root /state/containers/c1 ')
    expect(kept).toContain('--lower /state/rootfs/abc --upper-tmpfs')
    expect(kept).not.toContain('--upper ')
    expect(kept).not.toContain('--cleanup')
    const removed = nsexecArgs(mem, paths, plan, {bindSources: [], tiedToParent: true, removeDir: true, stateFiles: false}).join(' ')
    expect(removed).toContain('--cleanup /state/containers/c1 ')
    // Copy mode has no overlay, so no writable layer to place: the copied rootfs is the root.
    const copy = nsexecArgs({...mem, rootfsMode: 'copy'}, paths, plan, {bindSources: [], tiedToParent: true, removeDir: false, stateFiles: true}).join(' ')
    expect(copy).toContain('--root /state/containers/c1/root ')
    expect(copy).not.toContain('--upper-tmpfs')
  })

  it('the device allowlist goes to the cgroup of its mechanism, rule by rule in order; the seccomp filter as a compiled file', () => {
    const layout = parseCgroupLayout('cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup /sys/fs/cgroup/devices cgroup rw,devices 0 0')
    const a = nsexecArgs(config, paths, cgroupPlan(layout, 'c1', {}), {
      bindSources: ['/srv', '/v'],
      tiedToParent: true,
      removeDir: false,
      stateFiles: true,
      seccomp: {bpf: '/cache/d.bpf', flags: 0, digest: 'd'},
    })
    const s = a.join(' ')
    expect(s).toContain('--cgroup /sys/fs/cgroup/devices/isobench/c1')
    expect(s).toContain('--devices-v1 /sys/fs/cgroup/devices/isobench/c1')
    const rules = a.flatMap((x, i) => (x === '--device-rule' ? [a[i + 1]] : []))
    expect(rules).toEqual(DEFAULT_DEVICE_RULES.map(deviceRuleText))
    expect(rules[0]).toBe('deny a *:* rwm')
    expect(s).toContain('--seccomp-bpf /cache/d.bpf')
    expect(s).not.toContain('--seccomp-flags')
    const v2 = nsexecArgs(config, paths, cgroupPlan(layout, 'c1', {}, 'v2'), {
      bindSources: ['/srv', '/v'],
      tiedToParent: true,
      removeDir: false,
      stateFiles: true,
      seccomp: null,
    }).join(' ')
    expect(v2).not.toContain('--devices') // no cgroup2 mount in this layout: no plan for v2
    expect(v2).not.toContain('--seccomp')
  })
})

describe('rootfsMedium', () => {
  it('disk only for workloads that measure their rootfs, for every arm alike', () => {
    expect(rootfsMedium({rootfs: 'block'})).toBe('disk')
    expect(rootfsMedium({})).toBe('memory')
  })
})

describe('addresses', () => {
  it('leases only inside 198.18.0.0/15, never the network, bridge or broadcast address', () => {
    expect(isLeasable('198.18.0.2')).toBe(true)
    expect(isLeasable('198.19.255.254')).toBe(true)
    for (const ip of ['198.18.0.0', '198.18.0.1', '198.19.255.255', '198.20.0.1', '10.0.0.1', '127.0.0.1']) expect(isLeasable(ip)).toBe(false)
    expect(intToIp(ipToInt('198.18.3.4'))).toBe('198.18.3.4')
  })

  it('host veth names fit IFNAMSIZ and carry our prefix', () => {
    const n = hostVethName('a-very-long-container-name-of-forty-chars')
    expect(n).toMatch(/^ib-[0-9a-f]{8}$/)
    expect(n.length).toBeLessThanOrEqual(15)
  })
})

describe('the workload user and -e flags', () => {
  it('a resolved USER becomes --user uid:gid before the command; root stays without it', async () => {
    const plan = cgroupPlan(parseCgroupLayout('cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0'), 'c1', {})
    const paths = containerPaths('/state/containers/c1')
    const opts = {bindSources: ['/srv', '/d'], tiedToParent: true, removeDir: false, stateFiles: true}
    const a = nsexecArgs({...config, user: {uid: 1234, gid: 5678}}, paths, plan, opts)
    expect(a.slice(a.indexOf('--user'), a.indexOf('--user') + 2)).toEqual(['--user', '1234:5678'])
    expect(a.indexOf('--user')).toBeLessThan(a.indexOf('--'))
    expect(nsexecArgs(config, paths, plan, opts)).not.toContain('--user')
  })

  it('-e NAME takes the host value (left out when unset); -e NAME=VALUE as given', async () => {
    const {envFlags} = await import('../../../src/runtime/container/image.js')
    expect(envFlags(['A', 'B', 'C=x=y', 'D='], {A: 'host a'})).toEqual(['A=host a', 'C=x=y', 'D='])
  })
})
