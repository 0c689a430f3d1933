import {describe, expect, it} from 'vitest'
import {cgroupPlan, parseCgroupLayout} from '../../../src/runtime/cgroups/cgroups.js'
import {containerPaths, nsexecArgs} from '../../../src/runtime/container/nsexec-args.js'
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
    const a = nsexecArgs(config, paths, plan, {bindSources: ['/srv', '/state/volumes/data/_data'], tiedToParent: true, syncFd: 3, removeDir: false, stateFiles: true})
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
    const a = nsexecArgs({...config, rootfsMode: 'copy', network: 'none', mounts: []}, paths, plan, {bindSources: [], tiedToParent: false, removeDir: true, stateFiles: true}).join(' ')
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
