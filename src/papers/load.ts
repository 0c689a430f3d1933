/**
 * Loads paper files (scenarios/papers/*.yaml). Every problem is one InputFileError naming the
 * file, line:column, field and what was expected (exit 2).
 */
import {readdirSync} from 'node:fs'
import {basename, join, relative} from 'node:path'
import {InputFileError, IsobenchError, UsageError} from '../core/errors.js'
import {parseYamlInput, readInputFile} from '../config/input-file.js'
import {getMetric, METRIC_NAMES, paramProblem} from '../metrics/index.js'
import {fieldPath} from '../config/zod-errors.js'
import {paperSchema, type Claim, type Paper} from './schema.js'

export interface LoadedPaper {
  file: string
  paper: Paper
}

/** The papers folder shipped with isobench (resolved from the package root, not the cwd). */
export function defaultPapersDir(): string {
  return new URL('../../scenarios/papers/', import.meta.url).pathname
}

export function listPaperFiles(dir = defaultPapersDir()): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    throw new UsageError(`papers folder not found: ${dir}`)
  }
  return names
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => join(dir, n))
}

/** One line about a paper file for `isobench scenarios`: its id, title and claim count, or why it does not load. */
export interface PaperListing {
  file: string
  id?: string
  title?: string
  claims?: number
  metrics?: string[]
  error?: string
}

export function describePaperFiles(dir: string): PaperListing[] {
  let files: string[]
  try {
    files = listPaperFiles(dir)
  } catch {
    return []
  }
  return files.map((file) => {
    const shown = relative(process.cwd(), file) || file
    try {
      const {paper} = loadPaperFile(file)
      return {file: shown, id: paper.id, title: paper.title, claims: paper.claims.length, metrics: [...new Set(paper.claims.map((c) => c.cell.metric))]}
    } catch (error) {
      if (error instanceof IsobenchError) return {file: shown, error: error.message}
      throw error
    }
  })
}

export function loadPaperFile(file: string): LoadedPaper {
  return parsePaper(readInputFile(file, 'paper file'), file)
}

export function parsePaper(text: string, file: string): LoadedPaper {
  const {data: paper, positionOf: at} = parseYamlInput(text, file, paperSchema, 'expected a mapping with id, title, citation, claims at the top level')
  const stem = basename(file).replace(/\.ya?ml$/, '')
  if (stem !== paper.id && !file.startsWith('<')) throw new InputFileError(file, 'id', `expected "${stem}" (the file name), got "${paper.id}"`, at(['id']))
  const seen = new Set<string>()
  paper.claims.forEach((claim: Claim, i) => {
    if (seen.has(claim.id)) throw new InputFileError(file, `claims[${i}].id`, `duplicate claim id "${claim.id}"`, at(['claims', i, 'id']))
    seen.add(claim.id)
    if (claim.measure === 'ratio' && !claim.baseline)
      throw new InputFileError(file, `claims[${i}].baseline`, 'a ratio claim needs a baseline side (arm to divide by)', at(['claims', i]))
    if (claim.measure === 'value' && claim.baseline)
      throw new InputFileError(
        file,
        `claims[${i}].baseline`,
        'a value claim reads one arm; remove baseline or use measure: ratio',
        at(['claims', i, 'baseline']),
      )
    // The same check as a scenario's params (metrics/index.ts paramProblem): known keys, values in bounds.
    const checkParams = (params: Record<string, unknown> | undefined, path: Array<string | number>) => {
      for (const [key, value] of Object.entries(params ?? {})) {
        const problem = paramProblem(claim.cell.metric, key, value)
        if (problem) throw new InputFileError(file, `${fieldPath(path)}.${key}`, problem, at([...path, key], undefined) ?? at(path, key))
      }
    }
    checkParams(claim.cell.params, ['claims', i, 'cell', 'params'])
    const sides = [claim.arm, ...(claim.baseline ? [claim.baseline] : [])]
    sides.forEach((side, j) => {
      checkParams(side.params, ['claims', i, j === 0 ? 'arm' : 'baseline', 'params'])
      if (side.statistic === 'degradation' && !getMetric(claim.cell.metric)?.withinArm) {
        const key = j === 0 ? 'arm' : 'baseline'
        const within = METRIC_NAMES.filter((m) => getMetric(m)?.withinArm).join(' or ')
        throw new InputFileError(file, `claims[${i}].${key}.statistic`, `degradation needs metric: ${within}`, at(['claims', i, key, 'statistic']))
      }
    })
  })
  return {file, paper}
}
