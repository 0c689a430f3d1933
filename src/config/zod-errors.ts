/** Turns a zod issue into "field path" + "what was expected", for one-line user errors. */
import type {z} from 'zod'

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '')
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
      return {
        field: base,
        expected: `expected ${issue.expected}${'input' in issue && issue.input === undefined ? ' (missing)' : `, got ${describe(issue.input)}`}`,
      }
    case 'invalid_value':
      return {field: base, expected: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`}
    default:
      return {field: base, expected: issue.message}
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `"${v}"`
  if (typeof v === 'object') return 'an object'
  return `${typeof v} ${String(v)}`
}
