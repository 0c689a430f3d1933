/**
 * One run of one scenario, end to end: arms from the providers, host facts, plan, randomized-block
 * runner, analysis (summaries, comparisons), results.json (incremental, atomic), and cleanup of
 * everything started, also on SIGINT/SIGTERM (the CleanupRegistry exits 130/143 after flushing).
 */
import type {Config} from '@oclif/core'
import type {Arm, ArmContext} from '../core/arm.js'
import {builtinProviders} from '../arms/builtin-hook.js'
import {loadArmProviders} from '../arms/registry.js'
import type {IsobenchConfig} from '../core/config.js'
import {UsageError} from '../core/errors.js'
import {checkScenarioInput} from './check-input.js'
import {hostFacts} from '../host/facts.js'
import {getMetric} from '../metrics/index.js'
import type {LoadedScenario} from '../scenario/load.js'
import {analyze} from './analyze.js'
import {CleanupRegistry} from '../core/cleanup.js'
import type {Logger} from '../core/log.js'
import {expandPlan, type Cell, type PlanOptions} from './plan.js'
import {mulberry32} from '../stats/random.js'
import {parityRecords} from './parity.js'
import {DEFAULT_WORKLOAD} from '../workloads/catalog.js'
import {missingTools} from '../workloads/list.js'
import {Progress} from './progress.js'
import {RESULTS_SCHEMA_VERSION, type ArmRecord, type Results} from '../core/results.js'
import {runCells, workloadSpec} from './runner.js'
import {newRunId, ResultsStore} from './store.js'
import {toolInfo} from '../host/tool-info.js'
import {currentOwner} from '../host/owner.js'
import {closeRunDir} from '../host/runs.js'
import {reapKilledRuns} from '../arms/prune.js'

export interface RunScenarioOptions extends PlanOptions {
  loaded: LoadedScenario
  config: IsobenchConfig
  log: Logger
  /** oclif Config, so arms contributed by plugins are found; omit for built-in arms only. */
  oclifConfig?: Config
  outDir?: string
  progress?: boolean
  /** Install SIGINT/SIGTERM handlers (the CLI does; library callers may manage signals themselves). */
  handleSignals?: boolean
  cleanup?: CleanupRegistry
  /** --budget: wall-clock budget in seconds (overrides scenario and config). */
  budgetSeconds?: number
  /** --precision: stop a cell early once every comparison's CI half-width is below this fraction. */
  precision?: number
  /** The config file the config came from, if any (its arms are checked and named with it). */
  configFile?: string
}

export interface RunScenarioResult {
  results: Results
  resultsFile: string
  dir: string
}

export async function runScenario(opts: RunScenarioOptions): Promise<RunScenarioResult> {
  const {loaded, config, log} = opts
  const {scenario} = loaded
  const cleanup = opts.cleanup ?? new CleanupRegistry()
  const providers = await loadArmProviders(opts.oclifConfig)
  const known = new Map(providers.map((p) => [p.name, p]))

  // Bad input is refused before anything is created: unknown arms, params, workload params, a plan too
  // large, limits this host cannot give (check-input.ts).
  const listed = providers.filter((p) => !p.hidden).map((p) => p.name)
  checkScenarioInput(
    loaded,
    {known: new Set(known.keys()), listed},
    {flag: opts.arms, config: opts.configFile && config.arms ? {arms: config.arms, file: opts.configFile} : undefined},
  )
  const defaultArms = builtinProviders.filter((p) => !p.hidden).map((p) => p.name)
  const cells = expandPlan(scenario, config, (m) => getMetric(m)?.defaultWorkload ?? DEFAULT_WORKLOAD, {defaultArms, ...opts})
  const missing = missingTools(cells.flatMap(cellWorkloads))
  if (missing) throw new UsageError(`${loaded.file}: ${missing}`, 'missing-tool')
  const seed = config.seed ?? Math.floor(Math.random() * 2 ** 31)
  const runId = newRunId()
  // Killed runs of this state dir may have left bare processes and scratch dirs: the next run clears them.
  try {
    for (const line of reapKilledRuns(config.stateDir)) log.info(line)
  } catch (error) {
    log.debug(`could not check for killed runs' leftovers: ${(error as Error).message}`)
  }
  const ctx: ArmContext = {config, cleanup, log, runId}
  // Signals are handled from here on, before any arm probes or creates anything: an interrupted run
  // releases what it made (and flushes its samples once a results file exists), then exits 130/143.
  const abort = new AbortController()
  let onInterrupt: (() => void) | null = null
  if (opts.handleSignals !== false) {
    cleanup.onFinalize(() => onInterrupt?.())
    cleanup.onFinalize(() => closeRunDir(config.stateDir, runId))
    cleanup.installSignalHandlers(() => abort.abort())
  }

  // Arms: create each one that the plan uses, and ask whether it can run here.
  const wanted = [...new Set(cells.flatMap((c) => c.arms))]
  const notProvided = wanted.filter((name) => !known.has(name))
  const [host, armChecks] = await Promise.all([
    hostFacts(),
    Promise.all(
      wanted
        .filter((name) => known.has(name))
        .map(async (name) => {
          const arm = known.get(name)!.create(ctx)
          const availability = await arm.available().catch((e: Error) => ({ok: false, reason: e.message}))
          return {arm, availability}
        }),
    ),
  ])
  const arms = new Map<string, Arm>()
  const armRecords: ArmRecord[] = []
  const results: Results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId,
    startedAt: new Date().toISOString(),
    status: 'running',
    writer: currentOwner(),
    tool: toolInfo(),
    host,
    config: {...config, arms: config.arms ?? defaultArms, seed},
    scenario: {...scenario, file: loaded.file},
    arms: armRecords,
    samples: [],
    summaries: [],
    comparisons: [],
    warnings: [],
  }
  for (const name of notProvided) {
    armRecords.push({name, kind: 'unknown', accel: 'none', versions: {}, available: false, reason: 'no installed plugin provides this arm'})
    results.warnings.push({code: 'arm-unavailable', arm: name, message: `${name} skipped: named in the config, but no installed plugin provides it`})
  }
  for (const {arm, availability} of armChecks) {
    const info = arm.info()
    armRecords.push({...info, available: availability.ok, reason: availability.reason})
    if (availability.ok) arms.set(arm.name, arm)
    else results.warnings.push({code: 'arm-unavailable', arm: arm.name, message: `${arm.name} skipped: ${availability.reason ?? 'unavailable'}`})
  }

  let store: ResultsStore
  try {
    store = new ResultsStore(results, opts.outDir ?? config.outDir)
  } catch (error) {
    cleanup.removeSignalHandlers()
    throw error
  }
  const finalize = (status: Results['status']) => {
    results.status = status
    results.finishedAt = new Date().toISOString()
    store.flush()
  }
  onInterrupt = () => {
    results.stopReason = 'interrupted'
    try {
      analyze(results, {equivalenceDelta: config.equivalenceDelta, seed}) // summaries of what was measured
    } catch (error) {
      results.warnings.push({code: 'analysis-failed', message: (error as Error).message})
    }
    results.warnings.push({code: 'interrupted', message: `run interrupted by ${cleanup.interrupted}; ${results.samples.length} samples kept`})
    finalize('interrupted')
    process.stderr.write(`\ninterrupted: ${results.samples.length} samples kept in ${store.file}\n`)
  }

  try {
    for (const arm of arms.values()) {
      const workloads = [...new Set(cells.filter((c) => c.arms.includes(arm.name)).flatMap(cellWorkloads))].map(workloadSpec)
      try {
        await arm.prepare(workloads)
      } catch (error) {
        arms.delete(arm.name)
        const rec = armRecords.find((r) => r.name === arm.name)!
        rec.available = false
        rec.reason = `prepare failed: ${(error as Error).message}`
        results.warnings.push({code: 'arm-prepare-failed', arm: arm.name, message: `${arm.name} skipped: ${rec.reason}`})
        log.warn(`${arm.name} skipped: ${rec.reason}`)
      }
    }
    results.parity = parityRecords(
      cells.flatMap((c) => cellWorkloads(c).map((workload) => ({workload, limits: c.limits, arms: c.arms}))),
      arms,
    )
    // What an arm is (accelerator, machine, images) is settled by prepare(): record it from then, so a
    // VM arm that found KVM usable is never labelled TCG, and one that did not always is.
    for (const arm of arms.values()) {
      const rec = armRecords.find((r) => r.name === arm.name)!
      Object.assign(rec, {...arm.info(), available: rec.available, reason: rec.reason})
      if (rec.accel === 'tcg')
        results.warnings.push({code: 'tcg', arm: arm.name, message: `${arm.name}: VM figures measured under software emulation (TCG), not KVM`})
    }
    store.changed()
    const total = cells.reduce((n, c) => n + (c.reps + c.warmup) * c.arms.filter((a) => arms.has(a)).length, 0)
    const progress = new Progress(total, opts.progress ?? true)
    const stopReason = await runCells({
      cells,
      arms,
      store,
      log,
      progress,
      random: mulberry32(seed), // block orders are reproducible from the recorded seed
      budgetMs: (opts.budgetSeconds ?? scenario.budgetSeconds ?? config.budgetSeconds) * 1000,
      readyTimeoutMs: (scenario.readyTimeoutSeconds ?? config.readyTimeoutSeconds) * 1000,
      network: scenario.network,
      signal: abort.signal,
      precision: opts.precision,
      seed,
    })
    progress.finish()
    results.stopReason = stopReason
    analyze(results, {equivalenceDelta: config.equivalenceDelta, seed})
    finalize(stopReason === 'interrupted' ? 'interrupted' : 'complete')
  } catch (error) {
    results.warnings.push({code: 'run-failed', message: (error as Error).message})
    finalize('failed')
    throw error
  } finally {
    for (const arm of arms.values()) await arm.cleanup().catch((e: Error) => log.warn(`${arm.name} cleanup: ${e.message}`))
    const errors = await cleanup.runAll()
    for (const e of errors) log.warn(e.message)
    closeRunDir(config.stateDir, runId)
    cleanup.removeSignalHandlers()
  }
  return {results, resultsFile: store.file, dir: store.dir}
}

/** Every workload a cell runs: its own, plus those its metric's workload params name (aggressors), prepared up front too. */
function cellWorkloads(cell: Cell): string[] {
  const metric = getMetric(cell.metric)
  const params = {...metric?.defaults, ...cell.params}
  const named = (metric?.workloadParams ?? []).map((p) => params[p]).filter((v): v is string => typeof v === 'string')
  return [cell.workload, ...named]
}

export {checkParams, checkWorkloadParams} from './check-input.js'
