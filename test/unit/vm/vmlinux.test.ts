/**
 * The vmlinux Firecracker and Cloud Hypervisor boot, from this machine's real guest kernel: the
 * bzImage's payload decompressed by Debian's tools into an ELF with the PVH entry note. Skips only
 * when no guest kernel has been fetched (`isobench setup` fetches it).
 */
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ensureVmlinux, installedKernels, kernelImageFormat, missingKernelOptions, readKernelConfig, type GuestKernel} from '../../../src/vm/kernel.js'
import {vmmKernelNeeds} from '../../../src/vm/vmm-launch.js'

const stateDir = process.env.ISOBENCH_STATE_DIR || '/var/lib/isobench'
const kernel = installedKernels(stateDir)[0]
const tmp = mkdtempSync(join(tmpdir(), 'isobench-vmlinux-test-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

describe('missingKernelOptions', () => {
  it('names the options not built in (=y), and says nothing without a config', () => {
    expect(missingKernelOptions('CONFIG_PVH=y\nCONFIG_ACPI=m\n# CONFIG_KVM_GUEST is not set\n', ['PVH', 'ACPI', 'KVM_GUEST'])).toEqual([
      'CONFIG_ACPI',
      'CONFIG_KVM_GUEST',
    ])
    expect(missingKernelOptions(null, ['PVH'])).toBeNull()
  })
})

describe('kernelImageFormat', () => {
  it('tells an ELF from a bzImage from anything else', () => {
    const f = join(tmp, 'junk')
    writeFileSync(f, 'not a kernel')
    expect(kernelImageFormat(f)).toEqual({format: 'other', pvh: false})
    expect(kernelImageFormat('/bin/sh').format).toBe('elf')
    expect(kernelImageFormat('/bin/sh').pvh).toBe(false)
  })
})

describe.skipIf(!kernel)(`ensureVmlinux on ${kernel?.vmlinuz ?? 'no fetched guest kernel'}`, () => {
  it('the kernel file is a bzImage', () => {
    expect(kernelImageFormat(kernel!.vmlinuz)).toEqual({format: 'bzimage', pvh: false})
  })

  it('extracts an ELF vmlinux with the PVH note from a configured bzImage, cached beside the kernels', async () => {
    // As a user's `vm.kernel` (no record, no vmlinux): a copy, so the extraction is really done here.
    const vmlinuz = join(tmp, 'vmlinuz-test')
    copyFileSync(kernel!.vmlinuz, vmlinuz)
    const configured: GuestKernel = {version: 'test', vmlinuz, config: kernel!.config, modules: [], source: 'config'}
    const state = join(tmp, 'state')
    const out = await ensureVmlinux(configured, state)
    expect(out.startsWith(join(state, 'vm', 'kernel', 'extracted'))).toBe(true)
    expect(readFileSync(out).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
    const cfg = kernel!.config && existsSync(kernel!.config) ? readFileSync(kernel!.config, 'utf8') : ''
    expect(kernelImageFormat(out)).toEqual({format: 'elf', pvh: /^CONFIG_PVH=y$/m.test(cfg)})
    expect(await ensureVmlinux(configured, state)).toBe(out) // cached
  }, 120_000)

  it.each(['firecracker', 'cloud-hypervisor'] as const)("has what a %s guest needs (its docs' minimal initrd boot, our serial markers)", (vmm) => {
    expect(missingKernelOptions(readKernelConfig(kernel!), vmmKernelNeeds(vmm))).toEqual(kernel!.config ? [] : null)
  })

  it("the cloud kernel's record already names its vmlinux", async () => {
    if (kernel!.vmlinux) expect(await ensureVmlinux(kernel!, join(tmp, 'unused'))).toBe(kernel!.vmlinux)
    else expect(kernel!.vmlinux).toBeUndefined()
  })
})
