/**
 * The workload file: one workload as a YAML document (docs/workload-file.md is its reference, kept in
 * sync with this schema by a test). Every check that needs no file system or image is here, so a bad
 * field is exit 2 with file:line, the field and what was expected — wherever the document sits (its
 * own file, inline in a scenario, a plugin's list): unknown keys, ports outside 1–65535, a regex that
 * does not compile or has no named group `value`, an unknown parser, a readiness port not listed.
 */
import {z} from 'zod'
import {parserNames, findParser} from './parsers/index.js'

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const FIGURE_NAME = /^[a-z][a-z0-9_]{0,63}$/

export const portSchema = z.number().int().min(1).max(65_535)

/** A command word; YAML numbers and booleans (`[sleep, 3600]`, `[true]`) are taken as the text they were written as. */
const word = z.union([z.string().max(64 * 1024), z.number(), z.boolean()]).transform(String)
const argvSchema = z.array(word).max(4096)

/** A regex over a tool's output: it must compile and have a named group `value`. */
const regexSchema = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((text, ctx) => {
    let re: RegExp
    try {
      re = new RegExp(text, 'm')
    } catch (error) {
      ctx.addIssue({code: 'custom', message: `not a valid regular expression: ${(error as Error).message}`})
      return
    }
    if (!/\(\?<value>/.test(re.source))
      ctx.addIssue({code: 'custom', message: 'expected a named group (?<value>…) around the number, e.g. "(?<value>[0-9.]+) MB/s"'})
  })

export const figureSchema = z
  .strictObject({
    name: z.string().regex(FIGURE_NAME, 'a figure name: lower case letters, digits and _, starting with a letter'),
    unit: z.string().min(1).max(32),
    direction: z.enum(['higher', 'lower']),
    description: z.string().max(500).optional(),
    regex: regexSchema.optional(),
    key: z.string().min(1).max(200).optional(),
    from: z.enum(['exit-time']).optional(),
  })
  .superRefine((f, ctx) => {
    const given = (['regex', 'key', 'from'] as const).filter((k) => f[k] !== undefined)
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: given.length > 1 ? [given[1]!] : [],
        message: `expected exactly one of regex (a named group "value" over the output), key (a value of the parser) or from: exit-time${given.length > 1 ? `, got ${given.join(' and ')}` : ''}`,
      })
  })

const parserSchema = z.string().refine((name) => findParser(name) !== undefined, {
  error: (issue) => `unknown parser: expected one of ${parserNames().join(', ')}, got ${JSON.stringify(String(issue.input))}`,
})

/** Figures need a source: `key` needs a parser in the same scope, `from: exit-time` only for the workload's own run. */
function checkFigures(
  figures: Array<z.output<typeof figureSchema>> | undefined,
  parser: string | undefined,
  ctx: z.RefinementCtx,
  path: Array<string | number>,
  scope: 'workload' | 'load',
): void {
  const seen = new Set<string>()
  figures?.forEach((f, i) => {
    if (seen.has(f.name)) ctx.addIssue({code: 'custom', path: [...path, i, 'name'], message: `figure "${f.name}" is listed twice`})
    seen.add(f.name)
    if (f.key !== undefined && parser === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'key'],
        message: `a key names a value of the parser: give ${scope === 'load' ? 'load.parser' : 'parser'} too`,
      })
    if (f.from !== undefined && scope === 'load')
      ctx.addIssue({code: 'custom', path: [...path, i, 'from'], message: 'exit-time is the workload run, not the load: use regex or key here'})
  })
  if (parser !== undefined && (figures === undefined || figures.length === 0) && !findParser(parser)?.defaultFigures)
    ctx.addIssue({
      code: 'custom',
      path: ['parser'],
      message: `parser ${parser} has no default figures: list figures with key: (its keys: ${findParser(parser)?.keys ?? ''})`,
    })
}

const imageSchema = z
  .strictObject({
    containerfile: z.string().min(1).max(4096).optional(),
    context: z.string().min(1).max(4096).optional(),
    buildArgs: z.record(z.string().regex(ENV_NAME, 'a build-arg name'), z.string().max(64 * 1024)).optional(),
    target: z.string().min(1).max(128).optional(),
    ref: z.string().min(1).max(512).optional(),
    archive: z.string().min(1).max(4096).optional(),
    recipe: z.string().regex(NAME, 'a recipe name').optional(),
  })
  .superRefine((img, ctx) => {
    const given = (['containerfile', 'ref', 'archive', 'recipe'] as const).filter((k) => img[k] !== undefined)
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of containerfile: PATH, ref: NAME[:TAG]|NAME@sha256:…, archive: PATH (an OCI layout or docker-archive tar) or recipe: NAME${given.length ? `, got ${given.join(' and ')}` : ''}`,
      })
    for (const k of ['context', 'buildArgs', 'target'] as const)
      if (img[k] !== undefined && img.containerfile === undefined) ctx.addIssue({code: 'custom', path: [k], message: `${k} goes with containerfile: only`})
  })

const httpReady = z.union([
  portSchema,
  z.strictObject({port: portSchema, path: z.string().startsWith('/').max(2048).default('/'), status: z.number().int().min(100).max(599).optional()}),
])
const tcpReady = z.union([portSchema, z.strictObject({port: portSchema, send: z.string().max(4096).optional(), expect: z.string().max(4096).optional()})])

export const readySchema = z
  .strictObject({
    marker: z.literal(true).optional(),
    exit: z.literal(true).optional(),
    log: z.string().min(1).max(4096).optional(),
    tcp: tcpReady.optional(),
    http: httpReady.optional(),
  })
  .superRefine((r, ctx) => {
    const given = Object.keys(r).filter((k) => r[k as keyof typeof r] !== undefined)
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one rule: {marker: true}, {exit: true}, {log: TEXT}, {tcp: PORT} or {http: {port: PORT, path: /…, status: 200}}${given.length ? `, got ${given.join(' and ')}` : ''}`,
      })
  })

export const loadSchema = z
  .strictObject({
    /** Host command; `{host}` and `{port}` are replaced by the address that reaches the workload's first port. */
    command: z
      .array(z.string().max(64 * 1024))
      .min(1)
      .max(4096),
    parser: parserSchema.optional(),
    figures: z.array(figureSchema).max(64).optional(),
    /** Seconds before the load is killed (its samples then fail with code timeout). */
    timeout: z.number().positive().max(3600).default(60),
  })
  .superRefine((l, ctx) => {
    if (l.parser === undefined && (l.figures === undefined || l.figures.length === 0))
      ctx.addIssue({code: 'custom', path: ['figures'], message: 'a load needs figures: give parser: (wrk, redis-benchmark, …) or figures with regex:'})
    checkFigures(l.figures, l.parser, ctx, ['figures'], 'load')
  })

export const workloadSchema = z
  .strictObject({
    name: z.string().regex(NAME, 'a workload name: lower case letters, digits, ".", "_" and "-", at most 64'),
    version: z.number().int().min(1).max(1_000_000).default(1),
    description: z.string().max(1000).default(''),
    image: imageSchema.optional(),
    entrypoint: argvSchema.optional(),
    command: argvSchema.min(1).optional(),
    env: z.record(z.string().regex(ENV_NAME, 'an environment variable name'), z.union([z.string().max(64 * 1024), z.number(), z.boolean()])).optional(),
    workdir: z.string().startsWith('/', 'an absolute path inside the image').max(4096).optional(),
    user: z
      .string()
      .regex(/^[A-Za-z0-9_.-]*(:[A-Za-z0-9_.-]+)?$/, 'user[:group], names or ids')
      .max(256)
      .optional(),
    ports: z.array(portSchema).max(64).optional(),
    ready: readySchema.default({marker: true}),
    parser: parserSchema.optional(),
    figures: z.array(figureSchema).max(64).optional(),
    load: loadSchema.optional(),
    rootfs: z.enum(['block']).optional(),
    needs: z
      .array(
        z.strictObject({
          tool: z.string().startsWith('/', 'an absolute host path').max(4096),
          apt: z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, 'a Debian package name'),
        }),
      )
      .max(64)
      .optional(),
    runsOnHost: z.boolean().optional(),
  })
  .superRefine((w, ctx) => {
    checkFigures(w.figures, w.parser, ctx, ['figures'], 'workload')
    if (w.load && (w.figures?.length || w.parser))
      ctx.addIssue({
        code: 'custom',
        path: [w.figures?.length ? 'figures' : 'parser'],
        message: "a workload with a load takes its figures from the load's output: move them to load.figures / load.parser",
      })
    const port = w.ready.tcp ?? w.ready.http
    const readyPort = typeof port === 'number' ? port : port?.port
    if (readyPort !== undefined && w.ports !== undefined && !w.ports.includes(readyPort))
      ctx.addIssue({code: 'custom', path: ['ready'], message: `the readiness port ${readyPort} is not in ports (${w.ports.join(', ')})`})
    if (w.load && readyPort === undefined && !w.ports?.length)
      ctx.addIssue({code: 'custom', path: ['load'], message: 'a load needs a port to drive: give ports: [PORT] (or tcp/http readiness)'})
  })

export type WorkloadDocument = z.output<typeof workloadSchema>

/** The top-level shape, for the "not a mapping" error. */
export const WORKLOAD_TOP_LEVEL = 'expected a mapping with name, command, image, ready, figures, … at the top level (one workload per file)'
