/**
 * The generated tables of the docs/ pages: each names its page, its marker name and how it is made
 * (a format's zod schema through fieldTable, or a registry). `npm run docs` writes them
 * (test/docs/write.ts); test/unit/docs/formats.test.ts fails when a page is out of date. A new file
 * format adds one entry here and the markers on its page.
 */
import {fieldTable, markdownTable, schemaTypeText} from '../../src/config/schema-doc.js'
import {configSchema} from '../../src/core/config.js'
import {getMetric, METRIC_NAMES} from '../../src/metrics/index.js'
import {scenarioSchema} from '../../src/scenario/schema.js'

export interface DocTable {
  /** The page, relative to the repository root. */
  file: string
  /** Its markers: <!-- generated: NAME --> … <!-- /generated: NAME -->. */
  name: string
  content(): string
}

/** Every metric's params, from the metric registry: type (its paramSchema, the bounds scenarios are checked against), default and meaning. */
function metricParams(): string {
  const rows = METRIC_NAMES.flatMap((name) => {
    const m = getMetric(name)!
    return Object.entries(m.defaults ?? {}).map(([param, value]) => {
      const note = m.paramNotes?.[param]
      if (!note) throw new Error(`metric ${name}: param ${param} has no paramNotes entry`)
      const schema = m.paramSchema?.[param]
      return [`\`${name}\``, `\`${param}\``, schema ? schemaTypeText(schema) : typeof value, `\`${String(value)}\``, note]
    })
  })
  return markdownTable(['metric', 'param', 'type', 'default', 'meaning'], rows)
}

export const DOC_TABLES: DocTable[] = [
  {file: 'docs/scenario-file.md', name: 'scenario fields', content: () => fieldTable(scenarioSchema)},
  {file: 'docs/scenario-file.md', name: 'metric params', content: metricParams},
  {file: 'docs/config-file.md', name: 'config fields', content: () => fieldTable(configSchema)},
]
