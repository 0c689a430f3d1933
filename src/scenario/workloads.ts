/**
 * The workloads a scenario names, resolved into the run's WorkloadTable: a built-in or plugin name, a
 * workload file relative to the scenario (`workload: ./web.yaml`), or a workload document inline.
 * Each entry's workload (and each workload param, e.g. interference's aggressor) is replaced by the
 * workload's name. Every problem is an InputFileError at its line in the scenario (an unknown name, a
 * missing file, a bad inline field) or in the workload file.
 */
import {createHash} from 'node:crypto'
import {existsSync, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {InputFileError} from '../core/errors.js'
import {describeZodIssue, fieldPath, primaryIssue} from '../config/zod-errors.js'
import {getMetric} from '../metrics/index.js'
import {displayPath, loadWorkloadFile, profileFromDocument} from '../workloads/load.js'
import {workloadSchema} from '../workloads/schema.js'
import type {WorkloadTable} from '../workloads/table.js'
import {parseScenario, type LoadedScenario} from './load.js'
import {readInputFile} from '../config/input-file.js'

/** A workload string that names a file (`./web.yaml`, `dir/web.yml`, `/abs/web.yaml`) rather than a workload. */
export function isWorkloadPath(ref: string): boolean {
  return ref.includes('/') || /\.ya?ml$/i.test(ref)
}

/** One workload reference at `path` in the scenario → its name in the table. */
export function resolveWorkloadRef(ref: unknown, loaded: LoadedScenario, path: Array<string | number>, table: WorkloadTable): string {
  const field = fieldPath(path)
  const at = loaded.positionOf(path)
  if (typeof ref === 'string') {
    if (!isWorkloadPath(ref)) {
      if (table.has(ref)) return ref
      throw new InputFileError(
        loaded.file,
        field,
        `unknown workload "${ref}"; expected one of ${table.names().join(', ')}, or a workload file (./NAME.yaml)`,
        at,
      )
    }
    const file = resolve(dirname(loaded.file), ref)
    if (!existsSync(file)) throw new InputFileError(loaded.file, field, `workload file ${ref} not found (looked for ${file})`, at)
    if (!statSync(file).isFile()) throw new InputFileError(loaded.file, field, `workload file ${ref} is not a file`, at)
    return table.add(loadWorkloadFile(file), {file: loaded.file, field, position: at}).name
  }
  const parsed = workloadSchema.safeParse(ref, {reportInput: true})
  if (!parsed.success) {
    const issue = primaryIssue(parsed.error.issues)
    const {field: inner, expected} = describeZodIssue(issue)
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined
    const full = [...path, ...(issue.path as Array<string | number>)]
    const position = (unknownKey !== undefined ? loaded.positionOf([...full, unknownKey]) : undefined) ?? loaded.positionOf(full) ?? at
    throw new InputFileError(loaded.file, inner ? `${field}.${inner}` : field, expected, position)
  }
  const key = `${resolve(loaded.file)}#${createHash('sha256').update(JSON.stringify(parsed.data)).digest('hex').slice(0, 16)}`
  // The one-liner names its workload after the image, and its user has no file to rename it in: a
  // taken name (`--image isobench/idle` and the built-in idle) gets the first free -2, -3, … suffix.
  const document = loaded.fromCommandLine ? {...parsed.data, name: freeName(parsed.data.name, key, table)} : parsed.data
  const profile = profileFromDocument(document, {
    baseDir: dirname(resolve(loaded.file)),
    origin: loaded.fromCommandLine
      ? {kind: 'command line', label: loaded.file, key}
      : {kind: 'inline', label: `${displayPath(loaded.file)} (inline)`, file: loaded.file, key},
    positionOf: (p) => loaded.positionOf([...path, ...(p as Array<string | number>)]),
  })
  return table.add(profile, {file: loaded.file, field: `${field}.name`, position: loaded.positionOf([...path, 'name'])}).name
}

/** `name`, else name-2, name-3, …: the first that is free in the table or already this document's (same origin key). */
function freeName(name: string, key: string, table: WorkloadTable): string {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? name : `${name.slice(0, 60)}-${i}`
    const have = table.get(candidate)
    if (!have || have.origin?.key === key) return candidate
  }
}

/**
 * Resolve every workload of the scenario into `table` and return the scenario with names only:
 * entries' `workload` and the params a metric declares as workloads (workloadParams).
 */
export function resolveScenarioWorkloads(loaded: LoadedScenario, table: WorkloadTable): LoadedScenario {
  const metrics = loaded.scenario.metrics.map((entry, i) => {
    const out = {...entry}
    if (entry.workload !== undefined) out.workload = resolveWorkloadRef(entry.workload, loaded, ['metrics', i, 'workload'], table)
    for (const param of getMetric(entry.metric)?.workloadParams ?? []) {
      const value = entry.params?.[param]
      if (value === undefined) continue
      const one = (v: unknown, path: Array<string | number>) => resolveWorkloadRef(typeof v === 'string' ? v : String(v), loaded, path, table)
      const resolved = Array.isArray(value) ? value.map((v, j) => one(v, ['metrics', i, 'params', param, j])) : one(value, ['metrics', i, 'params', param])
      out.params = {...out.params, [param]: resolved}
    }
    return out
  })
  return {...loaded, scenario: {...loaded.scenario, metrics}}
}

/** The workload name of a resolved entry (resolveScenarioWorkloads replaced every document and file by a name). */
export function workloadNameOf(workload: string | Record<string, unknown> | undefined): string | undefined {
  if (workload === undefined || typeof workload === 'string') return workload
  throw new Error('scenario workloads were not resolved (resolveScenarioWorkloads) before planning')
}

/**
 * Add the workloads of these files to the table: a workload file adds itself; a scenario file (a
 * mapping with `metrics`) adds the files and inline documents it names. For `isobench workloads FILE…`.
 */
export function listedWorkloads(files: string[], table: WorkloadTable): void {
  for (const file of files) {
    const text = readInputFile(file, 'workload or scenario file')
    if (/^metrics\s*:/m.test(text)) resolveScenarioWorkloads(parseScenario(text, file), table)
    else table.add(loadWorkloadFile(file))
  }
}
