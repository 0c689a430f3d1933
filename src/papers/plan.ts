/**
 * From selected claims to what runs: which claims apply on this host (arms available, workload in
 * the catalog, KVM where the claim needs it), the cell each reads, and the scenario that measures
 * every applicable cell once (cells shared by several claims or papers run once). Pure logic: the
 * host's arm statuses and the workload catalog are passed in.
 */
import type {Accel, ArmKind} from '../core/arm.js'
import {getMetric} from '../metrics/index.js'
import type {MetricEntry, Scenario} from '../scenario/schema.js'
import type {WorkloadProfile} from '../workloads/profile.js'
import {notEvaluated, type ClaimResult, type ResolvedCell} from './evaluate.js'
import type {Claim, Paper} from './schema.js'

export interface ArmStatus {
  name: string
  kind: ArmKind
  available: boolean
  reason?: string
  accel: Accel
  /** For VM arms: why this accelerator (the KVM probe's sentence). */
  accelReason?: string
}

export interface SelectedClaim {
  paper: Paper
  claim: Claim
}

export interface PlannedClaim extends SelectedClaim {
  cell: ResolvedCell
  arms: string[]
}

export interface ClaimPlan {
  planned: PlannedClaim[]
  /** Claims decided without running anything: not applicable / not comparable. */
  decided: ClaimResult[]
}

export interface PlanInput {
  selected: SelectedClaim[]
  arms: ReadonlyMap<string, ArmStatus>
  workloads: ReadonlyMap<string, WorkloadProfile>
  /** Params each metric accepts (its defaults): --quick overrides only apply to these. */
  metricParams: (metric: string) => string[]
  quick: boolean
}

export function claimArms(claim: Claim): string[] {
  return [...new Set([claim.arm.arm, ...(claim.baseline ? [claim.baseline.arm] : [])])]
}

/** Why a claim cannot be checked here, or the cell it reads. */
export function planClaims(input: PlanInput): ClaimPlan {
  const planned: PlannedClaim[] = []
  const decided: ClaimResult[] = []
  for (const {paper, claim} of input.selected) {
    const arms = claimArms(claim)
    const reject = (outcome: 'not applicable' | 'not comparable', short: string, reason?: string) =>
      decided.push(notEvaluated(paper.id, claim, outcome, short, reason))
    const profile = input.workloads.get(claim.cell.workload)
    if (!profile) {
      reject(
        'not applicable',
        `workload ${claim.cell.workload} unavailable`,
        `workload ${claim.cell.workload} is not in this build's catalog (${[...input.workloads.keys()].join(', ')})`,
      )
      continue
    }
    const figure = claim.cell.figure ?? profile.figures[0]?.name
    if (!figure) {
      reject('not applicable', `no figure`, `workload ${claim.cell.workload} reports no figure for ${claim.cell.metric}, and the claim names none`)
      continue
    }
    // Metrics that report the workload's own figures (cpu, interference): a figure it does not report is not measurable.
    const declared = getMetric(claim.cell.metric)?.figures
    const figures = [...profile.figures.map((f) => f.name), ...(declared?.own ?? []).map((f) => f.figure)]
    if (declared?.fromWorkload && !figures.includes(figure)) {
      reject(
        'not applicable',
        `figure ${figure} unavailable`,
        `workload ${claim.cell.workload} reports no figure ${figure} (it reports: ${figures.join(', ') || 'none'})`,
      )
      continue
    }
    const missing = arms.map((name) => ({name, status: input.arms.get(name)})).find((a) => !a.status?.available)
    if (missing) {
      const vm = missing.status?.kind === 'vm'
      const why = `${missing.name} unavailable: ${missing.status?.reason ?? 'no installed plugin provides this arm'}`
      reject('not applicable', claim.needsKvm && vm ? 'needs KVM' : `${missing.name} unavailable`, why)
      continue
    }
    const emulated = arms.map((name) => input.arms.get(name)!).find((a) => a.accel === 'tcg')
    if (claim.needsKvm && emulated) {
      reject(
        'not comparable',
        'emulated',
        `${emulated.name} runs under TCG (software emulation) and the claim is about KVM${emulated.accelReason ? `: ${emulated.accelReason}` : ''}`,
      )
      continue
    }
    const known = new Set(input.metricParams(claim.cell.metric))
    const quickParams = input.quick ? Object.fromEntries(Object.entries(paper.quick?.params ?? {}).filter(([k]) => known.has(k))) : {}
    planned.push({paper, claim, arms, cell: {metric: claim.cell.metric, workload: claim.cell.workload, figure, params: {...claim.cell.params, ...quickParams}}})
  }
  return {planned, decided}
}

/** Repetitions for a paper's cells, with --quick's overrides. */
export function paperReps(paper: Paper, quick: boolean): {reps: number; warmup: number} {
  return {reps: (quick ? paper.quick?.reps : undefined) ?? paper.reps, warmup: (quick ? paper.quick?.warmup : undefined) ?? paper.warmup}
}

/** The cells each planned claim reads (one per side whose params differ), merged into scenarios by network. */
export function scenariosFor(planned: readonly PlannedClaim[], quick: boolean): Array<{scenario: Scenario; claims: PlannedClaim[]}> {
  const byNetwork = new Map<string, PlannedClaim[]>()
  for (const p of planned) byNetwork.set(p.paper.network, [...(byNetwork.get(p.paper.network) ?? []), p])
  return [...byNetwork.entries()].map(([network, claims]) => {
    const entries = new Map<string, MetricEntry>()
    for (const p of claims) {
      const {reps, warmup} = paperReps(p.paper, quick)
      for (const side of [p.claim.arm, ...(p.claim.baseline ? [p.claim.baseline] : [])]) {
        const params = {...p.cell.params, ...side.params}
        const key = JSON.stringify([p.cell.metric, p.cell.workload, sortedEntries(params), reps, warmup, p.paper.limits])
        const entry = entries.get(key)
        if (entry) entry.arms = [...new Set([...(entry.arms ?? []), side.arm])]
        else entries.set(key, {metric: p.claim.cell.metric, workload: p.cell.workload, params, arms: [side.arm], reps, warmup, limits: p.paper.limits})
      }
    }
    const papers = [...new Set(claims.map((c) => c.paper.id))]
    const timeouts = claims.map((c) => c.paper.readyTimeoutSeconds).filter((t): t is number => t !== undefined)
    const scenario: Scenario = {
      name: `reproduce ${papers.join(', ')}${quick ? ' (quick)' : ''}`,
      description: `Cells read by the paper claims ${claims.map((c) => `${c.paper.id}:${c.claim.id}`).join(', ')}`,
      arms: [...new Set(claims.flatMap((c) => c.arms))],
      limits: claims[0]!.paper.limits,
      network: network as Scenario['network'],
      metrics: [...entries.values()],
      ...(timeouts.length ? {readyTimeoutSeconds: Math.max(...timeouts)} : {}),
    }
    return {scenario, claims}
  })
}

function sortedEntries(o: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b))
}
