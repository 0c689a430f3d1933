import {describe, expect, it} from 'vitest'
import {kernelFeatures, parseMetaDepends} from '../../../src/vm/kernel.js'
import {loadOrder, moduleName, modinfoDepends} from '../../../src/vm/modules.js'

describe('guest kernel', () => {
  it('parseMetaDepends finds the versioned cloud kernel package', () => {
    const text = 'linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-56-cloud-amd64\n'
    expect(parseMetaDepends(text)).toBe('linux-image-6.1.0-56-cloud-amd64')
    expect(parseMetaDepends('linux-image-cloud-amd64\n')).toBeNull()
  })

  it('kernelFeatures reads virtio-mmio and PVH from a .config', () => {
    expect(kernelFeatures('CONFIG_VIRTIO_MMIO=m\nCONFIG_PVH=y\n')).toEqual({virtioMmio: true, pvh: true, known: true})
    expect(kernelFeatures('# CONFIG_VIRTIO_MMIO is not set\n')).toEqual({virtioMmio: false, pvh: false, known: true})
    expect(kernelFeatures(null).known).toBe(false)
  })
})

describe('modules', () => {
  it('modinfoDepends reads the .modinfo depends= string', () => {
    const bytes = Buffer.from('\0\0license=GPL\0depends=virtio_ring,virtio,net-failover\0name=virtio_net\0')
    expect(modinfoDepends(bytes)).toEqual(['virtio_ring', 'virtio', 'net_failover'])
    expect(modinfoDepends(Buffer.from('\0depends=\0name=virtio\0'))).toEqual([])
    expect(modinfoDepends(Buffer.from('no modinfo'))).toEqual([])
  })

  it('loadOrder puts dependencies first, once, and skips built-ins', () => {
    const deps: Record<string, string[]> = {
      virtio_net: ['virtio_ring', 'virtio', 'net_failover'],
      net_failover: ['failover'],
      failover: [],
      virtio_ring: [],
      virtio: [],
      virtio_mmio: ['virtio', 'virtio_ring'],
    }
    const order = loadOrder(
      ['virtio_mmio', 'virtio_net', 'ext4'],
      (n) => deps[n] ?? [],
      (n) => n in deps,
    )
    expect(order).toEqual(['virtio', 'virtio_ring', 'virtio_mmio', 'failover', 'net_failover', 'virtio_net'])
    for (const [m, ds] of Object.entries(deps)) for (const d of ds) if (order.includes(m)) expect(order.indexOf(d)).toBeLessThan(order.indexOf(m))
  })

  it('loadOrder refuses a cycle', () => {
    expect(() =>
      loadOrder(
        ['a'],
        (n) => (n === 'a' ? ['b'] : ['a']),
        () => true,
      ),
    ).toThrow(/cycle/)
  })

  it('moduleName normalises dashes and suffixes', () => {
    expect(moduleName('kernel/drivers/net/net-failover.ko')).toBe('net_failover')
    expect(moduleName('virtio_blk.ko.xz')).toBe('virtio_blk')
  })
})
