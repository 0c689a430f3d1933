/**
 * Provenance diffs: each arm's facts from inside against the host's (preflight), the limits in force
 * against the limits the scenario asked for, and one run's provenance against another's (compare).
 * Which differences are material, and what they make incomparable, is one rule table:
 *   - mitigations switched off on one side only (kernel-parameters.txt: mitigations=off, nopti,
 *     nospectre_v2, …): syscall- and switch-heavy figures differ → the CPU metrics' comparisons;
 *   - a low-resolution clocksource (jiffies) inside an instance: figures the workload times with its
 *     own clock (its throughput) are off → the figures that come from the workload;
 *   - limits in force that are not the scenario's (a quota or memory limit not applied): every figure;
 *   - between runs: the host's kernel, CPU model and count, governor, turbo, SMT, THP, KSM, swap, and
 *     each arm's kernel, clocksource and limits.
 * Everything else that differs is reported, not judged (a VM's own kernel version, its emulated
 * CPU's vulnerabilities files).
 */
import type {Limits} from '../../core/arm.js'
import type {Affects, ArmProvenanceDiff, FactDiff} from '../../core/provenance.js'
import type {Comparison} from '../../core/results.js'
import {getMetric} from '../../metrics/index.js'

export type {Affects, ArmProvenanceDiff, FactDiff}

/** The mitigations a parameter list switches off (`mitigations=off` stands for all of them). */
export function disabledMitigations(params: string): string[] {
  const off = new Set<string>()
  for (const p of params.split(/\s+/).filter(Boolean)) {
    if (p === 'mitigations=off') off.add('all')
    else if (/^no(spectre_v1|spectre_v2|pti|smt)$/.test(p)) off.add(p.slice(2))
    else if (
      /^(pti|mds|tsx_async_abort|l1tf|retbleed|srbds|mmio_stale_data|gather_data_sampling|spec_rstack_overflow|spectre_v2|spec_store_bypass_disable)=off$/.test(
        p,
      )
    )
      off.add(p.split('=')[0]!)
  }
  return [...off].sort()
}

const LOW_RES_CLOCKS = new Set(['jiffies', 'refined-jiffies'])

/** One fact on two sides: is the difference material, and for what. */
export function judge(key: string, a: string, b: string): Pick<FactDiff, 'material' | 'affects' | 'why'> {
  if (key === 'kernel.mitigations') {
    const da = disabledMitigations(a).join(',')
    const db = disabledMitigations(b).join(',')
    return da !== db
      ? {material: true, affects: 'cpu', why: `mitigations switched off differ (${da || 'none'} vs ${db || 'none'}): syscall and context-switch costs differ`}
      : {material: false, affects: 'none', why: 'the same mitigations are switched off on both sides'}
  }
  if (key === 'kernel.clocksource') {
    const low = [a, b].filter((c) => LOW_RES_CLOCKS.has(c))
    return low.length
      ? {
          material: true,
          affects: 'workload-timed',
          why: `clocksource ${low[0]} is low-resolution: a workload that times itself inside the instance measures with ${low[0]}`,
        }
      : {material: false, affects: 'none', why: 'both clocksources are high-resolution'}
  }
  if (key.startsWith('vuln.'))
    return {material: false, affects: 'none', why: "the CPU the instance sees reports its own state (a VM's virtual or emulated CPU)"}
  if (key === 'kernel.version' || key === 'kernel.cmdline')
    return {material: false, affects: 'none', why: 'a VM boots its own kernel; containers share the host kernel'}
  return {material: false, affects: 'none', why: 'recorded'}
}

const ARM_KEYS = ['kernel.version', 'kernel.cmdline', 'kernel.mitigations', 'kernel.clocksource', 'mm.thp']

/** One arm's facts from inside against the host's preflight facts. */
export function armVsHost(arm: string, facts: Record<string, string>, host: Record<string, string>): ArmProvenanceDiff {
  const diffs: FactDiff[] = []
  const hostFacts: Record<string, string> = {...host, 'kernel.mitigations': host['kernel.mitigations'] ?? 'default'}
  const keys = [...new Set([...ARM_KEYS, ...Object.keys(facts).filter((k) => k.startsWith('vuln.'))])]
  for (const key of keys) {
    const a = facts[key]
    const h = hostFacts[key]
    if (a === undefined || h === undefined || a === h) continue
    diffs.push({key, values: {[arm]: a, host: h}, ...judge(key, a, h)})
  }
  // A low-resolution clocksource is material even when the host has the same one.
  const clock = facts['kernel.clocksource']
  if (clock && LOW_RES_CLOCKS.has(clock) && !diffs.some((d) => d.key === 'kernel.clocksource'))
    diffs.push({key: 'kernel.clocksource', values: {[arm]: clock, host: hostFacts['kernel.clocksource'] ?? '?'}, ...judge('kernel.clocksource', clock, clock)})
  return {arm, against: 'host', diffs}
}

/**
 * The limits in force inside an arm against what the scenario asked for: a container's cgroup quota
 * and memory limit, a VM's visible CPUs. The process arm runs without limits by design (the
 * reference), so only the others are judged.
 */
export function limitsInForce(arm: string, kind: string, facts: Record<string, string>, limits: Limits): FactDiff[] {
  if (kind === 'process') return []
  const out: FactDiff[] = []
  const mismatch = (key: string, got: string, want: string) =>
    out.push({
      key,
      values: {[arm]: got, scenario: want},
      material: true,
      affects: 'all',
      why: `the limit in force is not the scenario's (${want}): ${arm} ran with ${got}`,
    })
  if (kind === 'vm') {
    if (limits.cpus !== undefined && facts['cpus.visible'] !== undefined && Number(facts['cpus.visible']) !== Math.max(1, Math.ceil(limits.cpus)))
      mismatch('cpus.visible', facts['cpus.visible'], `${Math.max(1, Math.ceil(limits.cpus))} vCPU`)
    return out
  }
  const cpus = facts['limit.cpus']
  if (limits.cpus !== undefined && cpus !== undefined && (cpus === 'none' || Math.abs(Number(cpus) - limits.cpus) > 0.01))
    mismatch('limit.cpus', cpus, `${limits.cpus} cpus`)
  const mem = facts['limit.memory_mib']
  if (limits.memoryMiB !== undefined && mem !== undefined && (mem === 'none' || Math.abs(Number(mem) - limits.memoryMiB) > 1))
    mismatch('limit.memory_mib', mem, `${limits.memoryMiB} MiB`)
  return out
}

/** Does a material difference of `affects` make this comparison incomparable? */
export function affectsComparison(affects: Affects, c: Pick<Comparison, 'metric' | 'figure'>): boolean {
  if (affects === 'all') return true
  if (affects === 'cpu') return c.metric === 'cpu' || c.metric === 'interference'
  if (affects === 'workload-timed') {
    const own = getMetric(c.metric)?.figures.own.map((f) => f.figure) ?? []
    return !own.includes(c.figure) && (getMetric(c.metric)?.figures.fromWorkload ?? false)
  }
  return false
}

/** Mark comparisons that a material difference of either side makes incomparable (sets notComparable, keeps the verdict). */
export function markNotComparable(comparisons: Comparison[], diffs: readonly ArmProvenanceDiff[]): void {
  for (const c of comparisons) {
    const reasons = diffs
      .filter((d) => d.arm === c.arm || d.arm === c.baseline)
      .flatMap((d) => d.diffs.filter((x) => x.material && affectsComparison(x.affects, c)).map((x) => `${d.arm}: ${x.key} — ${x.why}`))
    if (reasons.length === 0) continue
    c.notComparable = [...new Set(reasons)].join('; ')
    c.text = `${c.text} — not comparable: ${c.notComparable}`
  }
}

/** Host facts whose difference between two runs makes their figures incomparable. */
const RUN_MATERIAL = ['kernel.version', 'cpu.model', 'host.cpus', 'cpu.governor', 'cpu.turbo', 'cpu.smt', 'mm.thp', 'mm.ksm', 'mm.swap', 'kernel.clocksource']

/** Two runs' provenance: the host's facts and each arm's, side by side, each judged. */
export function diffRuns(
  base: {host?: Record<string, string>; arms?: Record<string, Record<string, string>>},
  next: {host?: Record<string, string>; arms?: Record<string, Record<string, string>>},
): ArmProvenanceDiff[] {
  const out: ArmProvenanceDiff[] = []
  const host: FactDiff[] = []
  const hb = base.host ?? {}
  const hn = next.host ?? {}
  for (const key of [...new Set([...Object.keys(hb), ...Object.keys(hn)])].sort()) {
    const a = hb[key]
    const b = hn[key]
    if (a === b || a === undefined || b === undefined || key.startsWith('host.')) continue
    const j =
      key === 'kernel.mitigations'
        ? judge(key, a, b)
        : RUN_MATERIAL.includes(key)
          ? {material: true, affects: 'all' as const, why: `the host's ${key} changed between the runs`}
          : judge(key, a, b)
    host.push({key, values: {base: a, new: b}, ...j})
  }
  if (host.length) out.push({arm: '*', against: 'base run', diffs: host})
  for (const arm of Object.keys(next.arms ?? {})) {
    const fa = base.arms?.[arm]
    const fb = next.arms?.[arm]
    if (!fa || !fb) continue
    const diffs: FactDiff[] = []
    for (const key of [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort()) {
      const a = fa[key]
      const b = fb[key]
      if (a === b || a === undefined || b === undefined) continue
      const material = key === 'kernel.version' || key.startsWith('limit.') || key === 'cpus.visible'
      diffs.push({
        key,
        values: {base: a, new: b},
        ...(material ? {material: true, affects: 'all' as const, why: `${arm}'s ${key} changed between the runs`} : judge(key, a, b)),
      })
    }
    if (diffs.length) out.push({arm, against: 'base run', diffs})
  }
  return out
}
