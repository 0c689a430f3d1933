/**
 * `isobench reproduce`, the library: load the paper files, select claims, ask the host which arms
 * can run (and whether VMs get KVM), decide what does not apply, run the cells the remaining
 * claims read (each cell once) with the ordinary engine, evaluate every claim on the samples, and
 * write the claims into results.json and the HTML report.
 */
import {join} from 'node:path'
import type {Config} from '@oclif/core'
import {loadArmProviders} from '../arms/registry.js'
import {CleanupRegistry} from '../core/cleanup.js'
import type {IsobenchConfig} from '../core/config.js'
import type {Logger} from '../core/log.js'
import type {Results} from '../core/results.js'
import {runScenario} from '../engine/run.js'
import {writeFileAtomic} from '../host/fs.js'
import {chooseAccel} from '../host/kvm.js'
import {getMetric} from '../metrics/index.js'
import {writeReport} from '../report/index.js'
import {catalog} from '../workloads/catalog.js'
import {evaluateClaim, notEvaluated, type ClaimResult} from './evaluate.js'
import {listPaperFiles, loadPaperFile, type LoadedPaper} from './load.js'
import {planClaims, scenariosFor, type ArmStatus, type PlannedClaim} from './plan.js'
import {selectClaims} from './select.js'
import {reproduceExitCode} from './table.js'

export interface ReproduceOptions {
  /** `all`, paper ids, or <paper>:<claim>; empty = all. */
  selectors: string[]
  quick: boolean
  config: IsobenchConfig
  log: Logger
  oclifConfig?: Config
  outDir?: string
  papersDir?: string
  progress?: boolean
}

export interface ReproduceRun {
  runId: string
  status: Results['status']
  resultsFile: string
  report?: string
}

export interface ReproduceResult {
  claims: ClaimResult[]
  runs: ReproduceRun[]
  exitCode: 0 | 1
  wallSeconds: number
}

export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const t0 = performance.now()
  const papers: LoadedPaper[] = listPaperFiles(opts.papersDir).map((f) => loadPaperFile(f))
  const selected = selectClaims(papers, opts.selectors)
  const arms = await armStatuses([...new Set(selected.flatMap(({claim}) => [claim.arm.arm, ...(claim.baseline ? [claim.baseline.arm] : [])]))], opts)
  const {planned, decided} = planClaims({
    selected,
    arms,
    workloads: catalog(),
    metricParams: (m) => Object.keys(getMetric(m)?.defaults ?? {}),
    quick: opts.quick,
  })
  for (const d of decided) opts.log.info(`${d.id}: ${d.verdict} — ${d.reason}`)

  const results: ClaimResult[] = [...decided]
  const runs: ReproduceRun[] = []
  const groups = scenariosFor(planned, opts.quick)
  for (const [i, group] of groups.entries()) {
    const cleanup = new CleanupRegistry()
    const run = await runScenario({
      loaded: {file: group.claims.map((c) => c.paper.id).join('+'), scenario: group.scenario, positionOf: () => undefined},
      config: opts.config,
      log: opts.log,
      oclifConfig: opts.oclifConfig,
      outDir: opts.outDir,
      progress: opts.progress,
      cleanup,
    })
    const seed = (run.results.config as {seed?: number}).seed ?? 1
    const evaluated = group.claims.map((p) => evaluatePlanned(p, run.results, seed))
    results.push(...evaluated)
    // The first run's results also carry the claims decided without running, so the report has all.
    run.results.claims = i === 0 ? [...decided, ...evaluated] : evaluated
    writeFileAtomic(run.resultsFile, JSON.stringify(run.results, null, 1) + '\n')
    const report = await writeReport(run.results, join(run.dir, 'report.html'))
    runs.push({runId: run.results.runId, status: run.results.status, resultsFile: run.resultsFile, report})
  }
  const order = new Map(selected.map((s, i) => [`${s.paper.id}:${s.claim.id}`, i]))
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!)
  return {claims: results, runs, exitCode: reproduceExitCode(results), wallSeconds: (performance.now() - t0) / 1000}
}

/** A claim on a finished run: its arms may still have dropped out (prepare failed) or got TCG. */
export function evaluatePlanned(p: PlannedClaim, results: Results, seed: number): ClaimResult {
  const records = new Map(results.arms.map((a) => [a.name, a]))
  const gone = p.arms.map((name) => records.get(name)).find((r) => !r?.available)
  if (gone)
    return notEvaluated(p.paper.id, p.claim, 'not applicable', `${gone.name} unavailable`, `${gone.name} unavailable: ${gone.reason ?? 'no reason given'}`)
  const accel = Object.fromEntries(p.arms.map((name) => [name, records.get(name)!.accel]))
  const tcg = p.arms.find((name) => accel[name] === 'tcg')
  if (p.claim.needsKvm && tcg)
    return notEvaluated(p.paper.id, p.claim, 'not comparable', 'emulated', `${tcg} ran under TCG (software emulation) and the claim is about KVM`)
  return evaluateClaim({paper: p.paper.id, claim: p.claim, cell: p.cell, samples: results.samples, accel, seed})
}

/** Can each arm run here, and does a VM arm get KVM? Asked once, before anything runs. */
async function armStatuses(names: string[], opts: ReproduceOptions): Promise<Map<string, ArmStatus>> {
  const providers = new Map((await loadArmProviders(opts.oclifConfig)).map((p) => [p.name, p]))
  const cleanup = new CleanupRegistry()
  const ctx = {config: opts.config, cleanup, log: opts.log, runId: 'reproduce-preflight'}
  const out = new Map<string, ArmStatus>()
  try {
    await Promise.all(
      names.map(async (name) => {
        const provider = providers.get(name)
        if (!provider) return
        const arm = provider.create(ctx)
        const availability = await arm.available().catch((e: Error) => ({ok: false, reason: e.message}))
        const status: ArmStatus = {
          name,
          kind: arm.kind,
          available: availability.ok,
          accel: 'none',
          ...(availability.ok ? {} : {reason: availability.reason ?? 'unavailable'}),
        }
        if (arm.kind === 'vm' && availability.ok) {
          const {accel, probe} = await chooseAccel(opts.config.vm.accel, {stateDir: opts.config.stateDir})
          status.accel = accel
          status.accelReason = probe?.reason ?? `vm.accel = ${opts.config.vm.accel} in the config`
        }
        out.set(name, status)
      }),
    )
  } finally {
    await cleanup.runAll()
  }
  return out
}
