/**
 * Launch one Firecracker or Cloud Hypervisor microVM the way launch.ts launches qemu: a record in
 * `<stateDir>/vm/instances/<id>/` written before the spawn (prune finds the process by that dir on
 * its command line: instances.ts), the VMM exec'd by isobench-launch (same pid; a parent-death
 * signal, so a kill -9 of isobench takes it along; pinned to the cpuset; the start stamped right
 * before its execve, the kernel banner and the markers stamped on arrival), the guest's serial
 * console on its stdout read into the marker stream, and a stop() that kills it and removes the dir.
 *
 * The guest is qemu's: the same vmlinux of the same guest kernel, the same initramfs (the image's
 * rootfs, our guest init, the injected init) and the same command line but for the parameters each
 * VMM's docs ask for (firecracker.ts, cloud-hypervisor.ts). No network and no disk: supports() in
 * the arm keeps such workloads away. Never run on isobench's build hosts (no KVM there).
 */
import {mkdirSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import type {PhaseMark} from '../core/arm.js'
import type {CleanupHandle, CleanupRegistry} from '../core/cleanup.js'
import {MarkerStream} from '../core/markers.js'
import {spawnInstanceProcess, stopProcessGroup, type InstanceProcess} from '../host/process.js'
import {GO_FD, launchArgv, releaseStart} from '../runtime/native/launch.js'
import {filterResolvConf, hostEtc, nameservers} from '../runtime/network/etc-files.js'
import type {GuestArtefacts} from './artefacts.js'
import {CLOUD_HYPERVISOR_CMDLINE, CLOUD_HYPERVISOR_KERNEL_NEEDS, cloudHypervisorArgs} from './cloud-hypervisor.js'
import {tailBuffer} from './console.js'
import {FIRECRACKER_CMDLINE, FIRECRACKER_KERNEL_NEEDS, firecrackerArgs, firecrackerConfig} from './firecracker.js'
import {guestCmdline, type GuestCmdlineOptions} from './guest-init.js'
import {writeMeta, type VmMeta} from './instances.js'
import {KERNEL_BANNER} from './launch.js'
import {instanceDir} from './paths.js'

export type MicroVmm = 'firecracker' | 'cloud-hypervisor'

export interface MicroVmSpec {
  vmm: MicroVmm
  /** The VMM's binary (absolute path). */
  binary: string
  id: string
  stateDir: string
  /** Uncompressed ELF vmlinux (kernel.ts ensureVmlinux). */
  vmlinux: string
  /** Initramfs artefacts (an ext4 root is not supported by these launchers). */
  artefacts: GuestArtefacts
  cpus: number
  memoryMiB: number
  /** Host CPUs the VMM (every vCPU thread) may run on, e.g. "1"; unset = any. */
  cpuset?: string
  /** What the guest's init runs (initArgs) and its environment. */
  argv: string[]
  env: Record<string, string>
  image?: string
  cleanup?: CleanupRegistry
}

export interface RunningMicroVm {
  id: string
  meta: VmMeta
  child: InstanceProcess
  markers: MarkerStream
  /** performance.now() just before the spawn. */
  startedAt: number
  exited: Promise<{code: number | null; signal?: string | null}>
  /** The VMM's own stderr (bounded), for failure reports. */
  stderr(): string
  /** Every phase mark so far (spawn, kernel, init, ready, …), in time order. */
  phases(): PhaseMark[]
  stop(): Promise<void>
}

/** The kernel options each VMM needs built into the guest kernel (firecracker.ts, cloud-hypervisor.ts). */
export function vmmKernelNeeds(vmm: MicroVmm): readonly string[] {
  return vmm === 'firecracker' ? FIRECRACKER_KERNEL_NEEDS : CLOUD_HYPERVISOR_KERNEL_NEEDS
}

/** The command line options each VMM's docs ask for (reboot/panic/halt, pci=off). */
export function vmmCmdlineOptions(vmm: MicroVmm): Pick<GuestCmdlineOptions, 'reboot' | 'panicSeconds' | 'halt' | 'extra'> {
  return vmm === 'firecracker' ? FIRECRACKER_CMDLINE : CLOUD_HYPERVISOR_CMDLINE
}

/**
 * The files and argv of one microVM, written into its instance dir: Firecracker's config file and
 * (empty) log file, or Cloud Hypervisor's log path. Returns the argv after the binary.
 */
export function writeVmmFiles(
  vmm: MicroVmm,
  dir: string,
  id: string,
  boot: {kernel: string; initrd: string; cmdline: string; vcpus: number; memoryMiB: number},
): string[] {
  if (vmm === 'firecracker') {
    const configFile = join(dir, 'firecracker.json')
    const logFile = join(dir, 'firecracker.log')
    writeFileSync(configFile, JSON.stringify(firecrackerConfig(boot), null, 2))
    writeFileSync(logFile, '') // docs/logger.md: the file must exist
    return firecrackerArgs({id, configFile, logFile})
  }
  return cloudHypervisorArgs({
    kernel: boot.kernel,
    initramfs: boot.initrd,
    cmdline: boot.cmdline,
    vcpus: boot.vcpus,
    memoryMiB: boot.memoryMiB,
    logFile: join(dir, 'cloud-hypervisor.log'),
  })
}

/** Spawn the microVM and return at once; throws (after removing what it made) when it cannot be spawned. */
export async function launchMicroVm(spec: MicroVmSpec): Promise<RunningMicroVm> {
  if (spec.artefacts.kind !== 'initramfs') throw new Error(`${spec.vmm}: only an initramfs root is supported (got ${spec.artefacts.kind})`)
  const dir = instanceDir(spec.stateDir, spec.id)
  if (existsSync(dir)) throw new Error(`a VM named ${spec.id} already exists (isobench vm stop ${spec.id}, or vm prune)`)
  mkdirSync(dir, {recursive: true})
  let registration: CleanupHandle | undefined
  const removeDir = () => rmSync(dir, {recursive: true, force: true})
  try {
    const cmdline = guestCmdline({
      argv: spec.argv,
      env: spec.env,
      modules: [],
      hostname: spec.id,
      nameservers: nameservers(filterResolvConf(hostEtc().resolvConf)),
      ...vmmCmdlineOptions(spec.vmm),
    })
    const argv = writeVmmFiles(spec.vmm, dir, spec.id, {
      kernel: spec.vmlinux,
      initrd: spec.artefacts.initrd,
      cmdline,
      vcpus: spec.cpus,
      memoryMiB: spec.memoryMiB,
    })
    const meta: VmMeta = {
      id: spec.id,
      pid: 0,
      vmm: spec.vmm,
      ownerPid: process.pid,
      detached: false,
      createdAt: new Date().toISOString(),
      machine: spec.vmm,
      accel: 'kvm',
      cpus: spec.cpus,
      memoryMiB: spec.memoryMiB,
      image: spec.image,
      rootfsDigest: spec.artefacts.rootfsDigest,
      artefact: spec.artefacts.kind,
      network: 'none',
      forwards: [],
    }
    writeMeta(spec.stateDir, meta)
    const command = await launchArgv([spec.binary, ...argv], {mode: 'exec', timed: true, cpus: spec.cpuset, marks: {kernel: KERNEL_BANNER}, goFd: GO_FD})
    const startedAt = performance.now()
    const child = spawnInstanceProcess(command, {go: true})
    if (!child.pid) throw new Error(`could not spawn ${spec.binary}`)
    releaseStart(child.stdio[GO_FD] as NodeJS.WritableStream)
    meta.pid = child.pid
    writeMeta(spec.stateDir, meta)
    const exited = child.then(
      (r) => ({code: r.exitCode ?? null, signal: r.signal ?? null}),
      () => ({code: null, signal: null}),
    )
    const markers = new MarkerStream()
    markers.attach(child.stdout!, {stamped: true})
    const errTail = tailBuffer()
    child.stderr?.on('data', (c: Buffer) => errTail.push(c.toString()))
    let stopped: Promise<void> | null = null
    const stop = () =>
      (stopped ??= (async () => {
        await stopProcessGroup(child)
        await exited
        registration?.dispose()
        removeDir()
      })())
    if (spec.cleanup) registration = spec.cleanup.add(`${spec.vmm} ${spec.id}`, stop)
    return {
      id: spec.id,
      meta,
      child,
      markers,
      startedAt,
      exited,
      stderr: () => errTail.text(),
      phases: () => [...markers.marks].sort((a, b) => a.at - b.at),
      stop,
    }
  } catch (error) {
    registration?.dispose()
    removeDir()
    throw error
  }
}
