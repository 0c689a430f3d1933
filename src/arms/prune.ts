/**
 * `isobench prune`: everything runs and arms leave behind, of one state dir, in one sweep — bare
 * processes and scratch dirs of killed runs (their cgroup and run dir), containers (helpers, cgroups,
 * veths, leases, state dirs), OCI bundles and their cgroups, VMs (qemu, taps, leases, QMP sockets,
 * instance dirs, half-built artefacts) and the temp dirs of dead builders. Live runs' instances are
 * kept unless `all`; another state dir's things are never touched (`anyStateDir` widens the sweep of
 * unowned cgroups and taps to every state dir on the host).
 */
import {pruneRuns, type RunsPruneResult} from '../runtime/prune-runs.js'
import {pruneContainers, type PruneResult} from '../runtime/prune.js'
import {pruneVms, type VmPruneResult} from '../vm/prune.js'

export interface PruneAllResult {
  stateDir: string
  runs: RunsPruneResult
  containers: PruneResult
  vms: VmPruneResult
}

export interface PruneAllOptions {
  /** Also kill what live runs and detached instances hold. */
  all?: boolean
  /** Also remove unowned (empty) container cgroups and unused taps of other state dirs. */
  anyStateDir?: boolean
}

/** Prune every kind, bare processes first (they may hold nothing else), VMs last. */
export async function pruneAll(stateDir: string, opts: PruneAllOptions = {}): Promise<PruneAllResult> {
  const runs = pruneRuns(stateDir, opts)
  const containers = await pruneContainers(stateDir, opts)
  const vms = await pruneVms(stateDir, opts)
  return {stateDir, runs, containers, vms}
}

/**
 * What a new run clears first: the leftovers of this state dir's killed runs (bare processes still
 * in their cgroups, scratch dirs). Never touches live runs. One line per run removed.
 */
export function reapKilledRuns(stateDir: string): string[] {
  const r = pruneRuns(stateDir)
  return r.runs.map((n) => `removed what killed run ${n} left (${r.processes.length} processes, ${r.cgroups.length} cgroups)`)
}

/** One line per thing removed, as the per-kind prune commands print them. */
export function pruneLines(r: PruneAllResult): string[] {
  const c = r.containers
  return [
    ...r.runs.runs.map((n) => `removed run ${n}`),
    ...r.runs.processes.map((pid) => `killed process ${pid}`),
    ...r.runs.cgroups.map((cg) => `removed cgroup ${cg}`),
    ...c.containers.map((id) => `removed container ${id}`),
    ...c.bundles.map((b) => `removed OCI bundle ${b}`),
    ...c.processes.map((pid) => `killed process ${pid}`),
    ...c.cgroups.map((cg) => `removed cgroup ${cg}`),
    ...c.veths.map((v) => `removed veth ${v}`),
    ...c.leases.map((ip) => `released address ${ip}`),
    ...r.vms.killed.map((k) => `killed qemu ${k.pid} (${k.id})`),
    ...r.vms.removed.map((x) => `removed ${x}`),
  ]
}
