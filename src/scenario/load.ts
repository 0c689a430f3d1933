/**
 * Loads a scenario YAML file. Every problem becomes one InputFileError naming the file,
 * line:column (from the YAML document's source ranges), the field path and what was expected.
 */
import {readFileSync} from 'node:fs'
import {LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node} from 'yaml'
import {InputFileError} from '../core/errors.js'
import {scenarioSchema, type Scenario} from './schema.js'
import {describeZodIssue} from '../config/zod-errors.js'

export interface LoadedScenario {
  file: string
  scenario: Scenario
  /** line:col of a field path, for errors found after validation (e.g. unknown arm). */
  positionOf(path: ReadonlyArray<PropertyKey>): {line: number; col: number} | undefined
}

export function loadScenarioFile(file: string): LoadedScenario {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputFileError(file, '', code === 'ENOENT' ? 'scenario file not found' : `cannot read: ${(error as Error).message}`)
  }
  return parseScenario(text, file)
}

export function parseScenario(text: string, file: string): LoadedScenario {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const firstError = doc.errors[0]
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0])
    throw new InputFileError(file, '', `YAML syntax error: ${firstError.message.split('\n')[0]}`, pos)
  }
  const positionOf = (path: ReadonlyArray<PropertyKey>, keyOf?: string) => {
    const offset = offsetOf(doc, path, keyOf)
    return offset === undefined ? undefined : lineCounter.linePos(offset)
  }
  const raw = doc.toJS() as unknown
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputFileError(file, '', 'expected a mapping with name, metrics, … at the top level', {line: 1, col: 1})
  }
  const parsed = scenarioSchema.safeParse(raw, {reportInput: true})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const {field, expected} = describeZodIssue(issue)
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined
    throw new InputFileError(file, field, expected, positionOf(issue.path, unknownKey) ?? positionOf(issue.path.slice(0, -1)))
  }
  return {file, scenario: parsed.data, positionOf: (p) => positionOf(p)}
}

/** Source offset of the node at `path` (or of the key `keyOf` inside it). */
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
    const keyNode = pair?.key as Node | undefined
    return keyNode?.range?.[0]
  }
  return (node as Node | undefined)?.range?.[0]
}
