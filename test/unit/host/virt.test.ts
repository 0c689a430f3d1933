/** Virtualization facts from the kernel's evidence: a file alone (/.dockerenv) is no container; the hypervisor from CPUID/DMI/cpuinfo. */
import {describe, expect, it} from 'vitest'
import {virtFrom, virtSummary, type VirtInputs} from '../../../src/host/virt.js'

const base: VirtInputs = {cpuFlags: ['fpu', 'sse2'], dockerenv: false, containerenv: false, pid1Cgroups: ['/'], kvmDevice: false, kvmModules: [], kvmNested: {}}

describe('virtFrom', () => {
  it('this machine: a KVM guest (Firecracker, no DMI) with a /.dockerenv left in its ext4 root and /dev/kvm by kvm_pvm', () => {
    const v = virtFrom({
      ...base,
      cpuFlags: ['fpu', 'hypervisor'],
      detectVirtVm: 'kvm',
      detectVirtContainer: 'docker',
      dockerenv: true,
      rootFs: {type: 'ext4', source: '/dev/vda'},
      pid1Cgroups: ['/', '/', '/'],
      kvmDevice: true,
      kvmModules: ['kvm', 'kvm_pvm'],
    })
    expect(v.hypervisor).toBe('kvm')
    expect(v.container).toBeNull()
    expect(v.evidence.join('\n')).toMatch(/\/\.dockerenv present but no sign of a running container \(\/ is ext4 on \/dev\/vda/)
    expect(v.evidence.join('\n')).toMatch(/systemd-detect-virt --container: docker \(discounted/)
    expect(v.evidence.join('\n')).toMatch(/kvm_pvm/)
    expect(virtSummary(v)).toBe('kvm guest · /dev/kvm by kvm_pvm (nested)')
  })

  it('a Docker container on cgroup v2 (pid 1 in / of its cgroup namespace): /.dockerenv with an overlay root', () => {
    const v = virtFrom({...base, dockerenv: true, rootFs: {type: 'overlay', source: 'overlay'}})
    expect(v.container).toBe('docker')
    expect(v.hypervisor).toBeNull()
    expect(virtSummary(v)).toBe('docker container')
  })

  it('a container by its engine’s run-time signs: container= of pid 1, /run/.containerenv, a pid 1 cgroup path', () => {
    expect(virtFrom({...base, pid1Container: 'systemd-nspawn'}).container).toBe('systemd-nspawn')
    expect(virtFrom({...base, containerenv: true}).container).toBe('podman')
    expect(virtFrom({...base, pid1Cgroups: ['/docker/0123abcd']}).container).toBe('docker')
    expect(virtFrom({...base, pid1Cgroups: ['/init.scope']}).container).toBeNull()
  })

  it('the hypervisor from DMI when systemd-detect-virt is missing; "unknown" when only the cpuinfo flag says so; none on bare metal', () => {
    expect(virtFrom({...base, cpuFlags: ['hypervisor'], dmi: {vendor: 'QEMU', product: 'Standard PC (Q35 + ICH9, 2009)'}}).hypervisor).toBe('qemu')
    expect(virtFrom({...base, cpuFlags: ['hypervisor'], dmi: {vendor: 'Microsoft Corporation', product: 'Virtual Machine'}}).hypervisor).toBe('microsoft')
    expect(virtFrom({...base, cpuFlags: ['hypervisor']}).hypervisor).toBe('unknown')
    const metal = virtFrom({...base, detectVirtVm: 'none', dmi: {vendor: 'Dell Inc.', product: 'PowerEdge R650'}})
    expect(metal.hypervisor).toBeNull()
    expect(virtSummary(metal)).toBeUndefined()
  })

  it('KVM on bare metal is not nested (its nested parameter only says what its guests may do); KVM inside a guest is', () => {
    const metal = virtFrom({...base, kvmDevice: true, kvmModules: ['kvm', 'kvm_intel'], kvmNested: {kvm_intel: 'Y'}})
    expect(virtSummary(metal)).toBe('/dev/kvm by kvm_intel')
    expect(metal.kvm.nested).toEqual({kvm_intel: 'Y'})
    const guest = virtFrom({...base, cpuFlags: ['hypervisor'], detectVirtVm: 'kvm', kvmDevice: true, kvmModules: ['kvm', 'kvm_amd']})
    expect(virtSummary(guest)).toBe('kvm guest · /dev/kvm by kvm_amd (nested)')
  })
})
