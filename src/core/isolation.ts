/**
 * The isolation ladder: what kind of isolation an arm is, from none (a bare process) to a VM. Arms
 * declare it (ArmProvider.isolation, ArmInfo.isolation; by default it follows the arm's kind), the
 * report colours the "isolation ladder" chart by it, and the terminal headline and the ladder order
 * arms by startup and, between equal startups, by this rung. The seeds' lineage (chroot → OpenVZ →
 * LXC → Docker) and gVisor's "user-space kernel between container and VM" are where the rungs come from.
 */
import type {ArmKind} from './arm.js'

/** The rungs, lowest isolation first; each is one colour in the ladder chart. */
export const ISOLATION_CLASSES = ['process', 'container runtime', 'engine', 'user-space kernel', 'vm'] as const
export type Isolation = (typeof ISOLATION_CLASSES)[number]

/** One line per rung, for the report's legend and `isobench providers`. */
export const ISOLATION_NOTES: Record<Isolation, string> = {
  process: 'a host process: no isolation, or files only (chroot)',
  'container runtime': 'namespaces, cgroups, seccomp set up by an OCI runtime (runc, crun, ours) or LXC, no daemon',
  engine: 'a container engine in front of an OCI runtime (Docker, Podman, containerd): its client, daemon and shims',
  'user-space kernel': 'the workload talks to a kernel written in user space (gVisor runsc), not the host kernel',
  vm: 'a guest kernel on a virtual machine (QEMU, Firecracker, Cloud Hypervisor, Kata)',
}

/** The rung an arm kind sits on when its provider names none. */
export function isolationOfKind(kind: ArmKind): Isolation {
  switch (kind) {
    case 'process':
    case 'chroot':
    case 'fake':
      return 'process'
    case 'engine':
      return 'engine'
    case 'sandbox':
      return 'user-space kernel'
    case 'vm':
      return 'vm'
    default:
      return 'container runtime'
  }
}

/** Position of a rung on the ladder (0 = process); an unknown label sorts last. */
export function isolationRank(isolation: string | undefined): number {
  const i = ISOLATION_CLASSES.indexOf(isolation as Isolation)
  return i < 0 ? ISOLATION_CLASSES.length : i
}

/** An arm's rung: the one it declares, else its kind's. */
export function isolationOf(arm: {kind: ArmKind; isolation?: string}): Isolation {
  return ISOLATION_CLASSES.includes(arm.isolation as Isolation) ? (arm.isolation as Isolation) : isolationOfKind(arm.kind)
}
