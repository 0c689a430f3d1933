/**
 * What the spectrum's arms hand their tools, as pure data: LXC's config (rootfs, network, AppArmor,
 * capabilities, devices, the limits as v1 or v2 keys), each engine's limit flags and what it cannot
 * set, its read-only bind flags, the engines' event lines, the isolation rungs, and runsc's table entry.
 */
import {describe, expect, it} from 'vitest'
import {isolationOf, isolationOfKind, isolationRank, ISOLATION_CLASSES} from '../../../src/core/isolation.js'
import {lxcConfig, lxcDeviceRule} from '../../../src/runtime/lxc/config.js'
import {engineBindFlags} from '../../../src/runtime/engines/binds.js'
import {engineImageNames} from '../../../src/runtime/engines/image.js'
import {engineLimitFlags} from '../../../src/runtime/engines/limits.js'
import {parseContainerdEvent, parseDockerEvent} from '../../../src/runtime/engines/events.js'
import {ociRuntime} from '../../../src/runtime/oci/runtimes.js'

const spec = {
  name: 'c1',
  lowerDirs: ['/s/rootfs/abc'],
  upperDir: '/s/lxc/t/mem/c1/upper',
  env: {PATH: '/bin', ISOBENCH_NAME: 'idle'},
  limits: {cpus: 1.5, memoryMiB: 256, pids: 50, cpuset: '0'},
  cgroupDir: 'isobench/lxc-t-c1',
}

describe('LXC config', () => {
  it('an overlay rootfs, no network, unconfined AppArmor, Docker capabilities and devices, limits as v1 keys on a hybrid host', () => {
    const lines = lxcConfig({...spec, cgroupMode: 'hybrid'}).split('\n')
    expect(lines).toContain('lxc.rootfs.path = overlay:/s/rootfs/abc:/s/lxc/t/mem/c1/upper')
    expect(lines).toContain('lxc.net.0.type = empty')
    expect(lines).toContain('lxc.apparmor.profile = unconfined')
    expect(lines).toContain('lxc.cgroup.dir = isobench/lxc-t-c1')
    expect(lines.find((l) => l.startsWith('lxc.cap.keep = '))).toMatch(/^lxc\.cap\.keep = chown dac_override .*audit_write$/)
    expect(lines).toContain('lxc.cgroup.devices.deny = a')
    expect(lines).toContain('lxc.cgroup.devices.allow = c 1:3 rwm')
    expect(lines).toContain('lxc.cgroup.memory.limit_in_bytes = 268435456')
    expect(lines).toContain('lxc.cgroup.cpu.cfs_quota_us = 150000')
    expect(lines).toContain('lxc.cgroup.cpuset.cpus = 0')
    expect(lines).toContain('lxc.cgroup.pids.max = 50')
    expect(lines).toContain('lxc.environment = ISOBENCH_NAME=idle')
  })

  it('cgroup2 keys on a v2 host, swap off as the other arms', () => {
    const text = lxcConfig({...spec, cgroupMode: 'v2'})
    expect(text).toContain('lxc.cgroup2.memory.max = 268435456\nlxc.cgroup2.memory.swap.max = 0')
    expect(text).toContain('lxc.cgroup2.cpu.max = 150000 100000')
    expect(text).not.toMatch(/^lxc\.cgroup\.memory/m)
  })

  it('refuses what one config line cannot carry', () => {
    expect(() => lxcConfig({...spec, cgroupMode: 'v1', env: {A: 'x\nlxc.apparmor.profile = unconfined'}})).toThrow(/cannot be written on one config line/)
    expect(() => lxcConfig({...spec, cgroupMode: 'v1', lowerDirs: ['/a:b']})).toThrow(/contains ':'/)
  })

  it('host files bound read-only (an injected init) as fstab-style mount entries, blanks refused', () => {
    const text = lxcConfig({...spec, cgroupMode: 'v1', binds: [{source: '/opt/isobench/init', target: '/isobench/init'}]})
    expect(text).toContain('lxc.mount.entry = /opt/isobench/init isobench/init none bind,ro,create=file 0 0')
    expect(() => lxcConfig({...spec, cgroupMode: 'v1', binds: [{source: '/a b', target: '/x'}]})).toThrow(/contains a blank/)
  })

  it('device rules in LXC syntax', () => {
    expect(lxcDeviceRule({allow: false, access: 'rwm'})).toBe('a')
    expect(lxcDeviceRule({allow: true, type: 'c', major: 136, access: 'rwm'})).toBe('c 136:* rwm')
  })
})

describe('engine limit flags', () => {
  const limits = {cpus: 1, memoryMiB: 256, pids: 50, cpuset: '0-1'}
  it('docker and podman take every limit; podman gets no default pids limit of its own', () => {
    expect(engineLimitFlags('docker', limits)).toEqual({
      flags: ['--cpus', '1', '--cpuset-cpus', '0-1', '--memory', '256m', '--pids-limit', '50'],
      unmatched: [],
    })
    expect(engineLimitFlags('podman', {cpus: 1}).flags).toEqual(['--cpus', '1', '--pids-limit', '-1'])
    expect(engineLimitFlags('docker', {cpus: 1}).flags).toEqual(['--cpus', '1'])
  })
  it('ctr: cpus and memory only, the rest named as unmatched', () => {
    const r = engineLimitFlags('ctr', limits)
    expect(r.flags).toEqual(['--cpus', '1', '--memory-limit', String(256 * 1024 * 1024)])
    expect(r.unmatched).toEqual([expect.stringMatching(/^ctr: no cpuset/), expect.stringMatching(/^ctr: no pids limit/)])
    expect(engineLimitFlags('ctr', {cpus: 1}).unmatched).toEqual([])
  })
})

describe('engine bind flags', () => {
  const init = [{source: '/opt/isobench/build/native/isobench-init', target: '/isobench/init'}]
  it("read-only binds in each CLI's --mount syntax", () => {
    expect(engineBindFlags('docker', init)).toEqual(['--mount', 'type=bind,source=/opt/isobench/build/native/isobench-init,target=/isobench/init,readonly'])
    expect(engineBindFlags('podman', init)).toEqual(engineBindFlags('docker', init))
    expect(engineBindFlags('ctr', init)).toEqual(['--mount', 'type=bind,src=/opt/isobench/build/native/isobench-init,dst=/isobench/init,options=rbind:ro'])
    expect(engineBindFlags('ctr', [])).toEqual([])
  })
  it('refuses a path the comma-separated syntax would split, or a relative one', () => {
    expect(() => engineBindFlags('docker', [{source: '/a,readonly=false', target: '/x'}])).toThrow(/"\/a,readonly=false".*no comma/)
    expect(() => engineBindFlags('ctr', [{source: '/a', target: 'x'}])).toThrow(/"x".*absolute/)
  })
})

describe('engine image names', () => {
  it("the runner's manifest digest as it is (a repository of its own in the engine), a recipe name as isobench/NAME", () => {
    const digest = `sha256:${'ab12'.repeat(16)}`
    expect(engineImageNames(digest)).toEqual({storeRef: digest, repository: 'isobench/img-ab12ab12ab12'})
    expect(engineImageNames('idle')).toEqual({storeRef: 'isobench/idle', repository: 'isobench/idle'})
    expect(engineImageNames('isobench-workload/my-web:latest')).toEqual({storeRef: 'isobench-workload/my-web:latest', repository: 'isobench-workload/my-web'})
  })
})

describe('engine events', () => {
  it("containerd's task events (ctr events lines) and docker's container events", () => {
    expect(parseContainerdEvent('2026-11-30 11:14:58.656653341 +0000 UTC isobench /containers/create {"id":"e1","image":"x"}')).toEqual([
      'e1',
      'container-create',
    ])
    expect(parseContainerdEvent('2026-11-30 11:14:58.879336553 +0000 UTC isobench /tasks/create {"container_id":"e1","pid":8775}')).toEqual([
      'e1',
      'task-create',
    ])
    expect(parseContainerdEvent('2026-11-30 11:14:58.890604535 +0000 UTC isobench /tasks/start {"container_id":"e1","pid":8775}')).toEqual(['e1', 'task-start'])
    expect(parseContainerdEvent('2026-11-30 11:14:58.896469383 +0000 UTC isobench /tasks/exit {"container_id":"e1"}')).toBeNull()
    expect(parseContainerdEvent('garbage')).toBeNull()
    expect(parseDockerEvent('{"Type":"container","Action":"create","Actor":{"ID":"d9","Attributes":{"name":"ib-x-1"}}}')).toEqual([
      'ib-x-1',
      'container-create',
    ])
    expect(parseDockerEvent('{"Type":"container","Action":"die","Actor":{"Attributes":{"name":"ib-x-1"}}}')).toBeNull()
    expect(parseDockerEvent('not json')).toBeNull()
  })
})

describe('isolation rungs', () => {
  it('follow the kind unless the arm names one; ranks go process → vm', () => {
    expect(isolationOfKind('chroot')).toBe('process')
    expect(isolationOfKind('oci')).toBe('container runtime')
    expect(isolationOfKind('engine')).toBe('engine')
    expect(isolationOf({kind: 'oci', isolation: 'user-space kernel'})).toBe('user-space kernel')
    expect(isolationOf({kind: 'oci', isolation: 'nonsense'})).toBe('container runtime')
    expect(ISOLATION_CLASSES.map(isolationRank)).toEqual([0, 1, 2, 3, 4])
    expect(isolationRank('unknown')).toBe(5)
  })
  it('runsc is a user-space kernel and kata a VM in the OCI runtime table', () => {
    expect(ociRuntime('runsc')).toMatchObject({binary: 'runsc', apt: {pkg: 'runsc'}, isolation: 'user-space kernel'})
    expect(ociRuntime('kata')).toMatchObject({binary: 'kata-runtime', isolation: 'vm'})
    expect(ociRuntime('kata')!.install).toMatch(/not packaged by Debian/)
  })
})
