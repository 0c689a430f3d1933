/**
 * Launch one VM: write its record, spawn qemu (in its own process group; with a parent-death
 * signal unless detached, so a kill -9 of isobench takes qemu along), read the serial console
 * into the marker stream, connect QMP, and give back a handle whose stop() removes everything:
 * qemu, tap, address lease, QMP socket, overlay disk, instance dir.
 *
 * Phases (host monotonic ms): spawn (just before qemu is spawned) → qmp (greeting received) →
 * kernel (the guest kernel's "Linux version" banner on the serial port) → init → ready.
 */
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import type {PhaseMark} from '../core/arm.js'
import {MarkerStream} from '../core/markers.js'
import {spawnInstanceProcess, stopProcessGroup, type InstanceProcess} from '../host/process.js'
import {GO_FD, launchArgv, releaseStart} from '../runtime/native/launch.js'
import type {CleanupRegistry, CleanupHandle} from '../core/cleanup.js'
import {BRIDGE, BRIDGE_IP, PREFIX_LEN, deleteLink, ensureBridge, leaseAddress, releaseAddress} from '../runtime/network/bridge.js'
import {instanceDisk, type GuestArtefacts} from './artefacts.js'
import {followFile, readTextTail, tailBuffer} from './console.js'
import {guestCmdline, type GuestCmdlineOptions} from './guest-init.js'
import {writeMeta, type VmMeta} from './instances.js'
import type {GuestKernel} from './kernel.js'
import {instanceDir, qemuProcessName, qmpSocketPath, tapName} from './paths.js'
import {QEMU_BINARY, USER_NET, qemuArgs, virtioTransportModule, type Machine, type VmAccel, type VmNetwork} from './qemu-args.js'
import {QmpClient} from './qmp.js'
import {modulesToLoad} from './modules.js'
import {filterResolvConf, hostEtc, nameservers} from '../runtime/network/etc-files.js'
import {freeLoopbackPort, macFor} from './net.js'

export interface LaunchSpec {
  id: string
  stateDir: string
  kernel: GuestKernel
  artefacts: GuestArtefacts
  machine: Machine
  accel: VmAccel
  tbSizeMiB: number
  /**
   * Host caching of the root disk: 'unsafe' (default; fast boots from the host page cache) or
   * 'none' (O_DIRECT on the host, for workloads that measure their disk: guest I/O reaches the device).
   */
  diskCache?: 'unsafe' | 'none'
  /** Host CPUs qemu (every vCPU and I/O thread) may run on, e.g. "1" (taskset); unset = any. */
  cpuset?: string
  cpus: number
  memoryMiB: number
  /** What the guest's init runs: the injected init's options and the workload's argv (initArgs). */
  argv: string[]
  env: Record<string, string>
  network: 'none' | 'user' | 'tap'
  /** Guest ports to reach from the host. For user mode, host ports are chosen free on 127.0.0.1 unless given. */
  ports: Array<{guestPort: number; hostPort?: number}>
  /** Leave qemu running after isobench exits (vm run --detach); serial goes to a file. */
  detached?: boolean
  image?: string
  cleanup?: CleanupRegistry
  /** Extra kernel parameters. */
  extraCmdline?: string[]
  /** How the guest ends (guestCmdline's reboot=, panic=, power-off); qemu's defaults when absent. */
  guestEnd?: Pick<GuestCmdlineOptions, 'reboot' | 'panicSeconds' | 'halt'>
}

export interface RunningVm {
  id: string
  meta: VmMeta
  child: InstanceProcess
  markers: MarkerStream
  /** performance.now() just before spawning qemu. */
  startedAt: number
  /** Synthetic phase marks (qmp, kernel) in arrival order; markers.marks has init/ready/exit. */
  vmMarks: PhaseMark[]
  qmp: Promise<QmpClient>
  endpoint?: {host: string; ports: Record<number, number>}
  exited: Promise<{code: number | null; signal?: string | null}>
  /** qemu's own stderr (bounded), for failure reports. */
  stderr(): string
  /** Stop following a detached VM and let this process exit while qemu runs on. */
  detach(): void
  /** All phase marks so far, in time order. */
  phases(): PhaseMark[]
  stop(): Promise<void>
}

/** The guest kernel's first line on the serial console: the `kernel` phase. */
export const KERNEL_BANNER = 'Linux version '

/** The host's TSC frequency in kHz (a TCG guest's TSC runs at the host's), or null if unknown. */
export function hostTscKhz(): number | null {
  try {
    const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    return m ? Math.round(Number(m[1]) * 1000) : null
  } catch {
    return null
  }
}

export async function launchVm(spec: LaunchSpec): Promise<RunningVm> {
  const dir = instanceDir(spec.stateDir, spec.id)
  if (existsSync(dir)) throw new Error(`a VM named ${spec.id} already exists (isobench vm stop ${spec.id}, or vm prune)`)
  mkdirSync(dir, {recursive: true})
  const qmpSocket = qmpSocketPath(spec.stateDir, spec.id)
  const undoers: Array<() => Promise<void> | void> = [() => rmSync(dir, {recursive: true, force: true}), () => rmSync(qmpSocket, {force: true})]
  let registration: CleanupHandle | undefined
  const release = async () => {
    for (const u of undoers.splice(0).reverse()) {
      try {
        await u()
      } catch {
        // best effort; prune catches the rest
      }
    }
  }
  try {
    // Network.
    let network: VmNetwork = {mode: 'none'}
    let guestNet: string | undefined
    let endpoint: RunningVm['endpoint']
    let tap: string | undefined
    let ip: string | undefined
    const forwards: VmMeta['forwards'] = []
    if (spec.network === 'user') {
      for (const p of spec.ports) forwards.push({guestPort: p.guestPort, hostPort: p.hostPort ?? (await freeLoopbackPort())})
      network = {mode: 'user', forwards}
      guestNet = `${USER_NET.guest}/${USER_NET.prefix},${USER_NET.host}`
      endpoint = {host: '127.0.0.1', ports: Object.fromEntries(forwards.map((f) => [f.guestPort, f.hostPort]))}
    } else if (spec.network === 'tap') {
      await ensureBridge()
      ip = leaseAddress(spec.stateDir, `vm-${spec.id}`)
      const leased = ip
      undoers.push(() => releaseAddress(spec.stateDir, leased))
      tap = tapName(spec.id)
      const t = tap
      await execa('ip', ['tuntap', 'add', 'dev', t, 'mode', 'tap'])
      undoers.push(() => deleteLink(t))
      await execa('ip', ['link', 'set', t, 'master', BRIDGE, 'up'])
      network = {mode: 'tap', ifname: t, mac: macFor(spec.id)}
      guestNet = `${ip}/${PREFIX_LEN},${BRIDGE_IP}`
      endpoint = {host: ip, ports: Object.fromEntries(spec.ports.map((p) => [p.guestPort, p.guestPort]))}
    }
    // Disk.
    let disk: {path: string; format: 'qcow2'; cache: 'unsafe' | 'none'} | undefined
    if (spec.artefacts.kind === 'ext4')
      disk = {path: await instanceDisk(spec.artefacts.disk!, join(dir, 'root.qcow2')), format: 'qcow2', cache: spec.diskCache ?? 'unsafe'}
    // Modules the guest needs for what we give it.
    const wanted = new Set<string>()
    if (network.mode !== 'none' || disk) wanted.add(virtioTransportModule(spec.machine))
    if (network.mode !== 'none') wanted.add('virtio_net')
    if (disk) wanted.add('virtio_blk')
    const deps = modulesToLoad(spec.kernel, wanted)
    // DNS as Docker gives a container: user-mode networking has its own resolver (slirp's), else the host's without loopback servers.
    const dns = spec.network === 'user' ? [USER_NET.dns] : nameservers(filterResolvConf(hostEtc().resolvConf))
    const cmdline = guestCmdline({
      argv: spec.argv,
      env: spec.env,
      modules: deps,
      net: guestNet,
      root: disk ? 'vda' : undefined,
      hostname: spec.id,
      nameservers: dns,
      tscKhz: spec.accel === 'tcg' && spec.machine === 'microvm' ? (hostTscKhz() ?? undefined) : undefined,
      extra: spec.extraCmdline,
      ...spec.guestEnd,
    })
    const serialLog = spec.detached ? join(dir, 'serial.log') : undefined
    const kernelFile = spec.machine === 'microvm' && spec.kernel.vmlinux ? spec.kernel.vmlinux : spec.kernel.vmlinuz
    const argv = qemuArgs({
      name: qemuProcessName(spec.id),
      machine: spec.machine,
      accel: spec.accel,
      tbSizeMiB: spec.tbSizeMiB,
      cpus: spec.cpus,
      memoryMiB: spec.memoryMiB,
      kernel: kernelFile,
      initrd: spec.artefacts.initrd,
      cmdline,
      qmpSocket,
      serial: serialLog ? {file: serialLog} : 'stdio',
      network,
      disk,
    })
    const meta: VmMeta = {
      id: spec.id,
      pid: 0,
      ownerPid: process.pid,
      detached: Boolean(spec.detached),
      createdAt: new Date().toISOString(),
      machine: spec.machine,
      accel: spec.accel,
      cpus: spec.cpus,
      memoryMiB: spec.memoryMiB,
      image: spec.image,
      rootfsDigest: spec.artefacts.rootfsDigest,
      artefact: spec.artefacts.kind,
      network: spec.network,
      forwards,
      tap,
      ip,
      qmpSocket,
      serialLog,
    }
    writeMeta(spec.stateDir, meta)
    // A kill -9 of isobench must take a non-detached qemu with it: PR_SET_PDEATHSIG via isobench-launch
    // --exec (it execs qemu, same pid; unlike setpriv it refuses to start when we died before its prctl).
    // Its relay stamps the start right before qemu's execve, the kernel banner and the markers on
    // arrival (--timed); it pins qemu to the cpuset itself (taskset only for a detached VM).
    const command = spec.detached
      ? [...(spec.cpuset ? ['taskset', '-c', spec.cpuset] : []), QEMU_BINARY, ...argv]
      : await launchArgv([QEMU_BINARY, ...argv], {mode: 'exec', timed: true, cpus: spec.cpuset, marks: {kernel: KERNEL_BANNER}, goFd: GO_FD})
    const timed = !spec.detached
    const startedAt = performance.now()
    const child = spec.detached
      ? // No pipes at all: qemu must not die of SIGPIPE once this process has exited.
        (execa(command[0]!, command.slice(1), {
          detached: true,
          cleanup: false,
          buffer: false,
          reject: false,
          stdin: 'ignore',
          stdout: 'ignore',
          stderr: {file: join(dir, 'qemu.stderr')},
        }) as unknown as InstanceProcess)
      : spawnInstanceProcess(command, {go: true})
    if (!child.pid) throw new Error(`could not spawn ${QEMU_BINARY}`)
    if (timed) releaseStart(child.stdio[GO_FD] as NodeJS.WritableStream)
    meta.pid = child.pid
    writeMeta(spec.stateDir, meta)
    const exited = child.then(
      (r) => ({code: r.exitCode ?? null, signal: r.signal ?? null}),
      () => ({code: null, signal: null}),
    )
    const vmMarks: PhaseMark[] = []
    const markers = new MarkerStream()
    const follower = serialLog ? followFile(serialLog, exited) : null
    const serial = follower ?? child.stdout!
    let banner = ''
    // Untimed (detached), the kernel banner is seen here; timed, the relay stamped it (a `kernel` mark).
    serial.on('data', (chunk: Buffer | string) => {
      if (timed || vmMarks.some((m) => m.phase === 'kernel')) return
      const at = performance.now()
      const text = banner + chunk.toString()
      if (text.includes(KERNEL_BANNER)) vmMarks.push({phase: 'kernel', at})
      banner = text.slice(-KERNEL_BANNER.length)
    })
    markers.attach(serial as NodeJS.ReadableStream as import('node:stream').Readable, {stamped: timed})
    const errTail = tailBuffer()
    child.stderr?.on('data', (c: Buffer) => errTail.push(c.toString()))
    const qmp = QmpClient.connect(qmpSocket, 10_000, exited).then((c) => {
      vmMarks.push({phase: 'qmp', at: c.upAt})
      return c
    })
    qmp.catch(() => {})
    let stopped: Promise<void> | null = null
    const stop = () =>
      (stopped ??= (async () => {
        if (!spec.detached || child.exitCode === null) {
          try {
            const c = await Promise.race([qmp, new Promise<null>((r) => setTimeout(() => r(null), 200))])
            c?.close()
          } catch {
            // no QMP: kill it
          }
          await stopProcessGroup(child)
        }
        await exited
        registration?.dispose()
        await release()
      })())
    if (spec.cleanup && !spec.detached) registration = spec.cleanup.add(`qemu ${spec.id}`, stop)
    return {
      id: spec.id,
      meta,
      child,
      markers,
      startedAt,
      vmMarks,
      qmp,
      endpoint,
      exited,
      stderr: () => errTail.text() || (serialLog ? readTextTail(join(dir, 'qemu.stderr')) : ''),
      // Timed, the launcher's own spawn mark is among the markers; untimed, the spawn is ours.
      phases: () => [...(timed ? [] : [{phase: 'spawn', at: startedAt}]), ...vmMarks, ...markers.marks].sort((a, b) => a.at - b.at),
      stop,
      detach: () => {
        follower?.stopFollowing()
        child.stderr?.destroy()
        child.unref()
        void qmp.then(
          (c) => c.close(),
          () => {},
        )
      },
    }
  } catch (error) {
    await release()
    throw error
  }
}
