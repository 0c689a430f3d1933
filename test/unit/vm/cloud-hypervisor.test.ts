/** Cloud Hypervisor's argv, checked against its docs (README direct kernel boot, main.rs options, device_model.md). */
import {describe, expect, it} from 'vitest'
import {CLOUD_HYPERVISOR_CMDLINE, cloudHypervisorArgs} from '../../../src/vm/cloud-hypervisor.js'
import {guestCmdline} from '../../../src/vm/guest-init.js'

const input = {kernel: '/k/vmlinux', initramfs: '/c/initrd.cpio', cmdline: 'console=ttyS0 panic=-1', vcpus: 2, memoryMiB: 512, logFile: '/s/ch.log'}
const after = (args: string[], flag: string) => args.filter((_, i) => args[i - 1] === flag)

describe('cloudHypervisorArgs', () => {
  it('direct kernel boot: --kernel, --initramfs, --cmdline; --cpus boot=N; --memory size=NM', () => {
    const a = cloudHypervisorArgs(input)
    expect(after(a, '--kernel')).toEqual(['/k/vmlinux'])
    expect(after(a, '--initramfs')).toEqual(['/c/initrd.cpio'])
    expect(after(a, '--cmdline')).toEqual(['console=ttyS0 panic=-1'])
    expect(after(a, '--cpus')).toEqual(['boot=2'])
    expect(after(a, '--memory')).toEqual(['size=512M'])
  })

  it('the serial port on stdout and no virtio-console (README: early messages need the serial console), its log in a file, no API socket, disk or net', () => {
    const a = cloudHypervisorArgs(input)
    expect(after(a, '--serial')).toEqual(['tty'])
    expect(after(a, '--console')).toEqual(['off'])
    expect(after(a, '--log-file')).toEqual(['/s/ch.log'])
    for (const flag of ['--api-socket', '--disk', '--net', '--firmware']) expect(a).not.toContain(flag)
    expect(a.length % 2).toBe(0) // every option takes one value
  })

  it('refuses counts and sizes it could not boot, naming the option', () => {
    expect(() => cloudHypervisorArgs({...input, vcpus: 0})).toThrow(/--cpus boot=0/)
    expect(() => cloudHypervisorArgs({...input, memoryMiB: 0})).toThrow(/--memory size=0M/)
  })

  it("the guest powers off when its workload is done (a reboot would boot it again) and keeps qemu's reboot=t", () => {
    const line = guestCmdline({argv: ['true'], env: {}, modules: [], ...CLOUD_HYPERVISOR_CMDLINE}).split(' ')
    expect(line).toEqual(expect.arrayContaining(['console=ttyS0', 'isobench.halt=poweroff', 'rdinit=/isobench/vm/init']))
  })
})
