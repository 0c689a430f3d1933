/**
 * One run of one scenario, end to end: arms from the providers, host facts, plan, randomized-block
 * runner, analysis (summaries, comparisons), results.json (incremental, atomic), and cleanup of
 * everything started, also on SIGINT/SIGTERM (the CleanupRegistry exits 130/143 after flushing).
 */
import type {Config} from '@oclif/core'
import {kindUsesImages, type Arm, type ArmContext} from '../core/arm.js'
import {builtinProviders} from '../arms/builtin-hook.js'
import {loadArmProviders, type ProviderEntry} from '../arms/registry.js'
import type {IsobenchConfig} from '../core/config.js'
import {UsageError} from '../core/errors.js'
import {checkScenarioInput} from './check-input.js'
import {hostFacts} from '../host/facts.js'
import {getMetric} from '../metrics/index.js'
import type {LoadedScenario} from '../scenario/load.js'
import {analyze, DEFAULT_REFERENCE} from './analyze.js'
import {CleanupRegistry} from '../core/cleanup.js'
import {isolationOf} from '../core/isolation.js'
import type {Logger} from '../core/log.js'
import {expandPlan, type Cell, type PlanOptions} from './plan.js'
import {mulberry32} from '../stats/random.js'
import {parityRecords} from './parity.js'
import {DEFAULT_WORKLOAD} from '../workloads/catalog.js'
import {loadPluginWorkloads} from '../workloads/hook.js'
import {missingTools} from '../workloads/list.js'
import {WorkloadTable} from '../workloads/table.js'
import {prepareWorkloads, type PreparedWorkload} from '../arms/workload-images.js'
import type {WorkloadProfile} from '../workloads/profile.js'
import {isWorkloadPath, resolveScenarioWorkloads} from '../scenario/workloads.js'
import {loadWorkloadFile} from '../workloads/load.js'
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'
import {workloadRecord} from './workload-record.js'
import {Progress} from './progress.js'
import {RESULTS_SCHEMA_VERSION, type ArmRecord, type Results} from '../core/results.js'
import {instanceNetwork, runCells, type StopReason} from './runner.js'
import {newRunId, ResultsStore} from './store.js'
import {toolInfo} from '../host/tool-info.js'
import {currentOwner} from '../host/owner.js'
import {closeRunDir} from '../host/runs.js'
import {reapKilledRuns} from '../arms/prune.js'
import {attributionSetup} from './attribution/setup.js'
import {attributionCells} from './attribution/analyze.js'
import {preflight as runPreflight} from '../host/preflight.js'
import type {PreflightRecord} from '../core/provenance.js'
import {FACTS_WORKLOAD} from './provenance/arm-facts.js'
import {collectProvenance} from './provenance/collect.js'
import {markNotComparable} from './provenance/diff.js'
import type {Calibration, DetectPlan} from '../core/calibration.js'
import {twinName} from './calibrate/analyze.js'
import {detectPlan} from './calibrate/lookup.js'
import type {AnalyzeOptions} from './analyze.js'

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
  /** The workloads known to the run (built-in and plugin; the scenario's files and inline documents are added); default: built-in + the plugins of oclifConfig. */
  workloads?: WorkloadTable
  /** Record attribution counters next to every sample (default true). */
  attribution?: boolean
  /** The preflight taken before the run (the command takes it first, for --strict); taken here when absent. */
  preflight?: PreflightRecord
  /** Probe each arm for its facts from inside (default true). */
  armFacts?: boolean
  /**
   * A/A mode (isobench calibrate): every arm also runs as its twin `<arm>~aa` (the same arm object),
   * interleaved in the same blocks, and each arm is compared with its twin only.
   */
  twins?: boolean
  /** This host's calibration: sizes the inconclusive verdicts' "more runs". */
  calibration?: Calibration | null
  /** --detect: the change (e.g. 0.03) whose samples per cell the run's plan reports from the calibration. */
  detect?: number
  /**
   * Instead of running the plan's cells once, a driver decides what to run (capacity's search): it
   * gets the plan, the arms, and `run(cells)`, which runs cells through the same runner and store.
   */
  drive?: (d: Driver) => Promise<StopReason>
  /** Called with the --detect plan before the first sample. */
  onDetect?: (plan: DetectPlan) => void
  /** Called after the analysis, before results.json is written for the last time (a calibration adds its table here). */
  afterAnalysis?: (results: Results) => void
  /** --reference: the arm the headline compares every arm with (default DEFAULT_REFERENCE, container). */
  reference?: string
}

export interface Driver {
  cells: Cell[]
  arms: ReadonlyMap<string, Arm>
  results: Results
  run(cells: Cell[]): Promise<StopReason>
  log: Logger
  signal: AbortSignal
}

export interface RunScenarioResult {
  results: Results
  resultsFile: string
  dir: string
}

type InputOptions = Pick<RunScenarioOptions, 'arms' | 'configFile' | 'config' | 'reference'>

function checkLoadedInput(loaded: LoadedScenario, providers: readonly ProviderEntry[], opts: InputOptions, table: WorkloadTable): void {
  const listed = providers.filter((p) => !p.hidden).map((p) => p.name)
  if (opts.reference !== undefined && !providers.some((p) => p.name === opts.reference))
    throw new UsageError(`--reference: unknown arm "${opts.reference}"; expected one of ${listed.join(', ')}`, 'bad-flag')
  checkScenarioInput(
    loaded,
    {known: new Set(providers.map((p) => p.name)), listed},
    {flag: opts.arms, config: opts.configFile && opts.config.arms ? {arms: opts.config.arms, file: opts.configFile} : undefined},
    table,
  )
}

/**
 * The checks runScenario makes before it creates anything (unknown arms in the flag, config or
 * scenario, params, workload params, plan size, host limits), for a command to make before its own
 * slow steps (the preflight). `loaded` has its workloads resolved against `table`. Throws
 * UsageError/InputFileError (exit 2).
 */
export async function checkRunInput(loaded: LoadedScenario, opts: InputOptions & Pick<RunScenarioOptions, 'oclifConfig'>, table: WorkloadTable): Promise<void> {
  checkLoadedInput(loaded, await loadArmProviders(opts.oclifConfig), opts, table)
}

export async function runScenario(opts: RunScenarioOptions): Promise<RunScenarioResult> {
  const {config, log} = opts
  // Workloads named by the scenario (built-in, plugin, file, inline) are resolved first: a bad one is exit 2 before anything runs.
  const table = opts.workloads ?? new WorkloadTable(await loadPluginWorkloads(opts.oclifConfig))
  const loaded = resolveScenarioWorkloads(opts.loaded, table)
  const workloadFlag = opts.workload === undefined ? undefined : resolveWorkloadFlag(opts.workload, table)
  const {scenario} = loaded
  // The budget is the run's wall clock, as the user sees it: preparing the arms (image builds, the guest
  // kernel's download on a fresh state dir) spends it too, so `budget 5m` means the run ends by then.
  const startedAt = performance.now()
  const cleanup = opts.cleanup ?? new CleanupRegistry()
  const providers = await loadArmProviders(opts.oclifConfig)
  const known = new Map(providers.map((p) => [p.name, p]))

  // Bad input is refused before anything is created: unknown arms, params, workload params, a plan too
  // large, limits this host cannot give (check-input.ts). The scenario's workloads are resolved above.
  checkLoadedInput(loaded, providers, opts, table)
  const defaultArms = builtinProviders.filter((p) => !p.hidden).map((p) => p.name)
  const cells = expandPlan(scenario, config, (m) => getMetric(m)?.defaultWorkload ?? DEFAULT_WORKLOAD, {defaultArms, ...opts, workload: workloadFlag})
  const usedNames = [...new Set(cells.flatMap(cellWorkloads))]
  const missing = missingTools(usedNames.map((n) => table.get(n)!))
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
  // Every workload's image (built, imported, pulled or from its recipe) and its config, outside any timed region.
  let prepared: Map<string, PreparedWorkload<WorkloadProfile>>
  try {
    const imageArms = new Set([...known.values()].filter((p) => kindUsesImages(p.kind)).map((p) => p.name))
    const needImage = new Set(cells.filter((c) => c.arms.some((a) => imageArms.has(a))).flatMap(cellWorkloads))
    prepared = await prepareWorkloads(
      usedNames.map((n) => table.get(n)!),
      {stateDir: config.stateDir, log, cleanup, imageless: (p) => !needImage.has(p.name)},
    )
  } catch (error) {
    await cleanup.runAll()
    closeRunDir(config.stateDir, runId)
    cleanup.removeSignalHandlers()
    throw error
  }

  // Arms: create each one that the plan uses, and ask whether it can run here. They are listed (in
  // results.arms, hence in every table, chart and the headline) in the registry's order: process,
  // container, the OCI runtimes, …, qemu, then plugin arms, whatever order a scenario names them in.
  const rank = (name: string) => (known.has(name) ? providers.findIndex((p) => p.name === name) : providers.length)
  const wanted = [...new Set(cells.flatMap((c) => c.arms))].sort((a, b) => rank(a) - rank(b))
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
    workloads: [...prepared.values()].map(workloadRecord),
    samples: [],
    summaries: [],
    comparisons: [],
    warnings: [],
  }
  for (const name of notProvided) {
    armRecords.push({name, kind: 'unknown', accel: 'none', versions: {}, available: false, reason: 'no installed plugin provides this arm'})
    results.warnings.push({code: 'arm-unavailable', arm: name, message: `${name} skipped: named in the config, but no installed plugin provides it`})
  }
  const preflightRecord = opts.preflight ?? (await runPreflight(host))
  for (const w of preflightRecord.warnings.filter((w) => w.severity === 'warn'))
    results.warnings.push({code: `preflight-${w.code}`, message: `preflight: ${w.message} (fix: ${w.fix})`})
  for (const {arm, availability} of armChecks) {
    const info = arm.info()
    armRecords.push({...info, isolation: isolationOf(info), available: availability.ok, reason: availability.reason})
    if (availability.ok) arms.set(arm.name, arm)
    else results.warnings.push({code: 'arm-unavailable', arm: arm.name, message: `${arm.name} skipped: ${availability.reason ?? 'unavailable'}`})
  }
  armRecords.sort((a, b) => rank(a.name) - rank(b.name))

  if (opts.calibration) results.calibratedBy = {hostKey: opts.calibration.hostKey, createdAt: opts.calibration.createdAt, runId: opts.calibration.runId}
  if (opts.detect !== undefined)
    results.detect = detectPlan(opts.calibration ?? null, opts.detect, {
      metrics: [...new Set(cells.map((c) => c.metric))],
      workloads: [...new Set(cells.map((c) => c.workload))],
      arms: wanted,
    })
  if (results.detect) opts.onDetect?.(results.detect)
  const analysis: AnalyzeOptions = {equivalenceDelta: config.equivalenceDelta, seed, calibration: opts.calibration}
  // A/A: each arm against its twin only (no bare-process baseline, no headline reference)
  if (opts.twins) Object.assign(analysis, {baseline: '', reference: '', pairs: wanted.map((a) => [twinName(a), a])})
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
      analyze(results, analysis) // summaries of what was measured
    } catch (error) {
      results.warnings.push({code: 'analysis-failed', message: (error as Error).message})
    }
    results.warnings.push({code: 'interrupted', message: `run interrupted by ${cleanup.interrupted}; ${results.samples.length} samples kept`})
    finalize('interrupted')
    process.stderr.write(`\ninterrupted: ${results.samples.length} samples kept in ${store.file}\n`)
  }

  try {
    // An arm that cannot run a workload at all (the process arm and a binary only its image has) leaves that cell, with a warning.
    for (const cell of cells) {
      cell.arms = cell.arms.filter((name) => {
        const arm = arms.get(name)
        const why = cellWorkloads(cell)
          .map((w) => {
            const {spec, profile} = prepared.get(w)!
            return {w, ok: arm?.supports?.(spec, instanceNetwork(spec, profile, scenario.network)) ?? {ok: true}}
          })
          .find((x) => !x.ok.ok)
        if (!why) return true
        const message = `${name} skips ${cell.key}: ${why.ok.reason ?? `it cannot run workload ${why.w}`}`
        if (!results.warnings.some((w) => w.message === message)) results.warnings.push({code: 'arm-not-applicable', arm: name, message})
        return false
      })
    }
    for (const arm of arms.values()) {
      const workloads = [...new Set(cells.filter((c) => c.arms.includes(arm.name)).flatMap(cellWorkloads))].map((w) => prepared.get(w)!.spec)
      try {
        await arm.prepare(opts.armFacts === false ? workloads : [...workloads, FACTS_WORKLOAD])
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
      prepared,
    )
    // What an arm is (accelerator, machine, images) is settled by prepare(): record it from then, so a
    // VM arm that found KVM usable is never labelled TCG, and one that did not always is.
    for (const arm of arms.values()) {
      const rec = armRecords.find((r) => r.name === arm.name)!
      const info = arm.info()
      Object.assign(rec, {...info, isolation: isolationOf(info), available: rec.available, reason: rec.reason})
      if (rec.accel === 'tcg')
        results.warnings.push({code: 'tcg', arm: arm.name, message: `${arm.name}: VM figures measured under software emulation (TCG), not KVM`})
    }
    if (opts.attribution !== false)
      results.attribution = attributionSetup(
        host,
        [...arms.values()].map((a) => a.info()),
      )
    results.provenance = await collectProvenance({
      preflight: preflightRecord,
      arms,
      limits: cells[0]?.limits ?? {},
      timeoutMs: (scenario.readyTimeoutSeconds ?? config.readyTimeoutSeconds) * 1000,
      tag: runId.slice(-4),
      armFacts: opts.armFacts !== false,
      log,
    })
    results.reference = chooseReference(opts.reference, armRecords, results)
    store.changed()
    // A/A mode: each arm's twin is the same arm object under a second name, in every block beside it.
    const runArms = new Map(arms)
    const runList = opts.twins ? cells.map((c) => ({...c, arms: c.arms.flatMap((a) => [a, twinName(a)])})) : cells
    if (opts.twins) for (const [name, arm] of arms) runArms.set(twinName(name), arm)
    const budgetSource = opts.budgetSeconds !== undefined ? '--budget' : scenario.budgetSeconds !== undefined ? loaded.file : 'config budgetSeconds'
    const budgetMs = (opts.budgetSeconds ?? scenario.budgetSeconds ?? config.budgetSeconds) * 1000
    const progress = new Progress(
      {
        cells: runList.map((c) => ({key: c.key, metric: c.metric, arms: c.arms.filter((a) => runArms.has(a)), perArm: c.reps + c.warmup})),
        budgetMs,
        startedAt,
      },
      opts.progress ?? true,
    )
    progress.start(
      armRecords.filter((a) => arms.has(a.name)).map((a) => (a.accel === 'tcg' ? `${a.name}[tcg]` : a.name)),
      budgetSource,
    )
    const random = mulberry32(seed) // block orders are reproducible from the recorded seed
    const run = (list: Cell[]) =>
      runCells({
        cells: list,
        workloads: prepared,
        arms: runArms,
        store,
        log,
        progress,
        random,
        budgetMs,
        startedAt,
        readyTimeoutMs: (scenario.readyTimeoutSeconds ?? config.readyTimeoutSeconds) * 1000,
        network: scenario.network,
        signal: abort.signal,
        precision: opts.precision,
        seed,
        reference: results.reference,
        attribution: results.attribution ? {perfEvents: results.attribution.perfEvents} : undefined,
      })
    const stopReason = opts.drive ? await opts.drive({cells: runList, arms: runArms, results, run, log, signal: abort.signal}) : await run(runList)
    progress.finish()
    results.stopReason = stopReason
    analyze(results, analysis)
    markNotComparable(results.comparisons, results.provenance.diffs)
    if (results.attribution) results.attribution.cells = attributionCells(results, {seed})
    opts.afterAnalysis?.(results)
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

/**
 * The headline's reference arm: the one asked for when it can run here; else (a warning says so) the
 * first available arm in registry order, so every headline still has a reference.
 */
function chooseReference(asked: string | undefined, armRecords: readonly ArmRecord[], results: Results): string {
  const wanted = asked ?? DEFAULT_REFERENCE
  const available = armRecords.filter((a) => a.available)
  if (available.some((a) => a.name === wanted) || available.length === 0) return wanted
  const chosen = available[0]!.name
  // The default reference missing from a run that never named it (--arms process,qemu) is no news.
  if (asked !== undefined || armRecords.some((a) => a.name === wanted)) {
    const why = armRecords.some((a) => a.name === wanted) ? 'could not run here' : 'is not among the arms run'
    results.warnings.push({code: 'reference-unavailable', arm: wanted, message: `reference arm ${wanted} ${why}: ratios are against ${chosen}`})
  }
  return chosen
}

/** Every workload a cell runs: its own, plus those its metric's workload params name (aggressors), prepared up front too. */
function cellWorkloads(cell: Cell): string[] {
  const metric = getMetric(cell.metric)
  const params = {...metric?.defaults, ...cell.params}
  const named = (metric?.workloadParams ?? []).map((p) => params[p]).filter((v): v is string => typeof v === 'string')
  return [cell.workload, ...named]
}

export {checkParams, checkWorkloadParams} from './check-input.js'

/** `--workload NAME|FILE`: a known workload, or a workload file (relative to the current directory) added to the table. */
export function resolveWorkloadFlag(ref: string, table: WorkloadTable): string {
  if (isWorkloadPath(ref)) {
    if (!existsSync(ref)) throw new UsageError(`--workload ${ref}: workload file not found`, 'bad-flag')
    return table.add(loadWorkloadFile(resolve(ref))).name
  }
  if (!table.has(ref))
    throw new UsageError(`--workload: unknown workload "${ref}"; expected one of ${table.names().join(', ')}, or a workload file (./NAME.yaml)`, 'bad-flag')
  return ref
}
