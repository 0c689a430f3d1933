/**
 * What a scenario, the config and the flags must satisfy beyond their schemas, checked before a run
 * creates anything — each failure one InputFileError (exit 2) naming the file (or flag), line:column
 * and the field: arms that no provider has (and arms named twice), params a metric does not know or
 * whose value it refuses (each element of a list on its own), workload params (aggressors) that are not workloads, a
 * plan of more cells than BOUNDS.cells (counted before anything is expanded), and limits this host
 * cannot give (CPUs it does not have).
 */
import {BOUNDS} from '../core/bounds.js'
import {InputFileError, UsageError} from '../core/errors.js'
import {cpuQuotaProblem, cpusetProblem} from '../host/cpus.js'
import {getMetric, paramProblem} from '../metrics/index.js'
import type {LoadedScenario} from '../scenario/load.js'
import {catalog} from '../workloads/catalog.js'

const field = (path: ReadonlyArray<string | number>) => path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '')

/**
 * Every arm named — on the command line, in the config, in the scenario — is one a provider has,
 * and none is named twice in one list. `configFile`: where config.arms came from (when it was set).
 */
export function checkArms(
  loaded: LoadedScenario,
  arms: {known: ReadonlySet<string>; listed: readonly string[]},
  opts: {flag?: string[]; config?: {arms: string[]; file?: string}},
): void {
  const {known} = arms
  const expected = () => `expected one of ${arms.listed.join(', ')}`
  if (opts.flag) {
    if (opts.flag.length === 0)
      throw new UsageError(`--arms: expected a comma-separated list of arms, e.g. process,container; got none (${expected()})`, 'invalid-input')
    opts.flag.forEach((name, j) => {
      if (!known.has(name)) throw new UsageError(`--arms: unknown arm ${JSON.stringify(name)}; ${expected()}`, 'invalid-input')
      if (opts.flag!.indexOf(name) !== j) throw new UsageError(`--arms: ${JSON.stringify(name)} is named twice`, 'invalid-input')
    })
  }
  const lists: Array<{names: string[]; path: Array<string | number>; file: string; at: LoadedScenario['positionOf']}> = []
  if (opts.config?.file) lists.push({names: opts.config.arms, path: ['arms'], file: opts.config.file, at: () => undefined})
  if (loaded.scenario.arms) lists.push({names: loaded.scenario.arms, path: ['arms'], file: loaded.file, at: loaded.positionOf})
  loaded.scenario.metrics.forEach((m, i) => m.arms && lists.push({names: m.arms, path: ['metrics', i, 'arms'], file: loaded.file, at: loaded.positionOf}))
  for (const {names, path, file, at} of lists) {
    names.forEach((name, j) => {
      if (!known.has(name)) throw new InputFileError(file, field([...path, j]), `unknown arm ${JSON.stringify(name)}; ${expected()}`, at([...path, j]))
      if (names.indexOf(name) !== j) throw new InputFileError(file, field([...path, j]), `arm ${JSON.stringify(name)} is named twice`, at([...path, j]))
    })
  }
}

/** Each param a metric entry sets is one the metric knows, and each of its values one it accepts. */
export function checkParams(loaded: LoadedScenario): void {
  loaded.scenario.metrics.forEach((entry, i) => {
    for (const [key, value] of Object.entries(entry.params ?? {})) {
      const values = Array.isArray(value) ? value : [value]
      values.forEach((v, j) => {
        const problem = paramProblem(entry.metric, key, v)
        if (!problem) return
        const unknown = problem.startsWith('unknown param')
        const path = ['metrics', i, 'params', key, ...(Array.isArray(value) && !unknown ? [j] : [])]
        throw new InputFileError(loaded.file, field(path), problem, loaded.positionOf(path))
      })
    }
  })
}

/** The workloads a run knows (a WorkloadTable); by default the built-in catalog. */
export interface KnownWorkloads {
  has(name: string): boolean
  names(): string[]
}

const builtinWorkloads: KnownWorkloads = {has: (name) => catalog().has(name), names: () => [...catalog().keys()]}

/**
 * Params that name workloads (the interference metric's aggressors): each must be a known workload
 * (after src/scenario/workloads.ts resolved files and inline documents into names), pointed at where it was written.
 */
export function checkWorkloadParams(loaded: LoadedScenario, workloads: KnownWorkloads = builtinWorkloads): void {
  loaded.scenario.metrics.forEach((entry, i) => {
    for (const param of getMetric(entry.metric)?.workloadParams ?? []) {
      const value = entry.params?.[param]
      if (value === undefined) continue
      const names = Array.isArray(value) ? value : [value]
      names.forEach((name, j) => {
        if (typeof name === 'string' && workloads.has(name)) return
        const path = Array.isArray(value) ? ['metrics', i, 'params', param, j] : ['metrics', i, 'params', param]
        throw new InputFileError(
          loaded.file,
          field(path),
          `unknown workload ${JSON.stringify(String(name))}; expected one of ${workloads.names().join(', ')}`,
          loaded.positionOf(path),
        )
      })
    }
  })
}

/**
 * The plan's size, counted from the params' list lengths before any cell exists: a scenario whose
 * grid is larger than BOUNDS.cells is refused at the entry that makes it so (a 10^6-cell grid took
 * 886 MB and minutes to plan).
 */
export function checkCells(loaded: LoadedScenario): number {
  const max = BOUNDS.cells.max
  let total = 0
  loaded.scenario.metrics.forEach((entry, i) => {
    const lengths = Object.entries(entry.params ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.length : 1] as const)
    const cells = lengths.reduce((n, [, l]) => n * l, 1)
    const path = ['metrics', i, 'params']
    if (cells > max) {
      const factors = lengths
        .filter(([, l]) => l > 1)
        .map(([k, l]) => `${l} ${k}`)
        .join(' × ')
      throw new InputFileError(
        loaded.file,
        field(path),
        `expands to ${cells.toExponential(1).replace('e+', 'e')} cells (${factors}); at most ${max} cells per run`,
        loaded.positionOf(path),
      )
    }
    total += cells
    if (total > max)
      throw new InputFileError(
        loaded.file,
        field(['metrics', i]),
        `the scenario expands to more than ${max} cells by this entry; at most ${max} per run`,
        loaded.positionOf(['metrics', i]),
      )
  })
  return total
}

/** Limits this host can give: a CPU quota of at most its CPUs, a cpuset of CPUs it has (Docker's rules). */
export function checkHostLimits(loaded: LoadedScenario): void {
  const places: Array<{limits: LoadedScenario['scenario']['limits'] | undefined; path: Array<string | number>}> = [
    {limits: loaded.scenario.limits, path: ['limits']},
  ]
  loaded.scenario.metrics.forEach((m, i) => places.push({limits: m.limits, path: ['metrics', i, 'limits']}))
  for (const {limits, path} of places) {
    if (!limits) continue
    const quota = limits.cpus === undefined ? null : cpuQuotaProblem(limits.cpus)
    if (quota) throw new InputFileError(loaded.file, field([...path, 'cpus']), `${limits.cpus} cores: ${quota}`, loaded.positionOf([...path, 'cpus']))
    const cpuset = limits.cpuset === undefined ? null : cpusetProblem(limits.cpuset)
    if (cpuset) throw new InputFileError(loaded.file, field([...path, 'cpuset']), `"${limits.cpuset}": ${cpuset}`, loaded.positionOf([...path, 'cpuset']))
  }
}

/** Every check above, in the order a user would fix them. */
export function checkScenarioInput(
  loaded: LoadedScenario,
  arms: Parameters<typeof checkArms>[1],
  opts: Parameters<typeof checkArms>[2],
  workloads: KnownWorkloads = builtinWorkloads,
): void {
  checkArms(loaded, arms, opts)
  checkParams(loaded)
  checkWorkloadParams(loaded, workloads)
  checkCells(loaded)
  checkHostLimits(loaded)
}
