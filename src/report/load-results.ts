/**
 * Reads a results.json for report, compare and export. Problems become one InputFileError naming
 * the file, line:column (JSON syntax errors, and for schema errors the offending node, located by
 * re-reading the text with the yaml parser — JSON is YAML), the field and what was expected.
 */
import {readInputFile} from '../config/input-file.js'
import {z} from 'zod'
import {LineCounter, parseDocument, isNode, type Node} from 'yaml'
import {InputFileError} from '../core/errors.js'
import {RESULTS_SCHEMA_VERSION, type Results} from '../core/results.js'
import {describeZodIssue, primaryIssue} from '../config/zod-errors.js'
import {settleRunStatus} from '../engine/store.js'

const scalar = z.union([z.string(), z.number(), z.boolean()])

const sampleSchema = z.looseObject({
  metric: z.string(),
  figure: z.string().optional(),
  arm: z.string(),
  workload: z.string(),
  params: z.record(z.string(), scalar),
  rep: z.number(),
  block: z.number().optional(),
  warmup: z.boolean().optional(),
  value: z.number().nullable(),
  unit: z.string(),
  direction: z.enum(['lower', 'higher']).optional(),
  phases: z.record(z.string(), z.number()).optional(),
  ts: z.string().optional(),
  t: z.number().optional(),
  ok: z.boolean(),
})

const armSchema = z.looseObject({
  name: z.string(),
  kind: z.string(),
  accel: z.enum(['none', 'kvm', 'tcg']),
  versions: z.record(z.string(), z.string()).optional(),
})

const resultsSchema = z.looseObject({
  schemaVersion: z.number(),
  runId: z.string(),
  startedAt: z.string(),
  status: z.string().optional(),
  host: z.looseObject({}).optional(),
  arms: z.array(armSchema),
  samples: z.array(sampleSchema),
  summaries: z.array(z.looseObject({})).optional(),
  comparisons: z.array(z.looseObject({})).optional(),
  warnings: z.array(z.looseObject({message: z.string()})).optional(),
  parity: z.array(z.looseObject({})).optional(),
  claims: z.array(z.unknown()).optional(),
})

/** The largest results.json read: 64 MiB (a run of ≈ 190 000 samples). */
export const RESULTS_FILE_MAX_BYTES = 64 * 1024 * 1024

export function loadResultsFile(file: string): Results {
  // A results file grows with its samples (≈ 350 B each): 64 MiB holds ≈ 190 000 of them.
  return parseResults(readInputFile(file, 'results file', 'a results.json file', RESULTS_FILE_MAX_BYTES), file)
}

export function parseResults(text: string, file: string): Results {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const pos = /position (\d+)/.exec(message)
    const position = pos ? linePos(text, Number(pos[1])) : syntaxErrorPosition(text)
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .split(/, "|, \.\.\."/)[0]!
      .trim()
    throw new InputFileError(file, '', `not valid JSON (${reason}); expected a results.json written by isobench run`, position)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputFileError(file, '', 'expected an object with schemaVersion, runId, arms and samples (a results.json written by isobench run)', {
      line: 1,
      col: 1,
    })
  }
  const parsed = resultsSchema.safeParse(raw, {reportInput: true})
  if (!parsed.success) {
    const issue = primaryIssue(parsed.error.issues)
    const {field, expected} = describeZodIssue(issue)
    throw new InputFileError(file, field, expected, positionOf(text, issue.path))
  }
  const version = parsed.data.schemaVersion
  if (version !== RESULTS_SCHEMA_VERSION) {
    throw new InputFileError(
      file,
      'schemaVersion',
      version > RESULTS_SCHEMA_VERSION
        ? `written by a newer isobench (schema ${version}); this one reads schema ${RESULTS_SCHEMA_VERSION}`
        : `expected ${RESULTS_SCHEMA_VERSION}, got ${version}`,
      positionOf(text, ['schemaVersion']),
    )
  }
  const r = raw as Results
  r.summaries ??= []
  r.comparisons ??= []
  r.warnings ??= []
  for (const s of r.samples) {
    s.warmup ??= false
    s.block ??= 0
  }
  settleRunStatus(r) // "running" with a dead writer: interrupted (killed)
  return r
}

/** Node 20's JSON.parse does not always say where; the yaml parser (JSON is YAML) usually can. */
function syntaxErrorPosition(text: string): {line: number; col: number} | undefined {
  try {
    const lineCounter = new LineCounter()
    const doc = parseDocument(text, {lineCounter})
    const first = doc.errors[0]
    return first ? lineCounter.linePos(first.pos[0]) : undefined
  } catch {
    return undefined
  }
}

function linePos(text: string, offset: number): {line: number; col: number} {
  let line = 1
  let last = -1
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      last = i
    }
  }
  return {line, col: offset - last}
}

/** line:column of the node at `path` (or its nearest existing parent); only computed on error. */
function positionOf(text: string, path: ReadonlyArray<PropertyKey>): {line: number; col: number} | undefined {
  try {
    const lineCounter = new LineCounter()
    const doc = parseDocument(text, {lineCounter})
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true)
      if (isNode(node) && (node as Node).range) return lineCounter.linePos((node as Node).range![0])
    }
  } catch {
    // best effort
  }
  return undefined
}
