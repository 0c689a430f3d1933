/** What the firecracker and cloud-hypervisor arms take and how they label themselves (no VMM started). */
import {describe, expect, it} from 'vitest'
import {VmmArm} from '../../../src/arms/vmm-arm.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {configSchema} from '../../../src/core/config.js'
import {silentLogger} from '../../../src/core/log.js'
import type {WorkloadSpec} from '../../../src/core/arm.js'
import {VMMS} from '../../../src/vm/vmms.js'

const config = configSchema.parse({stateDir: '/nonexistent/isobench-vmm-arm-test'})
const arms = VMMS.filter((v) => v.needsKvm).map((v) => new VmmArm(v, {config, cleanup: new CleanupRegistry(), log: silentLogger, runId: 't'}))
const idle: WorkloadSpec = {name: 'idle', argv: ['sleep', '3600'], ready: {kind: 'marker'}, image: 'isobench/idle'}

describe.each(arms.map((a) => [a.name, a] as const))('%s arm', (_name, arm) => {
  it('takes an initramfs workload without a network, and says why not for the rest', () => {
    expect(arm.supports(idle, 'none')).toEqual({ok: true})
    for (const net of ['user', 'bridge', 'host'] as const)
      expect(arm.supports(idle, net)).toEqual({ok: false, reason: expect.stringMatching(`network ${net} is not wired yet`)})
    expect(arm.supports({...idle, rootfs: 'block'}, 'none').reason).toMatch(/rootfs on disk .* not wired yet/)
  })

  it('is a KVM vm arm whose notes say it was never run on the build hosts', () => {
    const info = arm.info()
    expect(info).toMatchObject({kind: 'vm', isolation: 'vm', accel: 'kvm'})
    expect(info.notes!.join('\n')).toMatch(/never run on isobench's build hosts/)
  })

  it('refuses to start what it does not support, before touching anything', async () => {
    await expect(arm.start({id: 'x', workload: idle, limits: {}, network: 'user'} as never)).rejects.toThrow(/network user is not wired yet/)
  })
})
