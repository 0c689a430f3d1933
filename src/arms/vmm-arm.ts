/**
 * The `firecracker` and `cloud-hypervisor` arms: VMs beside qemu, registered from the VMM table
 * (vm/vmms.ts). Each boots qemu's guest: the same guest kernel (as the uncompressed vmlinux both
 * load directly; Cloud Hypervisor needs its PVH note), the same initramfs (the image's rootfs with
 * our guest init and the injected init), the same markers on the serial console, timed by the same
 * launcher, and the same limits as qemu gets them (vmResources: whole vCPUs, guest RAM = the memory
 * limit). Memory is the PSS of the VMM process, as for qemu. Launch: vm/vmm-launch.ts.
 *
 * Both boot only on KVM, and neither is packaged by Debian 12: available() says yes only when the
 * binary is on PATH and a real probe boot shows KVM works (host/kvm.ts, never /dev/kvm alone).
 * isobench's build hosts (a Firecracker microVM with nested KVM that cannot boot a guest) have
 * neither, so this launch was written from the VMMs' docs and never run there; every text says so.
 * Not yet: networks (neither has user-mode networking; no tap wiring) and an ext4 root disk —
 * supports() leaves such workloads out with the reason.
 */
import type {Arm, ArmContext, ArmInfo, Availability, Instance, InstanceSpec, NetworkMode, ReadyResult, ResourceSample, WorkloadSpec} from '../core/arm.js'
import {imageOf, initArgs, initEnv, rootfsMedium} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import {probeKvm} from '../host/kvm.js'
import {sampleProcesses} from '../host/procfs.js'
import {harnessFloorMs} from '../runtime/native/launch.js'
import {ensureGuestKernel, prepareImage, type PreparedImage} from '../vm/guest.js'
import {ensureVmlinux, kernelImageFormat, missingKernelOptions, readKernelConfig, type GuestKernel} from '../vm/kernel.js'
import {launchMicroVm, vmmKernelNeeds, type MicroVmm, type RunningMicroVm} from '../vm/vmm-launch.js'
import {NOT_RUN_HERE, probeVmm, type Vmm} from '../vm/vmms.js'
import {InstanceTable} from './instances.js'
import {vmResources} from './qemu.js'
import {vmInstance, vmReady} from './vm-instance.js'

export class VmmArm implements Arm {
  readonly kind = 'vm'
  private version = 'unknown'
  private binary: string | null = null
  private kernel: GuestKernel | null = null
  private vmlinux: string | null = null
  private images = new Map<string, PreparedImage>()
  private notes: string[] = []
  private readonly running: InstanceTable<RunningMicroVm>

  constructor(
    private readonly vmm: Vmm,
    private readonly ctx: ArmContext,
  ) {
    this.running = new InstanceTable<RunningMicroVm>(vmm.name)
  }

  get name(): string {
    return this.vmm.name
  }

  private get microVmm(): MicroVmm {
    return this.vmm.name as MicroVmm
  }

  /** Yes when the binary is on PATH and KVM boots a guest here (a probe boot); the reason always says the launch is unverified. */
  async available(): Promise<Availability> {
    const kvm = await probeKvm({timeoutMs: 3000, stateDir: this.ctx.config.stateDir, kernel: this.ctx.config.vm.kernel})
    const p = await probeVmm(this.vmm, kvm)
    this.version = p.version ?? 'unknown'
    this.binary = p.path ?? null
    return {ok: p.works, reason: p.works ? p.reason : `${p.reason} (${NOT_RUN_HERE})`}
  }

  info(): ArmInfo {
    return {
      name: this.name,
      kind: this.kind,
      isolation: 'vm',
      accel: 'kvm',
      versions: {[this.vmm.name]: this.version, ...(this.kernel ? {kernel: this.kernel.version} : {})},
      notes: [
        this.vmm.description,
        NOT_RUN_HERE,
        ...this.notes,
        ...(this.vmlinux ? [`kernel: ${this.vmlinux}`] : []),
        ...[...this.images.values()].map((i) => `image ${i.image}: rootfs ${i.rootfsDigest} as ${i.artefacts.kind}`),
      ],
    }
  }

  /** No network (neither VMM has user-mode networking; tap wiring is not written) and no ext4 root disk yet. */
  supports(workload: WorkloadSpec, network: NetworkMode): Availability {
    if (network !== 'none') return {ok: false, reason: `${this.name}: network ${network} is not wired yet (only none)`}
    if (rootfsMedium(workload) === 'disk') return {ok: false, reason: `${this.name}: a rootfs on disk (rootfs: block) is not wired yet (initramfs only)`}
    return {ok: true}
  }

  async prepare(workloads: WorkloadSpec[]): Promise<void> {
    const {stateDir, vm} = this.ctx.config
    if (!this.binary) {
      const a = await this.available()
      if (!a.ok) throw new ArmError(`${this.name}: ${a.reason}`, 'unavailable')
    }
    if (!this.kernel) {
      const kernel = await ensureGuestKernel(stateDir, vm.kernel, (m) => this.ctx.log.info(m))
      const missing = missingKernelOptions(readKernelConfig(kernel), vmmKernelNeeds(this.microVmm))
      if (missing?.length) throw new ArmError(`${this.name}: guest kernel ${kernel.version} lacks ${missing.join(', ')} (=y)`, 'unavailable')
      const vmlinux = await ensureVmlinux(kernel, stateDir)
      // Cloud Hypervisor's direct kernel boot takes an ELF only with a PVH entry (its README).
      if (this.vmm.name === 'cloud-hypervisor' && !kernelImageFormat(vmlinux).pvh)
        throw new ArmError(`${this.name}: ${vmlinux} has no PVH entry note (build the guest kernel with CONFIG_PVH=y)`, 'unavailable')
      if (missing === null) this.notes.push(`guest kernel ${kernel.version}: no .config beside it, so ${vmmKernelNeeds(this.microVmm).join(', ')} are assumed`)
      this.kernel = kernel
      this.vmlinux = vmlinux
    }
    for (const w of workloads) {
      const image = imageOf(w)
      if (!this.images.has(image)) this.images.set(image, await prepareImage(stateDir, image, this.kernel, {cleanup: this.ctx.cleanup}))
    }
  }

  rootfsDigest(image: string): string | null {
    return this.images.get(image)?.rootfsDigest ?? null
  }

  async start(spec: InstanceSpec): Promise<Instance> {
    const image = imageOf(spec.workload)
    const refused = this.supports(spec.workload, spec.network)
    if (!refused.ok) throw new ArmError(refused.reason!, 'unavailable')
    if (!this.kernel || !this.images.has(image)) await this.prepare([spec.workload])
    const resources = vmResources(spec.limits)
    const vm = await launchMicroVm({
      vmm: this.microVmm,
      binary: this.binary!,
      id: spec.id,
      stateDir: this.ctx.config.stateDir,
      vmlinux: this.vmlinux!,
      artefacts: this.images.get(image)!.artefacts,
      cpus: resources.vcpus,
      memoryMiB: resources.guestMemoryMiB,
      cpuset: spec.limits.cpuset,
      argv: initArgs(spec.workload),
      env: {HOSTNAME: spec.id.slice(0, 63), ...initEnv(spec.workload)},
      image,
      cleanup: this.ctx.cleanup,
    })
    return this.running.add(vmInstance(spec, vm), vm)
  }

  async waitReady(instance: Instance): Promise<ReadyResult> {
    return vmReady(instance, this.running.get(instance))
  }

  /** PSS, RSS and CPU of the VMM process (its vCPU threads included), as qemu's. */
  async sample(instance: Instance): Promise<ResourceSample> {
    return sampleProcesses(instance.pids())
  }

  async stop(instance: Instance): Promise<void> {
    await this.running.stop(instance, (vm) => vm.stop())
  }

  /** The harness floor: isobench-launch → /bin/true → reaped (the VMM starts under the launcher too). */
  harnessFloor(): Promise<number> {
    return harnessFloorMs()
  }

  async cleanup(): Promise<void> {
    for (const vm of this.running.values()) await vm.stop()
    this.running.clear()
  }
}
