/**
 * Reading the files users write (scenarios, paper claims, results): every problem becomes one
 * InputFileError naming the file, line:column (from the YAML document's source ranges), the field
 * path and what was expected. YAML is parsed with unique keys; the schema is zod's.
 */
import {readFileSync} from 'node:fs'
import {LineCounter, isMap, isPair, isScalar, parseDocument, type Document, type Node} from 'yaml'
import type {z} from 'zod'
import {InputFileError} from '../core/errors.js'
import {describeZodIssue} from './zod-errors.js'

export type Position = {line: number; col: number}

/** The file's text; a missing or unreadable file is an InputFileError (`what`: 'scenario file'; `expected`: what a folder is not). */
export function readInputFile(file: string, what: string, expected = `a ${what}`): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputFileError(
      file,
      '',
      code === 'ENOENT' ? `${what} not found` : code === 'EISDIR' ? `expected ${expected}, got a folder` : `cannot read: ${(error as Error).message}`,
    )
  }
}

export interface ParsedYaml<T> {
  data: T
  /** line:col of a field path (or of the key `keyOf` inside it), for errors found after validation. */
  positionOf(path: ReadonlyArray<PropertyKey>, keyOf?: string): Position | undefined
}

/**
 * Parse YAML and validate it with `schema`. `topLevel` says what the top level must hold (for a file
 * that is not a mapping: 'expected a mapping with name, metrics, … at the top level').
 */
export function parseYamlInput<S extends z.ZodType>(text: string, file: string, schema: S, topLevel: string): ParsedYaml<z.output<S>> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const firstError = doc.errors[0]
  if (firstError) throw new InputFileError(file, '', `YAML syntax error: ${firstError.message.split('\n')[0]}`, lineCounter.linePos(firstError.pos[0]))
  const positionOf = (path: ReadonlyArray<PropertyKey>, keyOf?: string) => {
    const offset = offsetOf(doc, path, keyOf)
    return offset === undefined ? undefined : lineCounter.linePos(offset)
  }
  const raw = doc.toJS() as unknown
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputFileError(file, '', topLevel, {line: 1, col: 1})
  const parsed = schema.safeParse(raw, {reportInput: true})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const {field, expected} = describeZodIssue(issue)
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined
    throw new InputFileError(file, field, expected, positionOf(issue.path, unknownKey) ?? positionOf(issue.path.slice(0, -1)))
  }
  return {data: parsed.data, positionOf}
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
    return (pair?.key as Node | undefined)?.range?.[0]
  }
  return (node as Node | undefined)?.range?.[0]
}
