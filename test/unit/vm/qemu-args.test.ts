import {describe, expect, it} from 'vitest'
import {machineListHasMicrovm, parseMemoryMiB, qemuArgs, virtioTransportModule, type QemuArgsInput} from '../../../src/vm/qemu-args.js'
import {parsePublish} from '../../../src/vm/run.js'

const base: QemuArgsInput = {
  name: 'isobench-vm-t1',
  machine: 'microvm',
  accel: 'tcg',
  tbSizeMiB: 64,
  cpus: 2,
  memoryMiB: 256,
  kernel: '/k',
  initrd: '/i',
  cmdline: 'console=ttyS0',
  qmpSocket: '/s.sock',
  serial: 'stdio',
  network: {mode: 'none'},
}

const after = (args: string[], flag: string) => args.filter((_, i) => args[i - 1] === flag)

describe('qemuArgs', () => {
  it('bounded multi-threaded TCG, never -cpu host', () => {
    const a = qemuArgs(base)
    expect(after(a, '-accel')).toEqual(['tcg,thread=multi,tb-size=64'])
    expect(a).not.toContain('-cpu')
    expect(after(a, '-smp')).toEqual(['2'])
    expect(after(a, '-m')).toEqual(['256M'])
    expect(a).toContain('-no-reboot')
    expect(after(a, '-name')).toEqual(['isobench-vm-t1,debug-threads=on'])
    expect(after(a, '-qmp')).toEqual(['unix:/s.sock,server=on,wait=off'])
  })

  it('KVM when chosen', () => {
    expect(after(qemuArgs({...base, accel: 'kvm'}), '-accel')).toEqual(['kvm'])
  })

  it('virtio-mmio devices on microvm, PCI on pc/q35', () => {
    const net = {mode: 'user' as const, forwards: [{hostPort: 18080, guestPort: 80}]}
    const micro = qemuArgs({...base, network: net, disk: {path: '/d.qcow2', format: 'qcow2'}})
    expect(after(micro, '-device')).toEqual(['virtio-net-device,netdev=n0', 'virtio-blk-device,drive=d0'])
    const pc = qemuArgs({...base, machine: 'pc', network: net})
    expect(after(pc, '-device')).toEqual(['virtio-net-pci,netdev=n0'])
    expect(after(pc, '-M')).toEqual(['pc'])
    expect(virtioTransportModule('microvm')).toBe('virtio_mmio')
    expect(virtioTransportModule('q35')).toBe('virtio_pci')
  })

  it('user networking forwards only from loopback, inside 198.18.0.0/15', () => {
    const a = qemuArgs({...base, network: {mode: 'user', forwards: [{hostPort: 18080, guestPort: 80}]}})
    const netdev = after(a, '-netdev')[0]!
    expect(netdev).toContain('hostfwd=tcp:127.0.0.1:18080-:80')
    expect(netdev).toContain('net=198.19.254.0/24')
  })

  it('detached VMs write the serial console to a file', () => {
    expect(after(qemuArgs({...base, serial: {file: '/x/serial.log'}}), '-serial')).toEqual(['file:/x/serial.log'])
  })
})

describe('small parsers', () => {
  it('parseMemoryMiB', () => {
    expect(parseMemoryMiB('256M')).toBe(256)
    expect(parseMemoryMiB('1G')).toBe(1024)
    expect(parseMemoryMiB('512')).toBe(512)
    expect(parseMemoryMiB('2GiB')).toBe(2048)
    expect(parseMemoryMiB('lots')).toBeNull()
    expect(parseMemoryMiB('0')).toBeNull()
  })

  it('machineListHasMicrovm', () => {
    expect(machineListHasMicrovm('Supported machines are:\nmicrovm              microvm (i386)\npc  Standard PC')).toBe(true)
    expect(machineListHasMicrovm('pc   Standard PC\nq35  Standard PC (Q35)')).toBe(false)
  })

  it('parsePublish', () => {
    expect(parsePublish('8080:80')).toEqual({hostPort: 8080, guestPort: 80})
    expect(parsePublish('127.0.0.1:8080:80')).toEqual({hostPort: 8080, guestPort: 80})
    expect(parsePublish('80')).toEqual({guestPort: 80})
    expect(() => parsePublish('0.0.0.0:8080:80')).toThrow(/only loopback/)
    expect(() => parsePublish('x:80')).toThrow(/expected HOST:GUEST/)
    expect(() => parsePublish('70000:80')).toThrow(/expected HOST:GUEST/)
  })
})
