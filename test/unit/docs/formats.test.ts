/**
 * The file formats' docs stay in sync with what the loaders accept: every generated table on a docs
 * page equals the one its zod schema (or registry) gives now (`npm run docs` rewrites them), every
 * field has a meaning, and the helper renders types, defaults and required fields as the tables show.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {z} from 'zod'
import {describe, expect, it} from 'vitest'
import {fieldRows, fieldTable, replaceGenerated} from '../../../src/config/schema-doc.js'
import {DOC_TABLES} from '../../docs/tables.js'

const root = join(import.meta.dirname, '..', '..', '..')

describe('docs/ file-format pages', () => {
  it.each(DOC_TABLES.map((t) => [t.file, t.name, t] as const))('%s: the "%s" table is the one the schema gives (npm run docs)', (file, _name, t) => {
    const page = readFileSync(join(root, file), 'utf8')
    expect(page, `${file} is out of date: run npm run docs`).toBe(replaceGenerated(page, t.name, t.content()))
  })
})

describe('schema → field table', () => {
  const schema = z.strictObject({
    name: z.string().min(1).describe('its name'),
    reps: z.number().int().min(1).max(10).default(3).describe('how many'),
    mode: z.enum(['a', 'b']).optional().describe('which way'),
    limits: z
      .strictObject({cpus: z.number().positive().optional().describe('cores')})
      .optional()
      .describe('limits'),
    items: z.array(z.strictObject({id: z.string().describe('its id')})).describe('entries'),
  })

  it('gives each field its path, type, default (or required) and meaning, nested fields included', () => {
    expect(fieldRows(schema)).toEqual([
      {path: 'name', type: 'string (non-empty)', default: 'required', meaning: 'its name'},
      {path: 'reps', type: 'integer ≥ 1, ≤ 10', default: '`3`', meaning: 'how many'},
      {path: 'mode', type: 'one of `a`, `b`', default: '–', meaning: 'which way'},
      {path: 'limits', type: 'mapping', default: '–', meaning: 'limits'},
      {path: 'limits.cpus', type: 'number > 0', default: '–', meaning: 'cores'},
      {path: 'items', type: 'list of mappings', default: 'required', meaning: 'entries'},
      {path: 'items[].id', type: 'string', default: 'required', meaning: 'its id'},
    ])
    expect(fieldTable(schema).split('\n')[0]).toBe('| field | type | default | meaning |')
  })

  it('refuses a field without a meaning', () => {
    expect(() => fieldRows(z.strictObject({bare: z.string()}))).toThrow('schema field bare has no description')
  })

  it("replaces only the text between a page's markers, and refuses a page without them", () => {
    const page = 'intro\n<!-- generated: t -->\nold\n<!-- /generated: t -->\nend\n'
    expect(replaceGenerated(page, 't', 'new')).toBe('intro\n<!-- generated: t -->\nnew\n<!-- /generated: t -->\nend\n')
    expect(() => replaceGenerated('no markers', 't', 'x')).toThrow('no "<!-- generated: t -->"')
  })
})
