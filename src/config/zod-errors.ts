/** Turns a zod issue into "field path" + "what was expected", for one-line user errors. */
import type {z} from 'zod'

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '')
}

/** zod's names for types, as a user reads them. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  int: 'an integer',
  nan: 'a number',
  undefined: 'nothing',
}

function typeName(t: string): string {
  return TYPE_NAMES[t] ?? t
}

/**
 * `expected`, got the value. Not for a refinement's issue whose input is a mapping or a list: zod gives
 * such an issue the refined parent (a whole figure, a whole workload), not the field the issue names,
 * so ", got an object" would describe the wrong value.
 */
function withGot(expected: string, issue: z.core.$ZodIssue): string {
  if (!('input' in issue) || issue.input === undefined || /, got /.test(expected)) return expected
  if (issue.code === 'custom' && typeof issue.input === 'object' && issue.input !== null) return expected
  return `${expected}, got ${describeValue(issue.input)}`
}

/**
 * The issue to report when a document has several: an unknown key first, since a misspelt field
 * (`metirc:`) is both an unknown key and a missing field, and only the unknown key names the typo;
 * else the first issue, in zod's order (the document's).
 */
export function primaryIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!
}

export function describeZodIssue(issue: z.core.$ZodIssue): {field: string; expected: string} {
  const base = fieldPath(issue.path)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys
      const field = keys.length === 1 ? (base ? `${base}.${keys[0]}` : keys[0]!) : base
      return {field, expected: `unknown field${keys.length > 1 ? `s ${keys.join(', ')}` : ''}; remove it or check its spelling`}
    }
    case 'invalid_type':
      if ('input' in issue && issue.input === undefined) return {field: base, expected: `expected ${typeName(issue.expected)} (missing)`}
      return {field: base, expected: `expected ${typeName(issue.expected)}, got ${describeValue(issue.input)}`}
    case 'invalid_value':
      return {field: base, expected: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}`}
    case 'invalid_union': {
      // Say what each alternative wanted ("a string, a number, true or false or a list"), not zod's "Invalid input".
      // Alternatives may be unions themselves (a scalar, or a list of scalars): collect their types too.
      const types = (issues: readonly z.core.$ZodIssue[]): string[] =>
        issues.flatMap((i) =>
          i.path.length > 0 ? [] : i.code === 'invalid_type' ? [typeName(i.expected)] : i.code === 'invalid_union' ? i.errors.flatMap(types) : [],
        )
      const wanted = [...new Set(issue.errors.flatMap(types))]
      const input = 'input' in issue ? issue.input : undefined
      if (wanted.length === 0) return {field: base, expected: withGot('expected a valid value', issue)}
      const list = wanted.length > 1 ? `${wanted.slice(0, -1).join(', ')} or ${wanted.at(-1)}` : wanted[0]!
      return {field: base, expected: `expected ${list}, got ${describeValue(input)}`}
    }
    default:
      return {field: base, expected: withGot(issue.message, issue)}
  }
}

/** A value as an error message quotes it: short, one line (long strings cut), its kind named. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'number') return `${v}`
  return `${typeof v} ${String(v)}`
}
