/**
 * The Arm interface: how a workload is isolated. Every arm (bare process, our container
 * runtime, runc/crun, QEMU) implements it; metrics in src/metrics/ work on any arm through it.
 *
 * Lifecycle per run:  available() → prepare() → [start() → waitReady() → sample()* → stop()]* → cleanup()
 * Times are host monotonic milliseconds (performance.now()); guest clocks are never used.
 */
import type {CleanupRegistry} from './cleanup.js'
import type {IsobenchConfig} from './config.js'
import type {Isolation} from './isolation.js'
import type {Logger} from './log.js'

/**
 * What an arm is: a bare process, files-only isolation (chroot), our runtime, an OCI runtime, an
 * engine (a daemon or client in front of one: docker, podman, ctr), LXC, a user-space kernel
 * (sandbox: gVisor), a VM. Its rung on the isolation ladder follows (core/isolation.ts).
 */
export type ArmKind = 'process' | 'chroot' | 'container' | 'oci' | 'lxc' | 'engine' | 'sandbox' | 'vm' | (string & {})

/**
 * How much an arm of each kind isolates, as an order: a bare process (0) < a container, ours or an
 * OCI runtime's (1: shared kernel) < a VM (2: its own kernel). It predicts the direction of every
 * cost: the more isolated arm is expected to be slower, larger or as fast, never faster. A kind not
 * in this table predicts nothing (its comparisons are always shown as findings).
 */
export const ISOLATION_LEVELS: Readonly<Record<string, number>> = {process: 0, container: 1, oci: 1, vm: 2}

/** Acceleration used by an arm: 'none' for arms that run natively on the host CPU. */
export type Accel = 'none' | 'kvm' | 'tcg'

export interface Availability {
  ok: boolean
  /** Why not (or a caveat when ok), in one line a user can act on. */
  reason?: string
}

export interface ArmInfo {
  name: string
  kind: ArmKind
  /** Its rung on the isolation ladder (core/isolation.ts), when its kind does not say it (runsc is an OCI runtime but a user-space kernel). */
  isolation?: Isolation
  accel: Accel
  /** Versions of the software the arm runs on (runc, qemu, kernel, …). */
  versions: Record<string, string>
  notes?: string[]
}

export interface Limits {
  /** vCPUs for a VM; CPU quota (cores) for a container. */
  cpus?: number
  /** Guest RAM for a VM; memory limit for a container. */
  memoryMiB?: number
  pids?: number
  /** Host CPUs to pin to, e.g. "0" or "0-1". */
  cpuset?: string
}

/** An instance's network, as scenarios name it: loopback only, the host's, our bridge, or user (ports published to the host: a container on our bridge, a VM by user-mode forwards from loopback). */
export const NETWORK_MODES = ['none', 'host', 'bridge', 'user'] as const
export type NetworkMode = (typeof NETWORK_MODES)[number]

/**
 * How the host decides an instance is ready, observed on the host's monotonic clock. `marker`: the
 * init's `ISOBENCH ready` line, right before the workload starts; `exit`: the workload exited (the
 * init's `ISOBENCH exit` line: for batch workloads, startup is start-to-exit); `log`: the first
 * output line (stdout or stderr) containing `text`; `tcp`/`http`: the first successful probe from the
 * host through the arm's network. For services startup is the probe, never the init's marker.
 */
export type ReadinessRule =
  | {kind: 'marker'}
  | {kind: 'exit'}
  | {kind: 'log'; text: string}
  /**
   * A host-side TCP connect. Through a port proxy (our container's published ports, qemu's
   * user-mode hostfwd) the proxy accepts before the workload listens, so a bare connect proves
   * nothing there: give `send`/`expect` (a request and the start of its reply, e.g. PING/+PONG)
   * and the probe counts only a reply from the workload itself.
   */
  | {kind: 'tcp'; port: number; send?: string; expect?: string}
  /** An HTTP GET of `path` answered with `status` (default: any status below 500). */
  | {kind: 'http'; port: number; path: string; status?: number}

/** One line naming a readiness rule, for reports: `marker`, `http GET :8080/health → 200`, `log "listening on"`. */
export function describeReadiness(rule: ReadinessRule): string {
  switch (rule.kind) {
    case 'http':
      return `http GET :${rule.port}${rule.path} → ${rule.status ?? '< 500'}`
    case 'tcp':
      return `tcp :${rule.port}${rule.send !== undefined ? ` (${JSON.stringify(rule.send)} → ${JSON.stringify(rule.expect ?? '')})` : ''}`
    case 'log':
      return `log ${JSON.stringify(rule.text)}`
    default:
      return rule.kind
  }
}

/** A user (uid, gid, supplementary gids) the workload runs as, resolved in the image's /etc/passwd and /etc/group. */
export interface WorkloadUser {
  uid: number
  gid: number
  groups?: number[]
}

/** A workload resolved for one run: what every arm executes inside its instance. */
export interface WorkloadSpec {
  name: string
  /** Command run by the init inside the instance, after it prints its markers (the image's Entrypoint + Cmd, or the workload's own). */
  argv: string[]
  /** The workload's environment: the image's Env with the workload's env over it (Docker's order). */
  env?: Record<string, string>
  /** Working directory inside the instance (the image's WorkingDir unless the workload sets one); created when missing, as Docker does. */
  cwd?: string
  /** The user it runs as (the image's User unless the workload sets one); absent = root. */
  user?: WorkloadUser
  ready: ReadinessRule
  /** Image the instance runs (container/VM arms): a store reference; the process arm runs host binaries. */
  image?: string
  /** Ports the workload listens on inside the instance (published for bridge/user networks). */
  ports?: number[]
  /**
   * 'block': the workload measures I/O on its own rootfs, so a VM must boot that rootfs from a
   * virtio block device (ext4 disk), never from an initramfs held in guest RAM, and a container's
   * writable layer must be on disk (see rootfsMedium).
   */
  rootfs?: 'block'
  /**
   * The process arm runs this workload only when its command exists on the host (false: the command is
   * the image's own, e.g. a static binary in a FROM scratch image; the process arm then skips it).
   */
  hostRunnable?: boolean
}

/**
 * The injected init's options and argv for a workload (src/runtime/native/init/isobench-init.c):
 * `-w DIR` and `-u UID:GID[:GIDS]` when set, then `--` and the command. Every arm runs this.
 */
export function initArgs(workload: Pick<WorkloadSpec, 'argv' | 'cwd' | 'user'>, opts: {cwd?: boolean} = {}): string[] {
  const a: string[] = []
  if (workload.cwd && workload.cwd !== '/' && opts.cwd !== false) a.push('-w', workload.cwd)
  const u = workload.user
  if (u && (u.uid !== 0 || u.gid !== 0 || (u.groups?.length ?? 0) > 0)) a.push('-u', `${u.uid}:${u.gid}${u.groups?.length ? `:${u.groups.join(',')}` : ''}`)
  return [...a, '--', ...workload.argv]
}

/** The init's environment: the workload's, plus its name and readiness kind (the init removes those two before it runs the workload). */
export function initEnv(workload: Pick<WorkloadSpec, 'name' | 'env' | 'ready'>): Record<string, string> {
  return {...workload.env, ISOBENCH_NAME: workload.name, ISOBENCH_READY: workload.ready.kind}
}

/** Whether arms of this kind run the workload's image (the process arm runs host binaries, the fake arm nothing). */
export function kindUsesImages(kind: ArmKind): boolean {
  return kind !== 'process' && kind !== 'fake'
}

/** Where a workload's image comes from (paths absolute): built from a Containerfile, imported from an archive, a store or registry reference, or a recipe. */
export type ImageSource =
  {containerfile: string; context: string; buildArgs?: Record<string, string>; target?: string} | {ref: string} | {archive: string} | {recipe: string}

/** The image a workload runs when it names none, in every arm. */
export const DEFAULT_IMAGE = 'idle'

/** The image an instance of this workload runs: its own, else DEFAULT_IMAGE. */
export function imageOf(workload: Pick<WorkloadSpec, 'image'>): string {
  return workload.image ?? DEFAULT_IMAGE
}

/**
 * Where an instance's rootfs lives, the same rule for every arm: on disk when the workload measures
 * I/O on its rootfs (a VM's virtio disk, a container's overlay upper dir on the state dir's
 * filesystem), else in memory (a VM's initramfs, a container's overlay upper in a tmpfs of its own).
 */
export function rootfsMedium(workload: Pick<WorkloadSpec, 'rootfs'>): 'disk' | 'memory' {
  return workload.rootfs === 'block' ? 'disk' : 'memory'
}

export interface InstanceSpec {
  /** Unique name, safe for paths, cgroups and interface names (≤ 40 chars, [a-z0-9-]). */
  id: string
  workload: WorkloadSpec
  limits: Limits
  network: NetworkMode
  /** Deadline for waitReady(); a guest or container that misses it is a failed sample. */
  readyTimeoutMs: number
}

/** A timestamped marker line: `ISOBENCH <phase> <name>` on host monotonic ms. */
export interface PhaseMark {
  phase: string
  at: number
  /** For the `exit` mark: the workload's exit code as the init reported it. */
  code?: number
}

export interface Instance {
  id: string
  spec: InstanceSpec
  /** performance.now() just before the arm spawned anything for this instance. */
  startedAt: number
  /** Host PIDs whose memory and CPU belong to this instance (for the VM: the qemu process). */
  pids(): number[]
  /** Phase marks received so far, in arrival order. */
  marks: PhaseMark[]
  /** Workload output (markers removed), bounded; kept for parsers and failure reports. */
  output(): string
  /** Host address to reach the workload's ports, once ready (loopback with published ports). */
  endpoint?: {host: string; ports: Record<number, number>}
  /** Resolves when the instance has exited, with its exit code (null if killed). */
  exited: Promise<ExitStatus>
  /** Facts the instance reported from inside (`ISOBENCH fact <key> <value>` lines, src/core/markers.ts); absent if the arm has no such channel. */
  facts?(): Record<string, string>
}

/** How an instance ended. */
export interface ExitStatus {
  code: number | null
  signal?: string | null
  /**
   * The kernel's OOM killer killed a process of the instance because of its memory limit (read from
   * its memory cgroup before removal: v2 memory.events oom_kill, v1 memory.oom_control oom_kill), as
   * Docker's State.OOMKilled. Only arms with a memory cgroup can tell.
   */
  oomKilled?: boolean
}

/** "exited (0)", "exited (137, OOM-killed)", "exited (SIGKILL)": how `container ls`, errors and results say it. */
export function exitStatusText(s: ExitStatus): string {
  const what = s.code !== null && s.code !== undefined ? String(s.code) : (s.signal ?? 'unknown')
  return `exited (${what}${s.oomKilled ? ', OOM-killed' : ''})`
}

export interface ReadyResult {
  /** performance.now() at which readiness was observed. */
  readyAt: number
  phases: PhaseMark[]
}

export interface ResourceSample {
  /** Sum over the instance's host processes, in bytes. */
  rssBytes?: number
  pssBytes?: number
  ussBytes?: number
  /** cgroup memory usage, where the arm has a cgroup. */
  cgroupMemoryBytes?: number
  /**
   * For arms with an engine or monitor beside the instance (dockerd, containerd, conmon,
   * containerd-shim, lxc-start): the PSS of its per-instance processes (shim, monitor) plus its
   * daemons' PSS divided by the instances running, in bytes; not part of pssBytes.
   */
  enginePssBytes?: number
  /** Host CPU time used so far by the instance's processes, in seconds. */
  cpuSeconds?: number
}

export interface ArmContext {
  config: IsobenchConfig
  cleanup: CleanupRegistry
  log: Logger
  /** Run id, for naming instances and temp files. */
  runId: string
}

export interface Arm {
  readonly name: string
  readonly kind: ArmKind
  /** Can this arm run here? Must be quick (≤ a few seconds) and never hang. */
  available(): Promise<Availability>
  /** Everything not part of a timed region: build images, bundles, kernels. Idempotent. */
  prepare(workloads: WorkloadSpec[]): Promise<void>
  info(): ArmInfo
  /**
   * Can this arm run this workload at all, on this network (the process arm: not a binary only the
   * image has; runc/crun: not a service the host must reach)? Absent: every workload. The engine
   * leaves the cell out with the reason as a warning, instead of recording failed samples.
   */
  supports?(workload: WorkloadSpec, network: NetworkMode): Availability
  /** The rootfs digest (sha256:…) an image resolved to after prepare(), for the parity manifest; null if unknown. */
  rootfsDigest?(image: string): string | null
  /**
   * What of these limits the arm cannot give its instances as the other arms do, one line each for
   * the parity manifest (e.g. `ctr: no pids limit (ctr run has no flag for it)`); absent or []: all matched.
   */
  unmatchedLimits?(limits: Limits): string[]
  /** Spawn the instance and return at once; readiness is awaited separately. */
  start(spec: InstanceSpec): Promise<Instance>
  /** Resolve when ready, or reject with ArmError('not-ready') at spec.readyTimeoutMs. */
  waitReady(instance: Instance): Promise<ReadyResult>
  sample(instance: Instance): Promise<ResourceSample>
  /** Stop and remove the instance: no process, mount, cgroup, veth, tap or temp file is left. */
  stop(instance: Instance): Promise<void>
  /**
   * The harness floor of an arm whose instances start under isobench-launch: the launcher starting
   * /bin/true and reaping it, in ms on the kernel's clock (the least a start can measure here, taken
   * beside each startup sample). Absent for arms without the launcher.
   */
  harnessFloor?(): Promise<number>
  /** Release everything prepare() made that must not outlive the run. */
  cleanup(): Promise<void>
}

/** What a plugin contributes through the `isobench:arms` hook. */
export interface ArmProvider {
  name: string
  kind: ArmKind
  /** Its rung on the isolation ladder when its kind does not say it (default: isolationOfKind(kind)). */
  isolation?: Isolation
  description: string
  /** Left out of listings, error hints and the default arms (the fake arm for tests); still runs when named. */
  hidden?: boolean
  create(ctx: ArmContext): Arm
}
