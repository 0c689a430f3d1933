/**
 * The OCI runtimes isobench measures, one entry each: the arm it becomes, the binary, the Debian
 * package that installs it, and its quirks on hosts like ours. The arms (arms/builtin-hook.ts),
 * `isobench setup`'s package list, `isobench doctor` and prune all read this table, so adding an
 * OCI runtime (gVisor's runsc, say) is one entry here; the probe (probe.ts) is shared by every
 * runtime that runs a bundle with `<binary> --root DIR run --bundle DIR ID`.
 */
import {existsSync} from 'node:fs'
import type {Isolation} from '../../core/isolation.js'
import {RUNTIME_BINARY} from '../native/build.js'

/** A trial run of the runtime with some global flags, under a kill deadline (probe.ts provides it). */
export type TrialRun = (globalArgs: string[], timeoutMs: number) => Promise<{ok: boolean; timedOut: boolean; output: string}>

/** How a runtime runs on this host: its global flags, and why (one line for doctor and the arm's notes). */
export interface RuntimeVariant {
  args: string[]
  reason?: string
}

export interface OciRuntime {
  /** Arm name and runtime name, as scenarios and --arms spell it. */
  name: string
  /** The executable, looked up on PATH (or an absolute path). */
  binary: string
  /** The Debian package that provides it, and the file whose presence says it is installed; absent: isobench builds it (`isobench setup`). */
  apt?: {pkg: string; provides: string}
  /** An arm only when asked for by name (--arms, a scenario's arms), not in "every available arm". */
  hidden?: boolean
  /** The arm's one-line description (`isobench providers`). */
  description: string
  /** Its rung on the isolation ladder when not an ordinary container runtime (runsc: a user-space kernel; kata: a VM). */
  isolation?: Isolation
  /** What to install when it is not packaged by Debian (shown by doctor, providers and the README). */
  install?: string
  /**
   * Global flags (before the subcommand) for this host, decided by trial runs where a choice needs
   * one (runsc's platform); absent: none. Called once per process by the probe.
   */
  variant?(trial: TrialRun): Promise<RuntimeVariant>
  /**
   * Mount points the wrapper (isobench-nsexec wrap) unmounts in the runtime's private mount namespace
   * on a host with this cgroup layout, for a runtime that refuses the host as it is.
   */
  hide?(cgroupMode: string): string[]
  /**
   * It has `run --keep` (the container and its cgroups outlive its end until deleted), so the arm reads
   * whether the OOM killer struck from its memory cgroup before removing it; without, it reads it at
   * the init's exit mark, which usually arrives before the runtime removes the cgroup.
   */
  keep?: boolean
  /**
   * The phases of a start this runtime records in its state dir (`<root>/<id>/`), the only events it
   * gives during `run`: the file whose appearance says the container is created (namespaces, cgroups,
   * rootfs and pivot_root done, the init waiting to be started) and, where it has one, the file
   * whose removal says it was started (the init released to exec the workload). The launcher's relay
   * watches them (inotify) and stamps OCI_PHASES markers.
   */
  stateFiles?: {created: string; startedWhenRemoved?: string}
}

export const OCI_RUNTIMES: readonly OciRuntime[] = [
  {
    // Our own (src/runtime/native/runtime.c): the `container` arm runs it on its fast path; this
    // entry runs it exactly as runc and crun are run (same bundle, overlay mounted by the wrapper).
    name: 'isobench-runtime',
    binary: RUNTIME_BINARY,
    description: "isobench's own OCI runtime run like runc and crun (same bundle and wrapper); the container arm runs it on its own fast path",
    hidden: true,
    keep: true,
    // It saves state.json once its init reports ready (create.c); `run` starts it with no exec.fifo.
    // Its own finer phases (RUNTIME_PHASES) come as markers when the bundle asks (org.isobench.phases).
    stateFiles: {created: 'state.json'},
  },
  {
    name: 'runc',
    binary: 'runc',
    apt: {pkg: 'runc', provides: '/usr/sbin/runc'},
    description: 'the same image as an OCI bundle (config.json from the same limits) run by runc',
    keep: true,
    // runc writes state.json (by rename) once the container is created, and its init blocks opening
    // exec.fifo until start, which removes it (libcontainer: container_linux.go, exec.fifo).
    stateFiles: {created: 'state.json', startedWhenRemoved: 'exec.fifo'},
  },
  {
    name: 'crun',
    binary: 'crun',
    apt: {pkg: 'crun', provides: '/usr/bin/crun'},
    description:
      'the same image as an OCI bundle run by crun (on hybrid cgroup hosts in a mount namespace without /sys/fs/cgroup/unified, which crun 1.8 refuses)',
    // crun 1.8 refuses hybrid hosts ("cgroups in hybrid mode not supported"), even with its cgroup
    // manager disabled; with the cgroup2 mount hidden it sees a v1 host and runs.
    hide: (mode) => (mode === 'hybrid' ? ['/sys/fs/cgroup/unified'] : []),
    // No stateFiles: crun's `run` writes its `status` file (by rename) as it starts the container,
    // together with the init's first markers (measured: 0.03 ms after `ready` of a `true` container),
    // and has no exec.fifo: its state dir marks no phase before the start.
  },
  {
    // gVisor: the workload's system calls go to the Sentry, a kernel in user space, not to the host's.
    name: 'runsc',
    binary: 'runsc',
    apt: {pkg: 'runsc', provides: '/usr/bin/runsc'},
    isolation: 'user-space kernel',
    description:
      "gVisor's runsc: the same OCI bundle run on a kernel in user space (the Sentry; platform ptrace, or kvm where it works), no network stack, Docker's seccomp profile applied inside the sandbox (--oci-seccomp)",
    variant: runscVariant,
  },
  {
    // Kata Containers: runc's command line, but each container is a lightweight VM with its own kernel.
    name: 'kata',
    binary: 'kata-runtime',
    isolation: 'vm',
    install:
      'Kata Containers is not packaged by Debian 12: install its release (kata-runtime and its guest kernel and image, e.g. the kata-static tarball under /opt/kata) on a host where KVM works, then `isobench doctor`',
    description: 'Kata Containers: the same OCI bundle run by kata-runtime, each container a lightweight VM with its own guest kernel (needs KVM)',
  },
]

/** How long a trial sandbox on runsc's kvm platform may take before it counts as hanging (it hangs for ever on nested KVM). */
export const RUNSC_KVM_PROBE_MS = 5000

/**
 * runsc's platform on this host: kvm when /dev/kvm exists and a trial sandbox on it finishes within
 * RUNSC_KVM_PROBE_MS (it never returns on a nested-KVM host such as a Firecracker guest: the trial is
 * SIGKILLed with its pid namespace), else ptrace (this build has no systrap). Always --network=none
 * (the instances have no network, as with --network none elsewhere) and --oci-seccomp (the bundle's
 * seccomp profile is applied inside the sandbox, as the other runtimes apply it on the host).
 */
async function runscVariant(trial: TrialRun): Promise<RuntimeVariant> {
  const common = ['--network=none', '--oci-seccomp']
  if (!existsSync('/dev/kvm')) return {args: ['--platform=ptrace', ...common], reason: 'runsc: no /dev/kvm, using platform ptrace'}
  const kvm = await trial(['--platform=kvm', ...common], RUNSC_KVM_PROBE_MS)
  if (kvm.ok) return {args: ['--platform=kvm', ...common], reason: 'runsc: platform kvm'}
  const why = kvm.timedOut ? `a test sandbox did not finish within ${RUNSC_KVM_PROBE_MS / 1000} s: nested KVM` : kvm.output.slice(0, 200) || 'failed'
  return {args: ['--platform=ptrace', ...common], reason: `runsc: platform kvm unusable (${why}), using ptrace`}
}

/** The table entry of a runtime by name; undefined for a name no entry has. */
export function ociRuntime(name: string): OciRuntime | undefined {
  return OCI_RUNTIMES.find((r) => r.name === name)
}
