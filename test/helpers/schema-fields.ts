/**
 * Field paths of a zod schema (`image.containerfile`, `figures[].regex`, `ready.http.port`) and of a
 * markdown field table (the backticked first column), so a test keeps a format's documentation and its
 * schema in sync: a field added to one and not the other fails it.
 */
import {readFileSync} from 'node:fs'
import type {z} from 'zod'

type Def = {type: string; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; shape?: Record<string, z.ZodType>; in?: z.ZodType}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as {_zod: {def: Def}})._zod.def
}

/** Every field path of the schema's objects, nested ones included; records (free keys) stop the walk. */
export function schemaFieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = defOf(schema)
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, value]) => [`${prefix}${key}`, ...schemaFieldPaths(value, `${prefix}${key}.`)])
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
      return schemaFieldPaths(def.innerType!, prefix)
    case 'pipe':
      return schemaFieldPaths(def.in!, prefix)
    case 'array':
      return schemaFieldPaths(def.element!, `${prefix.replace(/\.$/, '')}[].`)
    case 'union':
      return [...new Set(def.options!.flatMap((o) => schemaFieldPaths(o, prefix)))]
    default:
      return []
  }
}

/** The backticked first cells of the markdown table whose header starts with `| field |`. */
export function documentedFields(markdownFile: string): string[] {
  const lines = readFileSync(markdownFile, 'utf8').split('\n')
  const start = lines.findIndex((l) => /^\|\s*field\s*\|/.test(l))
  if (start < 0) throw new Error(`${markdownFile}: no "| field |" table`)
  const out: string[] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break
    const m = /^\|\s*`([^`]+)`/.exec(line)
    if (m) out.push(m[1]!)
  }
  return out
}
