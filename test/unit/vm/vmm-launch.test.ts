/**
 * The files a Firecracker / Cloud Hypervisor instance gets in its instance dir, and how prune
 * recognises their processes (an instance file on the command line), without a VMM binary.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {vmProcessInstance} from '../../../src/vm/instances.js'
import {vmmCmdlineOptions, writeVmmFiles} from '../../../src/vm/vmm-launch.js'
import {guestCmdline} from '../../../src/vm/guest-init.js'
import type {FirecrackerConfig} from '../../../src/vm/firecracker.js'

const tmp = mkdtempSync(join(tmpdir(), 'isobench-vmm-launch-test-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
const dir = join(tmp, 'state', 'vm', 'instances', 'isobench-r1-2')
const boot = {kernel: '/k/vmlinux', initrd: '/c/initramfs.cpio.gz', vcpus: 1, memoryMiB: 256}

describe('writeVmmFiles', () => {
  it('firecracker: a config file with the guest (kernel, initrd, boot args) and limits, an existing log file, argv that names both', () => {
    mkdirSync(dir, {recursive: true})
    const cmdline = guestCmdline({argv: ['true'], env: {}, modules: [], ...vmmCmdlineOptions('firecracker')})
    const argv = writeVmmFiles('firecracker', dir, 'isobench-r1-2', {...boot, cmdline})
    const config = JSON.parse(readFileSync(join(dir, 'firecracker.json'), 'utf8')) as FirecrackerConfig
    expect(config['boot-source']).toEqual({kernel_image_path: '/k/vmlinux', initrd_path: '/c/initramfs.cpio.gz', boot_args: cmdline})
    expect(config['machine-config']).toMatchObject({vcpu_count: 1, mem_size_mib: 256})
    expect(config['boot-source'].boot_args.split(' ')).toEqual(expect.arrayContaining(['console=ttyS0', 'reboot=k', 'panic=1', 'pci=off']))
    expect(existsSync(join(dir, 'firecracker.log'))).toBe(true)
    expect(argv).toEqual(expect.arrayContaining(['--no-api', '--config-file', join(dir, 'firecracker.json'), '--log-path', join(dir, 'firecracker.log')]))
    expect(vmProcessInstance(['/usr/local/bin/firecracker', ...argv])).toBe('isobench-r1-2')
  })

  it('cloud-hypervisor: argv with the log in the instance dir; the guest powers off at the end', () => {
    const cmdline = guestCmdline({argv: ['true'], env: {}, modules: [], ...vmmCmdlineOptions('cloud-hypervisor')})
    const argv = writeVmmFiles('cloud-hypervisor', dir, 'isobench-r1-2', {...boot, cmdline})
    expect(argv[argv.indexOf('--cmdline') + 1]).toContain('isobench.halt=poweroff')
    expect(vmProcessInstance(['cloud-hypervisor', ...argv])).toBe('isobench-r1-2')
  })
})

describe('vmProcessInstance', () => {
  it('qemu by its -name; other processes are never ours, even with an instance path in their argv', () => {
    expect(vmProcessInstance(['qemu-system-x86_64', '-name', 'isobench-vm-a1,debug-threads=on'])).toBe('a1')
    expect(vmProcessInstance(['/usr/bin/qemu-system-x86_64', '-name', 'guest=isobench-vm-b2'])).toBe('b2')
    expect(vmProcessInstance(['qemu-system-x86_64', '-name', 'somebody-else'])).toBeUndefined()
    expect(vmProcessInstance(['cat', '/s/vm/instances/x/firecracker.json'])).toBeUndefined()
    expect(vmProcessInstance(['firecracker', '--no-api', '--config-file', '/elsewhere/fc.json'])).toBeUndefined()
  })
})
