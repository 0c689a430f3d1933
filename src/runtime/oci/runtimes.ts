/**
 * The OCI runtimes isobench measures, one entry each: the arm it becomes, the binary, the Debian
 * package that installs it, and its quirks on hosts like ours. The arms (arms/builtin-hook.ts),
 * `isobench setup`'s package list, `isobench doctor` and prune all read this table, so adding an
 * OCI runtime (gVisor's runsc, say) is one entry here; the probe (probe.ts) is shared by every
 * runtime that runs a bundle with `<binary> --root DIR run --bundle DIR ID`.
 */
import {RUNTIME_BINARY} from '../native/build.js'

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
  },
  {
    name: 'runc',
    binary: 'runc',
    apt: {pkg: 'runc', provides: '/usr/sbin/runc'},
    description: 'the same image as an OCI bundle (config.json from the same limits) run by runc',
    keep: true,
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
  },
]

/** The table entry of a runtime by name; undefined for a name no entry has. */
export function ociRuntime(name: string): OciRuntime | undefined {
  return OCI_RUNTIMES.find((r) => r.name === name)
}
