/**
 * The `firecracker` and `cloud-hypervisor` arms: VMs beside qemu, registered from the VMM table
 * (vm/vmms.ts) so that `providers`, `doctor` and a scenario's arm list know them. Both boot only on
 * KVM, which cannot boot a guest on this project's hosts (nested KVM in a Firecracker microVM), and
 * neither is packaged by Debian 12: their launch cannot be written against a real VMM here, so the
 * arm says so instead of pretending. available() probes the binary and KVM (never just /dev/kvm)
 * and explains what to install (README: "Firecracker, Cloud Hypervisor and Kata"); an arm that
 * cannot run is skipped by the engine with that reason.
 */
import type {Arm, ArmContext, ArmInfo, Availability, Instance, ReadyResult, ResourceSample} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import {probeKvm} from '../host/kvm.js'
import {probeVmm, type Vmm} from '../vm/vmms.js'

export class VmmArm implements Arm {
  readonly kind = 'vm'
  private version = 'unknown'

  constructor(
    private readonly vmm: Vmm,
    private readonly ctx: ArmContext,
  ) {}

  get name(): string {
    return this.vmm.name
  }

  async available(): Promise<Availability> {
    const kvm = await probeKvm({timeoutMs: 3000, stateDir: this.ctx.config.stateDir, kernel: this.ctx.config.vm.kernel})
    const p = await probeVmm(this.vmm, kvm)
    this.version = p.version ?? 'unknown'
    if (!p.works) return {ok: false, reason: p.reason}
    return {
      ok: false,
      reason: `${this.vmm.name} ${this.version} and KVM are here, but this isobench has no ${this.vmm.name} launch yet (it could not be written against a real ${this.vmm.name} on its KVM-less build hosts); the qemu arm boots the same image`,
    }
  }

  info(): ArmInfo {
    return {name: this.name, kind: this.kind, isolation: 'vm', accel: 'kvm', versions: {[this.vmm.name]: this.version}, notes: [this.vmm.description]}
  }

  async prepare(): Promise<void> {
    throw new ArmError(`${this.name}: ${(await this.available()).reason}`, 'unavailable')
  }

  async start(): Promise<Instance> {
    throw new ArmError(`${this.name} cannot start instances here (see isobench providers)`, 'unavailable')
  }

  waitReady(): Promise<ReadyResult> {
    return Promise.reject(new ArmError(`${this.name} has no instances`, 'unavailable'))
  }

  async sample(): Promise<ResourceSample> {
    return {}
  }

  async stop(): Promise<void> {}

  async cleanup(): Promise<void> {}
}
