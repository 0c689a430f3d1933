/**
 * Workload documents → profiles. One loader for every source: the built-in catalog
 * (scenarios/workloads/*.yaml), plugin workloads, files a scenario names (`workload: ./web.yaml`),
 * documents inline in a scenario, and the `run --image` one-liner. Relative paths in a document
 * (a Containerfile, its context, an archive) are resolved against the directory of the file that
 * holds it. Errors are InputFileErrors: file:line, field, what was expected (exit 2).
 */
import {dirname, isAbsolute, relative, resolve} from 'node:path'
import type {ReadinessRule} from '../core/arm.js'
import {parseYamlInput, readInputFile, type Position} from '../config/input-file.js'
import {findParser} from './parsers/index.js'
import {ParseError, type FigureDef, type HostLoad, type ImageSource, type ParsedFigures, type WorkloadOrigin, type WorkloadProfile} from './profile.js'
import {WORKLOAD_TOP_LEVEL, workloadSchema, type WorkloadDocument} from './schema.js'

export interface ProfileOptions {
  /** Directory relative paths of the document are resolved against. */
  baseDir: string
  origin: WorkloadOrigin
  /** line:col of a path inside the document (for errors found after validation, e.g. its image). */
  positionOf?: (path: ReadonlyArray<PropertyKey>) => Position | undefined
}

/** Parse and validate one workload file. `kind`: 'file' (a user's), 'built-in' or 'plugin'; `label` defaults to the path. */
export function loadWorkloadFile(file: string, kind: WorkloadOrigin['kind'] = 'file', label?: string): WorkloadProfile {
  return parseWorkloadText(readInputFile(file, 'workload file'), file, kind, label)
}

export function parseWorkloadText(text: string, file: string, kind: WorkloadOrigin['kind'] = 'file', label?: string): WorkloadProfile {
  const {data, positionOf} = parseYamlInput(text, file, workloadSchema, WORKLOAD_TOP_LEVEL)
  return profileFromDocument(data, {baseDir: dirname(resolve(file)), origin: {kind, label: label ?? displayPath(file), file, key: resolve(file)}, positionOf})
}

/** A path as a user reads it: relative to the current directory when under it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file))
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(file)
}

function readiness(r: WorkloadDocument['ready']): ReadinessRule {
  if (r.http !== undefined) return typeof r.http === 'number' ? {kind: 'http', port: r.http, path: '/'} : {kind: 'http', ...r.http}
  if (r.tcp !== undefined) return typeof r.tcp === 'number' ? {kind: 'tcp', port: r.tcp} : {kind: 'tcp', ...r.tcp}
  if (r.log !== undefined) return {kind: 'log', text: r.log}
  if (r.exit) return {kind: 'exit'}
  return {kind: 'marker'}
}

function imageSource(img: NonNullable<WorkloadDocument['image']>, baseDir: string): ImageSource {
  const abs = (p: string) => resolve(baseDir, p)
  if (img.containerfile !== undefined) {
    const file = abs(img.containerfile)
    return {
      containerfile: file,
      context: img.context !== undefined ? abs(img.context) : dirname(file),
      ...(img.buildArgs ? {buildArgs: img.buildArgs} : {}),
      ...(img.target ? {target: img.target} : {}),
    }
  }
  if (img.archive !== undefined) return {archive: abs(img.archive)}
  if (img.ref !== undefined) return {ref: img.ref}
  return {recipe: img.recipe!}
}

function figureDefs(figures: WorkloadDocument['figures'], parser: string | undefined): FigureDef[] {
  if (figures?.length) return figures.map((f) => ({...f, description: f.description ?? ''}))
  return (parser ? findParser(parser)?.defaultFigures : undefined) ?? []
}

/**
 * The parse function for a set of figures: the parser's values by key, each regex's group `value`,
 * nothing for `from:` figures (the metric measures those). A figure without a value stays absent,
 * and parseFigures (src/metrics/instances.ts) fails it with the output; a parser's ParseError fails them all.
 */
export function figureParser(figures: FigureDef[], parser?: string): (output: string) => ParsedFigures {
  const tool = parser ? findParser(parser) : undefined
  if (parser && !tool) throw new Error(`unknown parser ${parser}`)
  const regexes = new Map(figures.filter((f) => f.regex).map((f) => [f.name, new RegExp(f.regex!, 'm')]))
  return (output) => {
    const base = tool ? tool.parse(output) : {}
    const values: ParsedFigures = {}
    for (const f of figures) {
      if (f.key !== undefined) {
        // A parser that read its tool's report but lacks a value the workload needs refuses the run, as its own checks do.
        if (base[f.key] === undefined)
          throw new ParseError(`${parser}: the output has no ${JSON.stringify(f.key)} (it has: ${Object.keys(base).slice(0, 20).join(', ') || 'nothing'})`)
        values[f.name] = base[f.key]!
      }
      const re = regexes.get(f.name)
      if (re) {
        const v = re.exec(output)?.groups?.value
        if (v !== undefined) {
          const n = Number(v.trim())
          if (!Number.isFinite(n)) throw new ParseError(`figure ${f.name}: regex matched "${v.slice(0, 80)}", which is not a number`)
          values[f.name] = n
        }
      }
    }
    return values
  }
}

function hostLoad(load: NonNullable<WorkloadDocument['load']>, figures: FigureDef[]): HostLoad {
  const [tool, ...args] = load.command
  const fill = (a: string, host: string, port: number) => a.replaceAll('{host}', host).replaceAll('{port}', String(port))
  return {
    tool: tool!,
    args: (host, port) => args.map((a) => fill(a, host, port)),
    timeoutMs: load.timeout * 1000,
    parse: figureParser(figures, load.parser),
  }
}

/** A validated document → its profile. */
export function profileFromDocument(doc: WorkloadDocument, opts: ProfileOptions): WorkloadProfile {
  const ready = readiness(doc.ready)
  const readyPort = ready.kind === 'tcp' || ready.kind === 'http' ? ready.port : undefined
  // The first port is the one a load drives: the readiness port first when the list does not say otherwise.
  const ports = doc.ports ?? (readyPort !== undefined ? [readyPort] : undefined)
  const figures = doc.load ? figureDefs(doc.load.figures, doc.load.parser) : figureDefs(doc.figures, doc.parser)
  const imageAt = doc.image ? opts.positionOf?.(['image']) : undefined
  const origin: WorkloadOrigin = {...opts.origin, ...(imageAt ? {imageAt} : {})}
  const profile: WorkloadProfile = {
    name: doc.name,
    version: doc.version,
    description: doc.description,
    argv: doc.command ?? [],
    ...(doc.entrypoint ? {entrypoint: doc.entrypoint} : {}),
    ...(doc.env ? {env: Object.fromEntries(Object.entries(doc.env).map(([k, v]) => [k, String(v)]))} : {}),
    ...(doc.workdir ? {workdir: doc.workdir} : {}),
    ...(doc.user !== undefined ? {user: doc.user} : {}),
    ready,
    ...(ports ? {ports} : {}),
    figures,
    ...(doc.image ? {imageSource: imageSource(doc.image, opts.baseDir)} : {}),
    ...(doc.rootfs ? {rootfs: doc.rootfs} : {}),
    ...(doc.needs ? {needs: doc.needs.map((n) => ({tool: n.tool, aptPackage: n.apt}))} : {}),
    ...(doc.runsOnHost !== undefined ? {runsOnHost: doc.runsOnHost} : {}),
    origin,
  }
  if (doc.load) profile.load = hostLoad(doc.load, figures)
  else if (figures.length > 0) profile.parse = figureParser(figures, doc.parser)
  if (doc.image?.recipe !== undefined) profile.image = doc.image.recipe
  else if (doc.image?.ref !== undefined) profile.image = doc.image.ref
  return profile
}
