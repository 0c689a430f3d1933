/**
 * The same container as an OCI bundle (config.json, runtime-spec 1.0) for runc and crun: the same
 * rootfs (an overlay of the image, mounted by the wrapper), namespaces, /proc, /sys, /dev, masked
 * paths, Docker's default capabilities, device allowlist and seccomp profile (the same OCI object
 * our runtime compiles) and the cgroup limits our runtime applies, with the cgroup under the
 * `isobench` parent so prune finds it. Pure: tested in test/unit/runtime.
 */
import {CPU_PERIOD_US, CGROUP_PARENT, type CgroupLimits} from '../cgroups/cgroups.js'
import {DEFAULT_DEVICE_RULES} from '../cgroups/devices.js'
import {DEFAULT_CAPS, type OciSeccomp} from '../seccomp/seccomp-profile.js'

export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
]
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']

export interface BundleSpec {
  /** Absolute path of the rootfs (the overlay mount point inside the wrapper's mount namespace). */
  rootPath: string
  argv: string[]
  env: Record<string, string>
  cwd: string
  hostname: string
  /** 'host' shares the host network namespace; anything else gets a new one (bridge is not wired for OCI arms). */
  network: 'none' | 'host'
  limits: CgroupLimits
  /** Container id: the cgroup is `/isobench/<id>`. */
  id: string
  /** Whether the runtime should manage cgroups (false: no cgroupsPath and no resources). */
  cgroups: boolean
  binds?: Array<{source: string; target: string; readonly: boolean}>
  /** linux.seccomp (seccomp.ts resolveSeccomp); null: none (unconfined). */
  seccomp: OciSeccomp | null
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export function ociConfig(spec: BundleSpec): Record<string, unknown> {
  const {limits} = spec
  const resources: Record<string, unknown> = {devices: DEFAULT_DEVICE_RULES}
  if (limits.memoryMiB) resources.memory = {limit: limits.memoryMiB * 1024 * 1024}
  const cpu: Record<string, unknown> = {}
  if (limits.cpus) Object.assign(cpu, {quota: Math.round(limits.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US})
  if (limits.cpuShares) cpu.shares = limits.cpuShares
  if (limits.cpuset) cpu.cpus = limits.cpuset
  if (Object.keys(cpu).length > 0) resources.cpu = cpu
  if (limits.pids) resources.pids = {limit: limits.pids}
  const namespaces = [{type: 'pid'}, {type: 'ipc'}, {type: 'uts'}, {type: 'mount'}, {type: 'cgroup'}]
  if (spec.network !== 'host') namespaces.push({type: 'network'})
  const env = {PATH: DEFAULT_PATH, ...spec.env}
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: {uid: 0, gid: 0},
      args: spec.argv,
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      cwd: spec.cwd,
      capabilities: {bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS, inheritable: DEFAULT_CAPS},
      noNewPrivileges: false,
    },
    root: {path: spec.rootPath, readonly: false},
    hostname: spec.hostname,
    mounts: [
      {destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev']},
      {destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},
      {destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']},
      {destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']},
      {destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro']},
      ...(spec.binds ?? []).map((b) => ({destination: b.target, type: 'bind', source: b.source, options: ['rbind', b.readonly ? 'ro' : 'rw']})),
    ],
    linux: {
      ...(spec.cgroups ? {cgroupsPath: `/${CGROUP_PARENT}/${spec.id}`, resources} : {}),
      namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      ...(spec.seccomp ? {seccomp: spec.seccomp} : {}),
    },
  }
}

/**
 * isobench-runtime's own annotations for the container arm's fast path (read by spec.c): the
 * runtime mounts an overlay of lowerDirs on root.path inside the container's mount namespace, its
 * writable layer a tmpfs of the container's own ('memory') or upperdir/workdir on disk ('disk',
 * given dirs). runc and crun ignore them; they get the same rootfs from the wrapper instead.
 */
export function overlayAnnotations(lowerDirs: string[], layer: {upperDir: string; workDir: string} | 'memory'): Record<string, string> {
  const a: Record<string, string> = {'org.isobench.rootfs.lowerdirs': lowerDirs.join(':')}
  if (layer !== 'memory') Object.assign(a, {'org.isobench.rootfs.upperdir': layer.upperDir, 'org.isobench.rootfs.workdir': layer.workDir})
  return a
}
