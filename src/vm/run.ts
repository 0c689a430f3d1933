/**
 * `isobench vm run`: boot an image as a VM, report the phase breakdown, then either follow the
 * workload to its end (and exit with its code) or leave the VM running (--detach).
 */
import {randomBytes} from 'node:crypto'
import type {CleanupRegistry} from '../core/cleanup.js'
import {UsageError} from '../core/errors.js'
import {initArgs} from '../core/arm.js'
import type {RunFigures} from '../core/results.js'
import {chooseMachine, chooseVmAccel, ensureGuestKernel, prepareImage, type MachineSetting} from './guest.js'
import {launchVm} from './launch.js'
import {parseMemoryMiB, type Machine, type VmAccel} from './qemu-args.js'

export interface VmRunOptions {
  stateDir: string
  image: string
  command: string[]
  cpus: number
  memory: string
  network: 'none' | 'user' | 'bridge'
  publish: string[]
  detach: boolean
  name?: string
  machine: MachineSetting
  accel: 'auto' | 'kvm' | 'tcg'
  kernel?: string
  timeoutSeconds: number
  tbSizeMiB: number
  artefact?: 'initramfs' | 'ext4'
  cleanup: CleanupRegistry
  log: (msg: string) => void
  /** Workload output lines (after the guest init started), for foreground runs. */
  onOutput?: (line: string) => void
}

export interface VmRunResult extends RunFigures {
  id: string
  image: string
  rootfsDigest: string
  artefact: 'initramfs' | 'ext4'
  accel: VmAccel
  accelReason: string
  machine: Machine
  cpus: number
  memoryMiB: number
  /** start → ready (the guest init's ready marker), host monotonic ms. */
  readyMs: number
  endpoint?: {host: string; ports: Record<number, number>}
  detached: boolean
}

/** `-p [127.0.0.1:]HOST:GUEST` or `-p GUEST`. */
export function parsePublish(spec: string): {hostPort?: number; guestPort: number} {
  const parts = spec.split(':')
  if (parts.length === 3 && parts[0] !== '127.0.0.1' && parts[0] !== 'localhost') {
    throw new UsageError(`--publish ${spec}: only loopback can be published (127.0.0.1:HOST:GUEST)`, 'bad-flag')
  }
  const nums = parts.slice(-2).map(Number)
  const port = (n: number) => Number.isInteger(n) && n > 0 && n < 65536
  if (parts.length === 1 && port(nums[nums.length - 1]!)) return {guestPort: nums[nums.length - 1]!}
  if (parts.length >= 2 && nums.every(port)) return {hostPort: nums[0]!, guestPort: nums[1]!}
  throw new UsageError(`--publish ${spec}: expected HOST:GUEST (ports 1-65535)`, 'bad-flag')
}

export async function runVm(o: VmRunOptions): Promise<VmRunResult> {
  const memoryMiB = parseMemoryMiB(o.memory)
  if (memoryMiB === null || memoryMiB < 32) throw new UsageError(`--memory ${o.memory}: expected a size of at least 32M, like 256M or 1G`, 'bad-flag')
  if (!Number.isInteger(o.cpus) || o.cpus < 1 || o.cpus > 64)
    throw new UsageError(`--cpus ${o.cpus}: expected a whole number of vCPUs from 1 to 64`, 'bad-flag')
  const ports = o.publish.map(parsePublish)
  if (ports.length && o.network === 'none') throw new UsageError('--publish needs --network user or bridge', 'bad-flag')
  const id = o.name ?? `vm-${randomBytes(4).toString('hex')}`
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(id)) throw new UsageError(`--name ${id}: expected 1-40 characters [a-z0-9-]`, 'bad-flag')
  const kernel = await ensureGuestKernel(o.stateDir, o.kernel, o.log)
  const [accel, machine, prepared] = await Promise.all([
    chooseVmAccel(o.accel, kernel, o.stateDir),
    chooseMachine(o.machine, kernel),
    prepareImage(o.stateDir, o.image, kernel, {kind: o.artefact, cleanup: o.cleanup}),
  ])
  const argv = o.command.length ? o.command : prepared.cmd
  if (argv.length === 0) throw new UsageError(`image ${o.image} has no command (Entrypoint/Cmd): give one after --`, 'bad-args')
  const env: Record<string, string> = {}
  for (const kv of prepared.env) {
    const i = kv.indexOf('=')
    if (i > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(kv.slice(0, i))) env[kv.slice(0, i)] = kv.slice(i + 1)
  }
  Object.assign(env, {ISOBENCH_NAME: o.image.replace(/[^A-Za-z0-9_.-]/g, '_'), ISOBENCH_READY: 'marker'})
  const t0 = performance.now()
  const vm = await launchVm({
    id,
    stateDir: o.stateDir,
    kernel,
    artefacts: prepared.artefacts,
    machine: machine.machine,
    accel: accel.accel,
    tbSizeMiB: o.tbSizeMiB,
    cpus: o.cpus,
    memoryMiB,
    argv: initArgs({argv, cwd: prepared.workingDir}), // the injected init's options, then -- and the command
    env,
    network: o.network === 'bridge' ? 'tap' : o.network,
    ports,
    detached: o.detach,
    image: o.image,
    cleanup: o.cleanup,
  })
  let initSeen = false
  if (o.onOutput) {
    vm.markers.on('mark', (m: {phase: string}) => {
      if (m.phase === 'init') initSeen = true
    })
  }
  try {
    const ready = await vm.markers.waitFor('ready', o.timeoutSeconds * 1000, vm.exited)
    const ms = (at: number) => Math.round((at - t0) * 100) / 100
    const phases: Record<string, number> = Object.fromEntries(
      vm
        .phases()
        .filter((p) => p.at <= ready.at)
        .map((p) => [p.phase, ms(p.at)]),
    )
    const result: VmRunResult = {
      id,
      image: o.image,
      rootfsDigest: prepared.rootfsDigest,
      artefact: prepared.artefacts.kind,
      accel: accel.accel,
      accelReason: accel.reason,
      machine: machine.machine,
      cpus: o.cpus,
      memoryMiB,
      readyMs: ms(ready.at),
      exitMs: null,
      exitCode: null,
      phases,
      endpoint: vm.endpoint,
      detached: o.detach,
    }
    if (o.detach) {
      vm.detach()
      return result
    }
    // Follow the workload: print its lines (kernel lines before init are not the workload's).
    if (o.onOutput) {
      let seen = vm.markers.output().length
      const pump = () => {
        const out = vm.markers.output()
        if (out.length > seen) {
          const text = out.slice(seen)
          seen = out.length
          if (initSeen) for (const line of text.split('\n').filter(Boolean)) if (!/^\[\s*\d+\.\d+\]/.test(line)) o.onOutput!(line)
        }
      }
      const timer = setInterval(pump, 50)
      await vm.exited
      clearInterval(timer)
      pump()
    } else await vm.exited
    // Exit: the guest init's exit marker (the command's end, before the guest powers off), else qemu's exit.
    const exitMark = vm.markers.marks.find((m) => m.phase === 'exit')
    result.exitMs = ms(exitMark?.at ?? performance.now())
    result.phases.exit = result.exitMs
    result.exitCode = vm.markers.exitCode()
    return result
  } catch (error) {
    const tail = vm.markers.tail(30)
    throw Object.assign(
      new Error(`${id}: ${(error as Error).message}\n--- last serial output ---\n${tail}${vm.stderr() ? `\n--- qemu stderr ---\n${vm.stderr()}` : ''}`),
      {code: 'not-ready'},
    )
  } finally {
    if (!o.detach) await vm.stop()
  }
}
