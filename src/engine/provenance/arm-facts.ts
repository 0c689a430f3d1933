/**
 * The same facts the preflight reads on the host, read from inside each arm: a short probe instance
 * (the default image's busybox, or the host's shell for the process arm) prints `ISOBENCH fact
 * <key> <value>` lines (the markers channel, src/core/markers.ts) — the kernel and its command line
 * as the instance sees them (a VM's own guest kernel), its mitigations and vulnerabilities files,
 * its clocksource, the CPUs and memory it sees, and the cgroup limits actually in force (v1 files
 * or cgroup2's, through its own /proc/self/cgroup). Run after prepare(), outside every timed region.
 */
import type {Arm, InstanceSpec, Limits, NetworkMode, WorkloadSpec} from '../../core/arm.js'
import {DEFAULT_IMAGE} from '../../core/arm.js'
import {mitigationParams} from '../../host/preflight.js'
import {instanceCgroup, readCgroupLimits} from '../../host/counters/cgroup.js'
import {sleep, startReady, watchExit} from '../../metrics/instances.js'

/**
 * POSIX sh with grep, cut and tr (busybox or the host's): it runs in the busybox image and on the
 * host alike. Kept short: a VM gets it base64-encoded on its kernel command line (≤ 2047 bytes with
 * the guest's own parameters, hostname and DNS included), so every byte here costs 4/3 there.
 */
export const FACTS_SCRIPT = [
  'f(){ set -f;echo "ISOBENCH fact $1" $2;set +f;};h(){ f cgroup.$1 "$2";};r(){ cat $1 2>/dev/null;};c=/sys/fs/cgroup;s=/sys/devices/system;q=/proc/self',
  'f kernel.version "$(r /proc/sys/kernel/osrelease)";f kernel.cmdline "$(r /proc/cmdline)"',
  'f kernel.clocksource "$(r $s/clocksource/clocksource0/current_clocksource)"',
  'for v in $s/cpu/vulnerabilities/*;do f vuln.${v##*/} "$(r $v)";done',
  'f cpu.allowed "$(grep Cpus_allowed_l $q/status|cut -f2)";f mem.total_kib "$(grep MemT /proc/meminfo|tr -dc 0-9)"',
  'f mm.thp "$(r /sys/kernel/mm/transparent_hugepage/enabled)"',
  'if [ -f $c/cgroup.controllers ];then p=$(grep ^0:: $q/cgroup|cut -d: -f3);d=$c$p;[ -f $d/cpu.max ]||d=$c',
  'h version 2;for x in cpu.max memory.max pids.max cpuset.cpus.effective;do h $x "$(r $d/$x)";done',
  // g CONTROLLER FILE-SUFFIX: the v1 file of this process's group of that controller (else the root's).
  'elif [ -d $c/cpu ];then h version 1;g(){ p=$(grep -E ":([^:]*,)?$1(,[^:]*)?:" $q/cgroup|cut -d: -f3);r $c/$1$p/$1.$2||r $c/$1/$1.$2;}',
  'h cpu.cfs "$(g cpu cfs_quota_us) $(g cpu cfs_period_us)";h memory.limit "$(g memory limit_in_bytes)"',
  'h pids.max "$(g pids max)";h cpuset "$(g cpuset cpus)";else h version none;fi',
  // Stay alive until the host has read the instance's cgroup from outside (then it is stopped).
  'f done 1;sleep 60',
].join('\n')

/** The probe's workload: the default image (busybox), which every arm can run. */
export const FACTS_WORKLOAD: WorkloadSpec = {name: 'isobench-facts', argv: ['sh', '-c', FACTS_SCRIPT], ready: {kind: 'marker'}, image: DEFAULT_IMAGE}

/** What an arm reported from inside, normalized (raw lines kept), or why not. */
export interface ArmFacts {
  facts: Record<string, string>
  error?: string
}

/** CPUs in a list such as "0-1,4" (Cpus_allowed_list, cpuset.cpus). */
export function countCpuList(list: string): number {
  let n = 0
  for (const part of list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [a, b] = part.split('-').map(Number)
    n += b === undefined ? 1 : b - a! + 1
  }
  return n
}

const UNLIMITED = 2 ** 62

/**
 * Raw probe facts → comparable facts: cmdline without isobench's own parameters (`isobench.*`, the
 * guest's plumbing), the mitigation parameters, the CPUs and MiB the instance sees, and its cgroup
 * limits as cpus / MiB / pids ('none' when unlimited).
 */
export function normalizeFacts(raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  const cmdline = (raw['kernel.cmdline'] ?? '')
    .split(/\s+/)
    .filter((p) => p && !p.startsWith('isobench.'))
    .join(' ')
  for (const [k, v] of Object.entries(raw)) if (k.startsWith('vuln.') || k === 'kernel.version' || k === 'kernel.clocksource') out[k] = v.trim()
  if (raw['kernel.cmdline'] !== undefined) {
    out['kernel.cmdline'] = cmdline
    out['kernel.mitigations'] = mitigationParams(cmdline) || 'default'
  }
  if (raw['cpu.allowed']) out['cpus.visible'] = String(countCpuList(raw['cpu.allowed']))
  if (raw['mem.total_kib']) out['memory.visible_mib'] = String(Math.round(Number(raw['mem.total_kib']) / 1024))
  const thp = /\[([^\]]+)\]/.exec(raw['mm.thp'] ?? '')?.[1]
  if (thp) out['mm.thp'] = thp
  out['cgroup.version'] = raw['cgroup.version'] ?? 'unknown'
  let cpus: string | undefined
  const cpuMax = raw['cgroup.cpu.max']
  if (cpuMax) {
    const [q, p] = cpuMax.split(/\s+/)
    cpus = q === 'max' || !q ? 'none' : fmtCpus(Number(q) / Number(p))
  } else if (raw['cgroup.cpu.cfs']) {
    const [q, p] = raw['cgroup.cpu.cfs'].split(/\s+/).map(Number)
    cpus = !Number.isFinite(q) || q! < 0 ? 'none' : fmtCpus(q! / p!)
  }
  if (cpus) out['limit.cpus'] = cpus
  const mem = raw['cgroup.memory.max'] ?? raw['cgroup.memory.limit']
  if (mem) out['limit.memory_mib'] = mem === 'max' || Number(mem) >= UNLIMITED ? 'none' : String(Math.round(Number(mem) / 1024 / 1024))
  if (raw['cgroup.pids.max']) out['limit.pids'] = raw['cgroup.pids.max'] === 'max' ? 'none' : raw['cgroup.pids.max']
  const cpuset = raw['cgroup.cpuset'] ?? raw['cgroup.cpuset.cpus.effective']
  if (cpuset) out['limit.cpuset'] = cpuset
  return out
}

const fmtCpus = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 100) / 100) : 'none')

/**
 * Run the probe in one arm with the run's limits and network; resolves with its facts or the reason
 * it gave none (never throws). The instance is always stopped.
 */
export async function probeArmFacts(arm: Arm, opts: {id: string; limits: Limits; network: NetworkMode; timeoutMs: number}): Promise<ArmFacts> {
  const spec: InstanceSpec = {id: opts.id, workload: FACTS_WORKLOAD, limits: opts.limits, network: opts.network, readyTimeoutMs: opts.timeoutMs}
  let started
  try {
    started = await startReady(arm, spec)
  } catch (error) {
    return {facts: {}, error: `the facts probe did not start: ${(error as Error).message.slice(0, 300)}`}
  }
  const instance = started.instance
  try {
    if (!instance.facts) return {facts: {}, error: `${arm.name} has no facts channel (its instances do not expose facts())`}
    const exit = watchExit(instance)
    const deadline = performance.now() + opts.timeoutMs
    while (!('done' in instance.facts()) && !exit.done && performance.now() < deadline) await sleep(25)
    const raw = instance.facts()
    if (Object.keys(raw).length === 0) return {facts: {}, error: `the facts probe printed no facts${exit.done ? '' : ' before its deadline'}`}
    // The limits in force, read from outside where the instance has a cgroup of its own: a container
    // need not mount its cgroupfs, and the host's view is the one the kernel enforces.
    const cgroup = instanceCgroup(instance.pids())
    const outside = cgroup ? readCgroupLimits(cgroup) : {}
    const facts = normalizeFacts({...raw, ...outside})
    facts['limit.source'] = cgroup
      ? "the instance's cgroup, read from the host"
      : raw['cgroup.version'] === 'none'
        ? 'none (no cgroup of its own, none mounted inside)'
        : 'inside the instance'
    return {facts}
  } finally {
    await arm.stop(started.instance).catch(() => {})
  }
}
