/** Firecracker's config file and argv, checked against its docs (getting-started.md, initrd.md, FAQ.md, swagger, logger.md). */
import {describe, expect, it} from 'vitest'
import {FIRECRACKER_CMDLINE, firecrackerArgs, firecrackerConfig, firecrackerId} from '../../../src/vm/firecracker.js'
import {guestCmdline} from '../../../src/vm/guest-init.js'

const input = {kernel: '/k/vmlinux', initrd: '/c/initrd.cpio', cmdline: 'console=ttyS0 reboot=k panic=1 pci=off', vcpus: 2, memoryMiB: 256}

describe('firecrackerConfig', () => {
  it("has the API resources' keys and required fields: boot-source with kernel, initrd and boot args; machine-config with vcpu_count and mem_size_mib", () => {
    const c = firecrackerConfig(input)
    expect(Object.keys(c).sort()).toEqual(['boot-source', 'drives', 'machine-config', 'network-interfaces'])
    expect(c['boot-source']).toEqual({kernel_image_path: '/k/vmlinux', initrd_path: '/c/initrd.cpio', boot_args: input.cmdline})
    expect(c['machine-config']).toEqual({vcpu_count: 2, mem_size_mib: 256, smt: false})
    // VmmConfig.drives has no serde default: the key must be there; no root drive with an initrd (initrd.md).
    expect(c.drives).toEqual([])
    expect(JSON.parse(JSON.stringify(c))).toEqual(c)
  })

  it('takes any vCPU count 1‥32 with SMT off (odd counts too) and refuses the rest, naming the field', () => {
    expect(firecrackerConfig({...input, vcpus: 3})['machine-config'].vcpu_count).toBe(3)
    expect(() => firecrackerConfig({...input, vcpus: 0})).toThrow(/machine-config\.vcpu_count 0/)
    expect(() => firecrackerConfig({...input, vcpus: 33})).toThrow(/vcpu_count 33: expected an integer 1‥32/)
    expect(() => firecrackerConfig({...input, memoryMiB: 0.5})).toThrow(/mem_size_mib/)
  })
})

describe('firecrackerArgs', () => {
  it('no API socket (--no-api needs --config-file), the config file, a valid --id, the logger in a file at Warning', () => {
    const a = firecrackerArgs({id: 'isobench-r1-3', configFile: '/s/vm/instances/isobench-r1-3/firecracker.json', logFile: '/s/l.log'})
    expect(a).toEqual([
      '--no-api',
      '--config-file',
      '/s/vm/instances/isobench-r1-3/firecracker.json',
      '--id',
      'isobench-isobench-r1-3',
      '--log-path',
      '/s/l.log',
      '--level',
      'Warning',
    ])
  })

  it('--id follows the validator: 1‥64 characters, alphanumeric or -', () => {
    for (const id of ['a', 'x'.repeat(80), 'with_underscore.and.dots', 'isobench-20261130T1524-ab12-7']) {
      expect(firecrackerId(id)).toMatch(/^[A-Za-z0-9-]{1,64}$/)
    }
    expect(firecrackerId('x'.repeat(80))).not.toBe(firecrackerId('x'.repeat(81)))
  })
})

describe("a Firecracker guest's kernel command line", () => {
  it('carries the boot args its docs give for an initrd (console=ttyS0 reboot=k panic=1 pci=off) and the same init and workload as qemu', () => {
    const line = guestCmdline({argv: ['sleep', '1'], env: {}, modules: [], ...FIRECRACKER_CMDLINE}).split(' ')
    expect(line).toEqual(expect.arrayContaining(['console=ttyS0', 'reboot=k', 'panic=1', 'pci=off', 'rdinit=/isobench/vm/init']))
    expect(line).not.toContain('reboot=t')
    expect(line.some((p) => p.startsWith('isobench.w='))).toBe(true)
  })
})
