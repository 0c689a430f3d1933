/**
 * The scenario's limits (cpus, cpuset, memory, pids) as each engine's run flags, and what could not
 * be given (the parity manifest lists it). Sources: `docker run --help` (20.10) and `podman run
 * --help` (4.3): --cpus (CFS quota over a 100 ms period, as ours), --cpuset-cpus, --memory, and
 * --pids-limit; `ctr run --help` (containerd 1.6): --cpus and --memory-limit (bytes) only, no flag
 * for a cpuset or a pids limit. Podman limits pids to 2048 by default (containers.conf pids_limit),
 * so without a pids limit it gets --pids-limit -1 (unlimited), as the other arms. Pure: unit-tested.
 */
import type {Limits} from '../../core/arm.js'

export type EngineCli = 'podman' | 'docker' | 'ctr'

export interface EngineLimitFlags {
  flags: string[]
  /** One line per limit the engine's CLI cannot set. */
  unmatched: string[]
}

/** The run flags for these limits on this engine's CLI. */
export function engineLimitFlags(engine: EngineCli, limits: Limits): EngineLimitFlags {
  const flags: string[] = []
  const unmatched: string[] = []
  if (engine === 'ctr') {
    if (limits.cpus) flags.push('--cpus', String(limits.cpus))
    if (limits.memoryMiB) flags.push('--memory-limit', String(limits.memoryMiB * 1024 * 1024))
    if (limits.cpuset) unmatched.push(`ctr: no cpuset (ctr run has no flag for cpuset.cpus; wanted ${limits.cpuset})`)
    if (limits.pids) unmatched.push(`ctr: no pids limit (ctr run has no flag for pids.max; wanted ${limits.pids})`)
    return {flags, unmatched}
  }
  if (limits.cpus) flags.push('--cpus', String(limits.cpus))
  if (limits.cpuset) flags.push('--cpuset-cpus', limits.cpuset)
  if (limits.memoryMiB) flags.push('--memory', `${limits.memoryMiB}m`)
  if (limits.pids) flags.push('--pids-limit', String(limits.pids))
  else if (engine === 'podman') flags.push('--pids-limit', '-1')
  return {flags, unmatched}
}
