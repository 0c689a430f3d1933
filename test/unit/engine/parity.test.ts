import {describe, expect, it} from 'vitest'
import type {Arm} from '../../../src/core/arm.js'
import {parityRecords} from '../../../src/engine/parity.js'

// Fakes for pure logic: only the fields parityRecords reads.
const arm = (name: string, kind: Arm['kind'], digest: string | null) => [name, {name, kind, rootfsDigest: () => digest} as unknown as Arm] as const

describe('parity manifest', () => {
  const arms = new Map([
    arm('process', 'process', null),
    arm('container', 'container', 'sha256:aaa'),
    arm('runc', 'oci', 'sha256:aaa'),
    arm('qemu', 'vm', 'sha256:aaa'),
  ])

  it('same digest everywhere, whole vCPUs and RAM = memory limit: no mismatch; the process arm is the reference and not listed', () => {
    const [p] = parityRecords([{workload: 'idle', limits: {cpus: 1, memoryMiB: 256}, arms: [...arms.keys()]}], arms)
    expect(p!.rootfsDigest).toEqual({container: 'sha256:aaa', runc: 'sha256:aaa', qemu: 'sha256:aaa'})
    expect(p!.limits.qemu).toMatchObject({vcpus: 1, guestMemoryMiB: 256})
    expect(p!.limits.container).toEqual({cpus: 1, memoryMiB: 256})
    expect(p!.limits.process).toBeUndefined()
    expect(p!.mismatches).toEqual([])
  })

  it('names a different digest, a fractional CPU quota against whole vCPUs, and guest RAM without a container memory limit', () => {
    const odd = new Map([...arms, arm('crun', 'oci', 'sha256:bbb')])
    const [p] = parityRecords([{workload: 'idle', limits: {cpus: 0.5}, arms: [...odd.keys()]}], odd)
    expect(p!.mismatches.join('\n')).toMatch(/rootfs digests differ/)
    expect(p!.mismatches.join('\n')).toMatch(/qemu: 1 vCPU for a CPU quota of 0\.5/)
    expect(p!.mismatches.join('\n')).toMatch(/qemu: 256 MiB guest RAM while the containers have no memory limit/)
  })

  it('one record per workload and limits, whatever the number of cells', () => {
    const cells = [1, 2, 3].map(() => ({workload: 'idle', limits: {cpus: 1, memoryMiB: 256}, arms: ['container', 'qemu']}))
    expect(parityRecords([...cells, {workload: 'cpu', limits: {cpus: 1, memoryMiB: 256}, arms: ['container']}], arms)).toHaveLength(2)
  })

  it('records where the rootfs lived: disk for a workload that measures it, memory otherwise', () => {
    const [idle, disk] = parityRecords(
      ['idle', 'disk'].map((workload) => ({workload, limits: {}, arms: ['container', 'qemu']})),
      arms,
    )
    expect(idle!.rootfsMedium).toBe('memory')
    expect(disk!.rootfsMedium).toBe('disk')
  })
})

describe('parity manifest: seccomp', () => {
  const withSeccomp = (name: string, kind: Arm['kind'], seccomp?: string) =>
    [
      name,
      {name, kind, rootfsDigest: () => 'sha256:aaa', info: () => ({name, kind, accel: 'none', versions: seccomp ? {seccomp} : {}})} as unknown as Arm,
    ] as const

  it("records each container arm's filter and names a difference", () => {
    const same = new Map([
      withSeccomp('container', 'container', 'docker-default sha256:0123'),
      withSeccomp('runc', 'oci', 'docker-default sha256:0123'),
      withSeccomp('qemu', 'vm'),
    ])
    const [p] = parityRecords([{workload: 'idle', limits: {cpus: 1, memoryMiB: 256}, arms: [...same.keys()]}], same)
    expect(p!.seccomp).toEqual({container: 'docker-default sha256:0123', runc: 'docker-default sha256:0123'})
    expect(p!.mismatches).toEqual([])
    const odd = new Map([withSeccomp('container', 'container', 'unconfined'), withSeccomp('crun', 'oci', 'docker-default sha256:0123')])
    const [q] = parityRecords([{workload: 'idle', limits: {}, arms: [...odd.keys()]}], odd)
    expect(q!.mismatches).toEqual(['seccomp filters differ: container unconfined, crun docker-default sha256:0123'])
  })
})
