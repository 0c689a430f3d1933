/**
 * What the VM arms (qemu, firecracker, cloud-hypervisor) share once a VMM process runs a guest: the
 * Instance, whose only host process is the VMM (its vCPU threads included), and readiness read from
 * the guest's markers on the serial console, with the VMM's own phases before it.
 */
import type {Instance, InstanceSpec, PhaseMark, ReadyResult} from '../core/arm.js'
import {ArmError} from '../core/errors.js'
import type {MarkerStream} from '../core/markers.js'
import type {InstanceProcess} from '../host/process.js'
import {newInstance} from './instances.js'
import {waitReady} from './readiness.js'

/** A launched guest as the VM launchers return it (vm/launch.ts, vm/vmm-launch.ts). */
export interface GuestVm {
  child: InstanceProcess
  markers: MarkerStream
  /** performance.now() at the VMM's start, ms. */
  startedAt: number
  exited: Instance['exited']
  endpoint?: Instance['endpoint']
  /** The VMM's and the guest's phase marks, in time order. */
  phases(): PhaseMark[]
  /** The end of the VMM's stderr. */
  stderr(): string
}

/** The Instance of a guest: its markers, the VMM process while it runs, its exit and endpoint. */
export function vmInstance(spec: InstanceSpec, vm: GuestVm): Instance {
  return newInstance(spec, {
    startedAt: vm.startedAt,
    markers: vm.markers,
    pids: () => (vm.child.pid && vm.child.exitCode === null ? [vm.child.pid] : []),
    exited: vm.exited,
    endpoint: vm.endpoint,
  })
}

/**
 * Ready when the workload's readiness rule is met (arms/readiness.ts); the phases are every mark up to
 * then, ending with `ready`. When it is not met: `onNotReady` runs (the arm's own conclusions), then
 * ArmError 'not-ready' with the guest's last console lines and the VMM's stderr.
 */
export async function vmReady(instance: Instance, vm: GuestVm, onNotReady: () => void = () => {}): Promise<ReadyResult> {
  try {
    const ready = await waitReady(instance, vm.markers)
    const phases = vm.phases().filter((p) => p.at <= ready.readyAt && p.phase !== 'ready' && p.phase !== 'exit')
    return {readyAt: ready.readyAt, phases: [...phases, {phase: 'ready', at: ready.readyAt}]}
  } catch (error) {
    onNotReady()
    const e = error as ArmError
    throw new ArmError(e.message, 'not-ready', {lastOutput: e.detail?.lastOutput ?? vm.markers.tail(30), stderr: vm.stderr() || undefined})
  }
}
