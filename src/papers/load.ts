/**
 * Loads paper files (scenarios/papers/*.yaml). Every problem is one InputFileError naming the
 * file, line:column, field and what was expected (exit 2).
 */
import {readdirSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {LineCounter, isMap, isPair, isScalar, parseDocument, type Document, type Node} from 'yaml'
import {InputFileError, UsageError} from '../core/errors.js'
import {getMetric, METRIC_NAMES} from '../metrics/index.js'
import {describeZodIssue, fieldPath} from '../config/zod-errors.js'
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
  return names.filter((n) => n.endsWith('.yaml')).sort().map((n) => join(dir, n))
}

export function loadPaperFile(file: string): LoadedPaper {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputFileError(file, '', code === 'ENOENT' ? 'paper file not found' : `cannot read: ${(error as Error).message}`)
  }
  return parsePaper(text, file)
}

export function parsePaper(text: string, file: string): LoadedPaper {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const firstError = doc.errors[0]
  if (firstError) throw new InputFileError(file, '', `YAML syntax error: ${firstError.message.split('\n')[0]}`, lineCounter.linePos(firstError.pos[0]))
  const at = (path: ReadonlyArray<PropertyKey>, keyOf?: string) => {
    const offset = offsetOf(doc, path, keyOf)
    return offset === undefined ? undefined : lineCounter.linePos(offset)
  }
  const raw = doc.toJS() as unknown
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputFileError(file, '', 'expected a mapping with id, title, citation, claims at the top level', {line: 1, col: 1})
  const parsed = paperSchema.safeParse(raw, {reportInput: true})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const {field, expected} = describeZodIssue(issue)
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined
    throw new InputFileError(file, field, expected, at(issue.path, unknownKey) ?? at(issue.path.slice(0, -1)))
  }
  const paper = parsed.data
  const stem = basename(file).replace(/\.ya?ml$/, '')
  if (stem !== paper.id && !file.startsWith('<')) throw new InputFileError(file, 'id', `expected "${stem}" (the file name), got "${paper.id}"`, at(['id']))
  const seen = new Set<string>()
  paper.claims.forEach((claim: Claim, i) => {
    if (seen.has(claim.id)) throw new InputFileError(file, `claims[${i}].id`, `duplicate claim id "${claim.id}"`, at(['claims', i, 'id']))
    seen.add(claim.id)
    if (claim.measure === 'ratio' && !claim.baseline) throw new InputFileError(file, `claims[${i}].baseline`, 'a ratio claim needs a baseline side (arm to divide by)', at(['claims', i]))
    if (claim.measure === 'value' && claim.baseline) throw new InputFileError(file, `claims[${i}].baseline`, 'a value claim reads one arm; remove baseline or use measure: ratio', at(['claims', i, 'baseline']))
    const known = Object.keys(getMetric(claim.cell.metric)?.defaults ?? {})
    const checkParams = (params: Record<string, unknown> | undefined, path: Array<string | number>) => {
      for (const key of Object.keys(params ?? {})) {
        if (!known.includes(key)) throw new InputFileError(file, `${fieldPath(path)}.${key}`, `unknown param "${key}" for metric ${claim.cell.metric}; expected ${known.length ? `one of ${known.join(', ')}` : 'no params'}`, at([...path, key], undefined) ?? at(path, key))
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

function offsetOf(doc: Document, path: ReadonlyArray<PropertyKey>, keyOf?: string): number | undefined {
  let node: unknown = doc.contents
  for (const key of path) {
    if (!node || typeof node !== 'object' || !('items' in node)) return undefined
    const items = (node as {items: unknown[]}).items
    if (typeof key === 'number') node = items[key]
    else {
      const pair = items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key)
      node = isPair(pair) ? pair.value : undefined
    }
  }
  if (keyOf !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === keyOf)
    return (pair?.key as Node | undefined)?.range?.[0]
  }
  return (node as Node | undefined)?.range?.[0]
}
