/**
 * The file formats' documentation, generated from their zod schemas: one markdown table per file
 * format, a row per field (its path, type, default and meaning), so docs/ cannot drift from what the
 * loaders accept. A field's meaning is its schema's description (`.describe()`); a field without one
 * is an error, so every new field is documented where it is declared.
 *
 * `fieldTable(schema)` gives the table; `replaceGenerated(markdown, name, table)` puts it between the
 * markers `<!-- generated: NAME -->` and `<!-- /generated: NAME -->` of a docs page (`npm run docs`
 * rewrites them; test/unit/docs/formats.test.ts fails when a page is out of date).
 */
import {z} from 'zod'

export interface FieldRow {
  /** "limits.cpus", "metrics[].params". */
  path: string
  type: string
  /** The default as the file would spell it, "required", or "–" (optional, no default). */
  default: string
  meaning: string
}

type JsonSchema = {
  type?: string | string[]
  description?: string
  default?: unknown
  enum?: unknown[]
  const?: unknown
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  additionalProperties?: JsonSchema | boolean
  anyOf?: JsonSchema[]
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  pattern?: string
}

const SAFE = Number.MAX_SAFE_INTEGER

/** A JSON-schema type in the words of the docs: "integer ≥ 1", "one of none, host", "list of strings". */
export function typeText(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeText).join(' or ')
  if (s.enum) return `one of ${s.enum.map((v) => `\`${String(v)}\``).join(', ')}`
  if (s.const !== undefined) return `\`${String(s.const)}\``
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : []
  if (types.length > 1) return types.join(', ').replace(/, (\w+)$/, ' or $1')
  const bounds: string[] = []
  if (s.minimum !== undefined && s.minimum > -SAFE) bounds.push(`≥ ${s.minimum}`)
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`)
  if (s.maximum !== undefined && s.maximum < SAFE) bounds.push(`≤ ${s.maximum}`)
  if (s.exclusiveMaximum !== undefined) bounds.push(`< ${s.exclusiveMaximum}`)
  const b = bounds.length ? ` ${bounds.join(', ')}` : ''
  switch (types[0]) {
    case 'string':
      return s.pattern ? `string matching \`${s.pattern}\`` : s.minLength ? 'string (non-empty)' : 'string'
    case 'integer':
      return `integer${b}`
    case 'number':
      return `number${b}`
    case 'boolean':
      return 'boolean'
    case 'array':
      return `${s.minItems ? 'non-empty ' : ''}list of ${s.items ? plural(typeText(s.items)) : 'values'}`
    case 'object':
      if (s.properties) return 'mapping'
      if (s.additionalProperties && typeof s.additionalProperties === 'object') return `mapping of name → ${typeText(s.additionalProperties)}`
      return 'mapping'
    default:
      return 'any'
  }
}

/** The type of one zod schema in the words of the docs (a metric param's schema, say): "integer ≥ 1, ≤ 1024". */
export function schemaTypeText(schema: z.ZodType): string {
  return typeText(z.toJSONSchema(schema, {io: 'input', unrepresentable: 'any'}) as JsonSchema)
}

function plural(t: string): string {
  if (/^(string|integer|number|boolean|mapping)\b/.test(t)) return t.replace(/^(\w+)/, '$1s')
  return t
}

function defaultText(value: unknown): string {
  if (value === undefined) return '–'
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '–'
  return `\`${
    typeof value === 'string'
      ? value
      : JSON.stringify(value)
          .replace(/"(\w+)":/g, '$1: ')
          .replace(/,/g, ', ')
  }\``
}

/**
 * Every field of an object schema, depth first, in declaration order: nested mappings (limits) and
 * lists of mappings (metrics[]) give rows of their own fields. Throws when a field has no description.
 */
export function fieldRows(schema: z.ZodType): FieldRow[] {
  const json = z.toJSONSchema(schema, {io: 'input', unrepresentable: 'any'}) as JsonSchema
  const rows: FieldRow[] = []
  const walk = (s: JsonSchema, prefix: string) => {
    for (const [name, field] of Object.entries(s.properties ?? {})) {
      const path = `${prefix}${name}`
      if (!field.description) throw new Error(`schema field ${path} has no description: give it .describe('what it means')`)
      const required = (s.required ?? []).includes(name) && field.default === undefined
      rows.push({path, type: typeText(field), default: required ? 'required' : defaultText(field.default), meaning: field.description})
      if (field.properties) walk(field, `${path}.`)
      else if (field.items?.properties) walk(field.items, `${path}[].`)
    }
  }
  walk(json, '')
  return rows
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The markdown table of a schema's fields: | field | type | default | meaning |. */
export function fieldTable(schema: z.ZodType): string {
  const rows = fieldRows(schema)
  return [
    '| field | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${cell(r.path)}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.meaning)} |`),
  ].join('\n')
}

/** A markdown table from rows of cells (for generated tables that are not a schema's, e.g. metric params). */
export function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n')
}

/**
 * `markdown` with the text between `<!-- generated: NAME -->` and `<!-- /generated: NAME -->` replaced
 * by `content`. Throws when the page lacks the markers (a docs page must say where its table goes).
 */
export function replaceGenerated(markdown: string, name: string, content: string): string {
  const open = `<!-- generated: ${name} -->`
  const close = `<!-- /generated: ${name} -->`
  const a = markdown.indexOf(open)
  const b = markdown.indexOf(close)
  if (a < 0 || b < a) throw new Error(`no "${open}" … "${close}" markers in the page`)
  return `${markdown.slice(0, a + open.length)}\n${content}\n${markdown.slice(b)}`
}
