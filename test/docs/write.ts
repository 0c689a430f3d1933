/** `npm run docs`: rewrite every generated table of the docs/ pages from its schema or registry (test/docs/tables.ts). */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {replaceGenerated} from '../../src/config/schema-doc.js'
import {DOC_TABLES} from './tables.js'

const root = join(import.meta.dirname, '..', '..')
for (const t of DOC_TABLES) {
  const file = join(root, t.file)
  const before = readFileSync(file, 'utf8')
  const after = replaceGenerated(before, t.name, t.content())
  if (after !== before) writeFileSync(file, after)
  process.stdout.write(`${t.file}: ${t.name}${after === before ? ' (unchanged)' : ' (rewritten)'}\n`)
}
