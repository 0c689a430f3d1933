/**
 * Reading the files users write (scenarios, paper claims, results): every problem becomes one
 * InputFileError naming the file, line:column (from the YAML document's source ranges), the field
 * path and what was expected. Files are read bounded (core/read-input.ts); YAML is parsed with unique
 * keys, no unknown tags and yaml's alias guard; the schema is zod's.
 */
import {LineCounter, isMap, isPair, isScalar, parseDocument, type Document, type Node} from 'yaml'
import type {z} from 'zod'
import {InputFileError} from '../core/errors.js'
import {readInputText} from '../core/read-input.js'
import {describeZodIssue, primaryIssue} from './zod-errors.js'

export type Position = {line: number; col: number}

/**
 * The file's text, read as every user file is (core/read-input.ts): a regular file (never a FIFO or
 * a device), at most `maxBytes` (default 4 MiB), not binary; anything else is an InputFileError.
 * `what`: 'scenario file'; `expected`: what a folder is not (kept for the callers' wording).
 */
export function readInputFile(file: string, what: string, _expected = `a ${what}`, maxBytes?: number): string {
  return readInputText(file, {what, maxBytes})
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
  const {doc, lineCounter, data: raw} = parseYamlDocument(text, file)
  const positionOf = (path: ReadonlyArray<PropertyKey>, keyOf?: string) => {
    const offset = offsetOf(doc, path, keyOf)
    return offset === undefined ? undefined : lineCounter.linePos(offset)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputFileError(file, '', topLevel, {line: 1, col: 1})
  const parsed = schema.safeParse(raw, {reportInput: true})
  if (!parsed.success) {
    const issue = primaryIssue(parsed.error.issues)
    const {field, expected} = describeZodIssue(issue)
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined
    throw new InputFileError(file, field, expected, positionOf(issue.path, unknownKey) ?? positionOf(issue.path.slice(0, -1)))
  }
  return {data: parsed.data, positionOf}
}

/** yaml's own guard against alias bombs: at most this many alias expansions per document. */
export const MAX_ALIAS_COUNT = 100

/**
 * YAML text as plain data, every failure an InputFileError with the file (and line:column where the
 * parser knows it): syntax errors and duplicate keys; tags isobench does not read (`!!js/function`:
 * not ours to execute or to drop silently); alias expansion past yaml's resource guard (an "alias
 * bomb": a few lines that expand to 10^7 nodes; the library throws a bare ReferenceError); nesting
 * deeper than the parser's stack.
 */
export function parseYamlDocument(text: string, file: string): {doc: Document; lineCounter: LineCounter; data: unknown} {
  const lineCounter = new LineCounter()
  let doc: Document
  try {
    doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  } catch (error) {
    throw new InputFileError(
      file,
      '',
      error instanceof RangeError ? 'YAML nests too deeply to read' : `YAML could not be read: ${(error as Error).message.split('\n')[0]}`,
    )
  }
  const firstError = doc.errors[0]
  if (firstError) throw new InputFileError(file, '', `YAML syntax error: ${firstError.message.split('\n')[0]}`, lineCounter.linePos(firstError.pos[0]))
  const tagWarning = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED')
  if (tagWarning)
    throw new InputFileError(
      file,
      '',
      `YAML: ${tagWarning.message.split('\n')[0]}; isobench reads plain YAML (strings, numbers, lists, mappings)`,
      lineCounter.linePos(tagWarning.pos[0]),
    )
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: MAX_ALIAS_COUNT})
  } catch (error) {
    if (error instanceof ReferenceError)
      throw new InputFileError(file, '', `YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} expansions: an alias bomb?); not read`)
    if (error instanceof RangeError) throw new InputFileError(file, '', 'YAML nests too deeply to read')
    throw new InputFileError(file, '', `YAML could not be read: ${(error as Error).message.split('\n')[0]}`)
  }
  return {doc, lineCounter, data}
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
