/**
 * The guest side of the Firecracker and Cloud Hypervisor launches, booted under qemu (the one VMM
 * these hosts have; no Firecracker or Cloud Hypervisor process is started or imitated here): the same
 * guest with each VMM's kernel parameters runs its workload and then ends the machine the way that
 * VMM needs — Firecracker's `reboot=k panic=1 pci=off` resets through the i8042 (qemu's pc machine
 * emulates it, as Firecracker does; with -no-reboot qemu exits), Cloud Hypervisor's
 * `isobench.halt=poweroff` powers off through ACPI (a reboot would boot it again there). Two TCG boots.
 */
import {existsSync, rmSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {initArgs, initEnv, type WorkloadSpec} from '../../../src/core/arm.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {configSchema} from '../../../src/core/config.js'
import {chooseVmAccel, ensureGuestKernel, prepareImage, type PreparedImage} from '../../../src/vm/guest.js'
import type {GuestKernel} from '../../../src/vm/kernel.js'
import {launchVm} from '../../../src/vm/launch.js'
import {vmmCmdlineOptions} from '../../../src/vm/vmm-launch.js'
import type {VmAccel} from '../../../src/vm/qemu-args.js'
import {tempDir} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64')
const base = tempDir('isobench-vmm-guest-')
const stateDir = `${base}/state`
const cleanup = new CleanupRegistry()
const done: WorkloadSpec = {name: 'done', argv: ['true'], ready: {kind: 'exit'}, image: 'idle'}
let kernel: GuestKernel
let image: PreparedImage
let accel: VmAccel

afterAll(async () => {
  await cleanup.runAll()
  rmSync(base, {recursive: true, force: true})
})

describe.skipIf(!isRoot || !hasQemu)("the guest ends as each VMM needs (under qemu's pc machine)", () => {
  beforeAll(async () => {
    kernel = await ensureGuestKernel(stateDir, undefined)
    image = await prepareImage(stateDir, 'idle', kernel, {cleanup})
    accel = (await chooseVmAccel('auto', kernel, stateDir)).accel
  }, 300_000)

  it.each([
    ['firecracker', /reboot: Restarting system/],
    ['cloud-hypervisor', /reboot: Power down/],
  ] as const)(
    '%s: the workload runs, then the guest ends the VMM by itself',
    async (vmm, kernelSays) => {
      const {extra, ...guestEnd} = vmmCmdlineOptions(vmm)
      const vm = await launchVm({
        id: `vmmguest-${vmm}`,
        stateDir,
        kernel,
        artefacts: image.artefacts,
        machine: 'pc',
        accel,
        tbSizeMiB: configSchema.parse({}).vm.tbSizeMiB,
        cpus: 1,
        memoryMiB: 192,
        argv: initArgs(done),
        env: initEnv(done),
        network: 'none',
        ports: [],
        cleanup,
        extraCmdline: extra,
        guestEnd,
      })
      try {
        const ended = await Promise.race([vm.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 150_000))])
        const serial = vm.markers.tail(40)
        expect(ended, `qemu still running; serial:\n${serial}\nstderr:\n${vm.stderr()}`).toBe(true)
        expect(vm.markers.marks.map((m) => m.phase)).toEqual(expect.arrayContaining(['init', 'exit']))
        expect(serial).toMatch(kernelSays)
      } finally {
        await vm.stop()
      }
    },
    200_000,
  )
})
