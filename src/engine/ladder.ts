/**
 * The isolation ladder of a run: every arm that measured something, ordered by its startup (median
 * start() → ready, the startup cell most arms share, warm page cache, the idle workload first), with
 * its memory per instance and CPU overhead beside it, and its rung (core/isolation.ts). Arms without
 * a startup figure come last, by rung. The report's ladder chart, the terminal summary's order and
 * anything else that lists arms "in ladder order" read this, computed from the stored summaries and
 * regressions only (so a re-rendered report gives the same ladder).
 *
 * Figures: startup = startup.ready; memory = memory.pss per instance at the smallest n, plus
 * engine_pss (an engine's or monitor's share, where the arm has one) and the marginal PSS (slope of
 * pss_total over n, MiB per extra instance); CPU overhead = the throughput an arm loses against the
 * reference arm on a workload with a throughput figure (cpu.ops_per_s: 1 − arm/reference, in %),
 * and the host CPU an idle instance burns (cpu.cpu_per_s on idle, in cores).
 */
import {isolationOf, isolationRank, type Isolation} from '../core/isolation.js'
import type {Results, Summary} from '../core/results.js'

export interface LadderRow {
  arm: string
  isolation: Isolation
  accel: string
  /** Median ms to ready, and the cell it came from (workload and params). */
  startupMs?: number
  startupCell?: string
  /** Median PSS per instance (MiB), at n. */
  pssMiB?: number
  /** Median engine/monitor share per instance (MiB), for arms that have one. */
  enginePssMiB?: number
  /** MiB per extra instance (slope of pss_total over n). */
  marginalPssMiB?: number
  /** Throughput lost against the reference arm, in % (positive: slower), and on which figure. */
  cpuLossPct?: number
  cpuFigure?: string
  /** Host CPU an idle instance burns, in cores. */
  idleCpuCores?: number
}

const paramsKey = (p: Record<string, unknown>) =>
  Object.entries(p)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',')

/** Among summaries of one figure, the cell (workload + params) most arms have; idle and warm first on ties. */
function commonCell(summaries: Summary[]): Summary[] {
  const cells = new Map<string, Summary[]>()
  for (const s of summaries) {
    const key = `${s.workload}|${paramsKey(s.params)}`
    cells.set(key, [...(cells.get(key) ?? []), s])
  }
  const score = (k: string, list: Summary[]) => list.length * 10 + (k.startsWith('idle|') ? 2 : 0) + (k.includes('cache=cold') ? 0 : 1)
  return [...cells.entries()].sort(([ka, a], [kb, b]) => score(kb, b) - score(ka, a))[0]?.[1] ?? []
}

/** The reference arm of a run's comparisons (the one most comparisons are against), else 'process'. */
function referenceArm(results: Results): string {
  const counts = new Map<string, number>()
  for (const c of results.comparisons) counts.set(c.baseline, (counts.get(c.baseline) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'process'
}

export function isolationLadder(results: Results): LadderRow[] {
  const ok = results.summaries.filter((s) => s.n > 0 && Number.isFinite(s.median))
  const of = (metric: string, figure: string) => ok.filter((s) => s.metric === metric && s.figure === figure)
  const rows = new Map<string, LadderRow>()
  const row = (arm: string): LadderRow => {
    let r = rows.get(arm)
    if (!r) {
      const rec = results.arms.find((a) => a.name === arm)
      r = {arm, isolation: isolationOf({kind: rec?.kind ?? 'unknown', isolation: rec?.isolation}), accel: rec?.accel ?? 'none'}
      rows.set(arm, r)
    }
    return r
  }
  for (const s of commonCell(of('startup', 'ready'))) {
    const r = row(s.arm)
    r.startupMs = s.median
    r.startupCell = `${s.workload}${paramsKey(s.params) ? ` [${paramsKey(s.params)}]` : ''}`
  }
  // Memory per instance at the smallest n of the most shared memory cell.
  const pss = of('memory', 'pss')
  const minN = Math.min(...pss.map((s) => Number(s.params.n ?? 1)))
  for (const s of commonCell(pss.filter((s) => Number(s.params.n ?? 1) === minN))) row(s.arm).pssMiB = s.median
  for (const s of commonCell(of('memory', 'engine_pss').filter((s) => Number(s.params.n ?? 1) === minN))) row(s.arm).enginePssMiB = s.median
  for (const g of (results.regressions ?? []).filter((g) => g.metric === 'memory' && g.figure === 'pss_total' && Number.isFinite(g.slope)))
    row(g.arm).marginalPssMiB ??= g.slope
  // CPU overhead: throughput against the reference arm, on the first throughput figure the cpu metric has.
  const ref = referenceArm(results)
  const throughput = ok.filter((s) => s.metric === 'cpu' && s.figure !== 'cpu_per_s' && s.direction === 'higher')
  const figure = throughput[0]?.figure
  if (figure) {
    const cell = commonCell(throughput.filter((s) => s.figure === figure))
    const base = cell.find((s) => s.arm === ref)
    for (const s of cell) {
      const r = row(s.arm)
      r.cpuFigure = `${s.workload} ${figure}`
      if (base && base.median > 0) r.cpuLossPct = (1 - s.median / base.median) * 100
    }
  }
  for (const s of commonCell(of('cpu', 'cpu_per_s').filter((s) => s.workload === 'idle'))) row(s.arm).idleCpuCores = s.median
  return [...rows.values()].sort(
    (a, b) => (a.startupMs ?? Infinity) - (b.startupMs ?? Infinity) || isolationRank(a.isolation) - isolationRank(b.isolation) || a.arm.localeCompare(b.arm),
  )
}

/** Arm names in ladder order, then any arm of the run the ladder has no figure for. */
export function ladderOrder(results: Results): string[] {
  const names = isolationLadder(results).map((r) => r.arm)
  for (const a of results.arms) if (!names.includes(a.name) && a.available) names.push(a.name)
  return names
}
