/**
 * The `qemu` arm: the same image as the container arms, booted as a QEMU VM. The rootfs (same
 * digest) becomes an initramfs or ext4 disk; the guest's PID 1 wraps the same init script and
 * prints the same markers on the serial console, timestamped on arrival on the host.
 *
 * KVM only when a real probe boot works (src/host/kvm.ts); otherwise multi-threaded TCG with a
 * bounded translation cache — and every figure says `accel: tcg`. Machine: microvm when the kernel
 * supports it, else pc; if a microvm guest never prints its kernel banner, later instances fall
 * back to pc and the arm's notes say so.
 * Limits: vCPUs = ceil(limits.cpus) (default 1), guest RAM = limits.memoryMiB (default 256 MiB).
 */
import {ArmError} from '../core/errors.js'
import {sampleProcesses} from '../host/procfs.js'
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, Limits, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {DEFAULT_IMAGE, imageOf, initArgs, initEnv, rootfsMedium} from '../core/arm.js'
import {InstanceTable} from './instances.js'
import {vmInstance, vmReady} from './vm-instance.js'
import {chooseMachine, chooseVmAccel, ensureGuestKernel, prepareImage, qemuInstalled, qemuVersion, type PreparedImage} from '../vm/guest.js'
import {installedKernels, type GuestKernel} from '../vm/kernel.js'
import {launchVm, type RunningVm} from '../vm/launch.js'
import type {Machine, VmAccel} from '../vm/qemu-args.js'
import {harnessFloorMs} from '../runtime/native/launch.js'

/** What a VM gets for a container's limits: whole vCPUs (at least 1) and guest RAM = the memory limit (or the default). */
export function vmResources(limits: Pick<Limits, 'cpus' | 'memoryMiB'>): {vcpus: number; guestMemoryMiB: number} {
  return {vcpus: Math.max(1, Math.ceil(limits.cpus ?? 1)), guestMemoryMiB: limits.memoryMiB ?? DEFAULT_VM_MEMORY_MIB}
}

/** Prepared images by name, and by name + '#block' for workloads that need their rootfs on a disk. */
function imageKey(w: Pick<WorkloadSpec, 'image' | 'rootfs'>): string {
  return `${imageOf(w)}${rootfsMedium(w) === 'disk' ? '#block' : ''}`
}

/** The image a workload without one runs (the container arms use the same default). */
export const DEFAULT_VM_MEMORY_MIB = 256

export class QemuArm implements Arm {
  readonly name = 'qemu'
  readonly kind = 'vm'
  private kernel: GuestKernel | null = null
  private accel: VmAccel = 'tcg'
  private machine: Machine = 'pc'
  private notes: string[] = []
  private versions: Record<string, string> = {}
  private images = new Map<string, PreparedImage>()
  private readonly running = new InstanceTable<RunningVm>(this.name)

  constructor(private readonly ctx: ArmContext) {}

  async available(): Promise<Availability> {
    if (!qemuInstalled()) return {ok: false, reason: 'qemu-system-x86_64 not found (apt package qemu-system-x86; run `isobench setup`)'}
    if (!this.ctx.config.vm.kernel && installedKernels(this.ctx.config.stateDir).length === 0) {
      return {ok: true, reason: "no guest kernel yet: prepare() fetches Debian's cloud kernel (or run `isobench vm kernel`)"}
    }
    return {ok: true}
  }

  info(): ArmInfo {
    return {
      name: this.name,
      kind: this.kind,
      accel: this.accel,
      versions: {...this.versions, ...(this.kernel ? {kernel: this.kernel.version} : {})},
      notes: [
        `accel: ${this.accel}`,
        `machine: ${this.machine}`,
        ...(this.accel === 'tcg' ? [`TCG translation cache ${this.ctx.config.vm.tbSizeMiB} MiB`] : []),
        ...this.notes,
        ...[...this.images.values()].map((i) => `image ${i.image}: rootfs ${i.rootfsDigest} as ${i.artefacts.kind}`),
      ],
    }
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    const {stateDir, vm} = this.ctx.config
    if (!this.kernel) {
      this.kernel = await ensureGuestKernel(stateDir, vm.kernel, (m) => this.ctx.log.info(m))
      const a = await chooseVmAccel(vm.accel, this.kernel, stateDir)
      this.accel = a.accel
      const m = await chooseMachine('auto', this.kernel)
      this.machine = m.machine
      this.notes.push(`accel ${a.accel}: ${a.reason}`, `machine ${m.machine}: ${m.why}`)
      this.versions = {qemu: await qemuVersion()}
    }
    for (const w of workloads) {
      const key = imageKey(w)
      if (!this.images.has(key)) {
        const kind = rootfsMedium(w) === 'disk' ? 'ext4' : undefined
        this.images.set(key, await prepareImage(stateDir, imageOf(w), this.kernel, {cleanup: this.ctx.cleanup, kind}))
      }
    }
  }

  /** The rootfs digest an image resolved to (for parity records). */
  rootfsDigest(image = DEFAULT_IMAGE): string | null {
    return (this.images.get(imageKey({image})) ?? this.images.get(imageKey({image, rootfs: 'block'})))?.rootfsDigest ?? null
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const image = imageOf(spec.workload)
    if (!this.kernel || !this.images.has(imageKey(spec.workload))) await this.prepare([spec.workload])
    const prepared = this.images.get(imageKey(spec.workload))!
    const {workload} = spec
    const network = spec.network === 'none' ? 'none' : spec.network === 'bridge' ? 'tap' : 'user'
    const resources = vmResources(spec.limits)
    const vm = await launchVm({
      id: spec.id,
      stateDir: this.ctx.config.stateDir,
      kernel: this.kernel!,
      artefacts: prepared.artefacts,
      machine: this.machine,
      accel: this.accel,
      tbSizeMiB: this.ctx.config.vm.tbSizeMiB,
      diskCache: rootfsMedium(workload) === 'disk' ? 'none' : 'unsafe',
      cpus: resources.vcpus,
      memoryMiB: resources.guestMemoryMiB,
      cpuset: spec.limits.cpuset,
      argv: initArgs(workload),
      env: {HOSTNAME: spec.id.slice(0, 63), ...initEnv(workload)},
      network,
      ports: (workload.ports ?? []).map((guestPort) => ({guestPort})),
      image,
      cleanup: this.ctx.cleanup,
    })
    return this.running.add(vmInstance(spec, vm), vm)
  }

  async waitReady(instance: Instance): Promise<ReadyResult> {
    const vm = this.running.get(instance)
    return vmReady(instance, vm, () => {
      if (this.machine === 'microvm' && !vm.vmMarks.some((m) => m.phase === 'kernel')) {
        this.machine = 'pc'
        this.notes.push(`machine pc: a microvm guest (${instance.id}) printed no kernel banner before its deadline; later instances boot on pc`)
      }
    })
  }

  async sample(instance: Instance): Promise<ResourceSample> {
    return sampleProcesses(instance.pids())
  }

  async stop(instance: Instance): Promise<void> {
    const vm = this.running.get(instance)
    await vm.stop()
    this.running.delete(instance)
  }

  /** The harness floor: isobench-launch → /bin/true → reaped (its instances start under the launcher too). */
  harnessFloor(): Promise<number> {
    return harnessFloorMs()
  }

  async cleanup(): Promise<void> {
    for (const vm of this.running.values()) await vm.stop()
    this.running.clear()
  }
}
