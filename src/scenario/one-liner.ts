/**
 * The hyperfine-style one-liner: `isobench run --image REF [--ready RULE] [--figure REGEX]… -- CMD ARGS…`
 * becomes a scenario (startup, memory and cpu on every available arm) with one inline workload,
 * validated by the same workload schema as a file, so a bad flag is exit 2 naming the flag.
 *
 *   --ready   marker | exit | log:TEXT | tcp:PORT | http:PORT[/PATH]   (http: answered with status 200)
 *   --figure  REGEX with a named group `value`, or NAME=REGEX. The unit is the literal text right after
 *             the group (`(?<value>[0-9.]+) MB/s` → MB/s), else "value"; lower is better for time units.
 */
import {UsageError} from '../core/errors.js'
import {describeZodIssue, primaryIssue} from '../config/zod-errors.js'
import {workloadSchema} from '../workloads/schema.js'
import type {LoadedScenario} from './load.js'
import {scenarioSchema} from './schema.js'

export interface OneLinerOptions {
  image: string
  command: string[]
  ready?: string
  figures?: string[]
}

const TIME_UNITS = new Set(['ns', 'us', 'µs', 'ms', 's', 'sec', 'seconds', 'min'])

/** `--ready` text → the workload file's ready mapping. */
export function readyFlag(text: string): Record<string, unknown> {
  if (text === 'marker' || text === 'exit') return {[text]: true}
  const m = /^(log|tcp|http):(.+)$/.exec(text)
  if (!m) throw new UsageError(`--ready ${JSON.stringify(text)}: expected marker, exit, log:TEXT, tcp:PORT or http:PORT[/PATH]`, 'bad-flag')
  const [, kind, rest] = m
  if (kind === 'log') return {log: rest}
  const pm = /^(\d{1,5})(\/.*)?$/.exec(rest!)
  if (!pm || Number(pm[1]) < 1 || Number(pm[1]) > 65_535)
    throw new UsageError(`--ready ${JSON.stringify(text)}: expected a port 1-65535${kind === 'http' ? ', then an optional /path' : ''}`, 'bad-flag')
  const port = Number(pm[1])
  if (kind === 'tcp') {
    if (pm[2]) throw new UsageError(`--ready ${JSON.stringify(text)}: tcp takes a port only`, 'bad-flag')
    return {tcp: port}
  }
  return {http: {port, path: pm[2] ?? '/', status: 200}}
}

/** `--figure` text → a figure of the workload file. */
export function figureFlag(text: string, index: number): Record<string, unknown> {
  const named = /^([a-z][a-z0-9_]{0,63})=(.+)$/s.exec(text)
  const regex = named ? named[2]! : text
  const name = named ? named[1]! : index === 0 ? 'figure' : `figure${index + 1}`
  const after = /\(\?<value>(?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)\s*([A-Za-zµ/%][A-Za-zµ/%0-9]*)/.exec(regex)?.[1]
  const unit = after ?? 'value'
  return {name, unit, direction: TIME_UNITS.has(unit) ? 'lower' : 'higher', regex, description: `--figure ${text}`}
}

/** A workload name from an image reference: `docker.io/library/debian:bookworm` → `debian-bookworm`. */
export function nameFromImage(image: string): string {
  const base = image
    .split('@')[0]!
    .split('/')
    .pop()!
    .replace(/:latest$/, '')
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64)
  return name || 'workload'
}

export function oneLinerScenario(o: OneLinerOptions): LoadedScenario {
  if (o.command.length === 0) throw new UsageError('--image needs the command to measure after --: isobench run --image REF -- CMD ARGS…', 'bad-flag')
  const doc: Record<string, unknown> = {
    name: nameFromImage(o.image),
    description: `${o.command.join(' ')} in ${o.image} (isobench run --image)`,
    image: {ref: o.image},
    command: o.command,
    ready: o.ready ? readyFlag(o.ready) : {marker: true},
    ...(o.figures?.length ? {figures: o.figures.map(figureFlag)} : {}),
  }
  const parsed = workloadSchema.safeParse(doc)
  if (!parsed.success) {
    const issue = primaryIssue(parsed.error.issues)
    const {field, expected} = describeZodIssue(issue)
    const flag = field.startsWith('figures')
      ? `--figure ${JSON.stringify(o.figures?.[Number(/\[(\d+)\]/.exec(field)?.[1] ?? 0)] ?? '')}`
      : field.startsWith('ready')
        ? `--ready ${o.ready}`
        : field
    throw new UsageError(`${flag}: ${expected}`, 'bad-flag')
  }
  const scenario = scenarioSchema.parse({
    name: `${doc.name as string} (isobench run --image)`,
    description: `startup, memory and cpu of \`${o.command.join(' ')}\` in ${o.image}, on every available arm`,
    metrics: ['startup', 'memory', 'cpu'].map((metric) => ({metric, workload: doc})),
  })
  return {file: 'isobench run --image', scenario, positionOf: () => undefined, fromCommandLine: true}
}
