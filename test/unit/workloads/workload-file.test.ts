/**
 * The workload file format: docs/workload-file.md's field table is the schema's fields, and every bad
 * input the issue names is exit 2 with file:line, the field and what was expected — unknown keys and
 * parsers, invalid regexes, ports outside 1–65535, a readiness port not listed — in a file, inline in a
 * scenario, and from the one-liner's flags.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {InputFileError, UsageError} from '../../../src/core/errors.js'
import {parseFigures} from '../../../src/metrics/instances.js'
import {parseScenario} from '../../../src/scenario/load.js'
import {figureFlag, oneLinerScenario, readyFlag} from '../../../src/scenario/one-liner.js'
import {resolveScenarioWorkloads} from '../../../src/scenario/workloads.js'
import {catalog} from '../../../src/workloads/catalog.js'
import {parseWorkloadText} from '../../../src/workloads/load.js'
import {OUTPUT_PARSERS} from '../../../src/workloads/parsers/index.js'
import {workloadSchema} from '../../../src/workloads/schema.js'
import {WorkloadTable} from '../../../src/workloads/table.js'
import {documentedFields, schemaFieldPaths} from '../../helpers/schema-fields.js'

const DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'workload-file.md')

function errorOf(fn: () => unknown): InputFileError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError)
    return error as InputFileError
  }
  throw new Error('expected an error')
}
const bad = (text: string) => errorOf(() => parseWorkloadText(text, 'w.yaml')).message

describe('docs/workload-file.md', () => {
  it('documents exactly the fields of the schema', () => {
    // load.figures[] are figures[] (the same schema): the table documents them once.
    const fields = schemaFieldPaths(workloadSchema).filter((f) => !f.startsWith('load.figures[].'))
    expect(documentedFields(DOC).sort()).toEqual(fields.sort())
  })
  it('lists every output parser', () => {
    const text = readFileSync(DOC, 'utf8')
    for (const p of OUTPUT_PARSERS) expect(text).toContain(`| \`${p.name}\` |`)
  })
})

describe('workload files: bad input is file:line, field, expectation', () => {
  it('an unknown field', () => {
    expect(bad('name: w\ncommand: [x]\nimage: {ref: a}\nreadyy: {marker: true}\n')).toBe('w.yaml:4:1: readyy: unknown field; remove it or check its spelling')
  })
  it('an unknown parser names the known ones', () => {
    expect(bad('name: w\ncommand: [x]\nparser: wrk2\nfigures: [{name: a, unit: x, direction: higher, key: a}]\n')).toMatch(
      /^w\.yaml:3:9: parser: unknown parser: expected one of wrk, redis-benchmark, fio, stress-ng, got "wrk2"$/,
    )
  })
  it('a regex that does not compile, and one without a group named value', () => {
    expect(bad("name: w\ncommand: [x]\nfigures:\n  - {name: a, unit: x, direction: higher, regex: 'rate: ([0-9'}\n")).toMatch(
      /^w\.yaml:4:50: figures\[0\]\.regex: not a valid regular expression: /,
    )
    expect(bad("name: w\ncommand: [x]\nfigures:\n  - {name: a, unit: x, direction: higher, regex: 'rate: ([0-9]+)'}\n")).toMatch(
      /^w\.yaml:4:50: figures\[0\]\.regex: expected a named group \(\?<value>…\) around the number/,
    )
  })
  it('ports outside 1–65535, in ports and in a readiness rule', () => {
    expect(bad('name: w\ncommand: [x]\nports: [0]\n')).toMatch(/^w\.yaml:3:9: ports\[0\]: Too small: expected number to be >=1, got 0$/)
    expect(bad('name: w\ncommand: [x]\nready: {http: {port: 70000}}\n')).toMatch(
      /^w\.yaml:3:22: ready\.http\.port: Too big: expected number to be <=65535, got 70000$/,
    )
    expect(bad('name: w\ncommand: [x]\nports: [80]\nready: {tcp: 81}\n')).toMatch(/^w\.yaml:4:8: ready: the readiness port 81 is not in ports \(80\)$/)
  })
  it('one image source, one readiness rule, one figure source', () => {
    expect(bad('name: w\nimage: {ref: a, recipe: b}\n')).toMatch(/^w\.yaml:2:8: image: expected exactly one of containerfile: PATH, .*got ref and recipe$/)
    expect(bad('name: w\nready: {marker: true, exit: true}\n')).toMatch(/^w\.yaml:2:8: ready: expected exactly one rule: .*got marker and exit$/)
    expect(bad("name: w\nfigures: [{name: a, unit: x, direction: higher, regex: '(?<value>1)', from: exit-time}]\n")).toMatch(
      /^w\.yaml:2:\d+: figures\[0\]\.from: expected exactly one of regex .*got regex and from$/,
    )
    expect(bad('name: w\nfigures: [{name: a, unit: x, direction: higher, key: a}]\n')).toMatch(
      /figures\[0\]\.key: a key names a value of the parser: give parser too$/,
    )
  })
  it('a load needs figures and a port', () => {
    expect(bad('name: w\nload: {command: [wrk]}\n')).toMatch(/^w\.yaml:2:7: load\.figures: a load needs figures/)
    expect(bad('name: w\nload: {command: [wrk], parser: wrk}\n')).toMatch(/load: a load needs a port to drive/)
  })
  it('inline in a scenario, the error points into the scenario', () => {
    const text = 'name: s\nmetrics:\n  - metric: startup\n    workload:\n      name: x\n      command: [x]\n      ports: [99999]\n'
    const e = errorOf(() => resolveScenarioWorkloads(parseScenario(text, 's.yaml'), new WorkloadTable()))
    expect(e.message).toBe('s.yaml:7:15: metrics[0].workload.ports[0]: Too big: expected number to be <=65535, got 99999')
  })
  it('a workload file a scenario names that does not exist, and a name taken by a built-in', () => {
    const missing = errorOf(() =>
      resolveScenarioWorkloads(parseScenario('name: s\nmetrics:\n  - metric: startup\n    workload: ./nope.yaml\n', '/tmp/s.yaml'), new WorkloadTable()),
    )
    expect(missing.message).toBe('/tmp/s.yaml:4:15: metrics[0].workload: workload file ./nope.yaml not found (looked for /tmp/nope.yaml)')
    const taken = errorOf(() =>
      resolveScenarioWorkloads(
        parseScenario('name: s\nmetrics:\n  - metric: startup\n    workload: {name: cpu, command: [x]}\n', 's.yaml'),
        new WorkloadTable(),
      ),
    )
    expect(taken.message).toMatch(/^s\.yaml:4:\d+: metrics\[0\]\.workload\.name: workload name "cpu" is already taken by scenarios\/workloads\/cpu\.yaml/)
  })
})

describe('workload files: what they become', () => {
  it('readiness rules, ports and relative paths', () => {
    const p = parseWorkloadText(
      'name: w\nimage: {containerfile: web/Containerfile}\nready: {http: {port: 8080, path: /health, status: 200}}\n',
      '/srv/app/w.yaml',
    )
    expect(p.ready).toEqual({kind: 'http', port: 8080, path: '/health', status: 200})
    expect(p.ports).toEqual([8080])
    expect(p.imageSource).toEqual({containerfile: '/srv/app/web/Containerfile', context: '/srv/app/web'})
    expect(p.origin).toMatchObject({kind: 'file', file: '/srv/app/w.yaml', imageAt: {line: 2, col: 8}})
    expect(parseWorkloadText('name: w\nready: {tcp: 5432}\n', 'w.yaml').ready).toEqual({kind: 'tcp', port: 5432})
    expect(parseWorkloadText('name: w\nready: {log: listening on}\n', 'w.yaml').ready).toEqual({kind: 'log', text: 'listening on'})
    expect(parseWorkloadText('name: w\nready: {exit: true}\n', 'w.yaml').ready).toEqual({kind: 'exit'})
  })
  it('regex figures: the named group value; no match fails that figure with the output; exit-time from the host clock', () => {
    const p = parseWorkloadText(
      "name: w\ncommand: [x]\nfigures:\n  - {name: rate, unit: MB/s, direction: higher, regex: 'rate: (?<value>[0-9.]+) MB/s'}\n  - {name: t, unit: ms, direction: lower, from: exit-time}\n",
      'w.yaml',
    )
    const ok = parseFigures(p, 'start\nrate: 12.5 MB/s\n', undefined, 0, {readyAt: 100, exitAt: 350})
    expect(ok.map((d) => [d.figure, d.value])).toEqual([
      ['rate', 12.5],
      ['t', 250],
    ])
    const miss = parseFigures(p, 'no rate here\n', undefined, 0, {readyAt: 1, exitAt: 2})
    expect(miss[0]).toMatchObject({figure: 'rate', value: null, error: {code: 'parse-error', lastOutput: 'no rate here\n'}})
    expect(miss[0]!.error!.message).toMatch(/regex "rate: .* did not match the output of workload w/)
    expect(parseFigures(p, 'rate: 3 MB/s\n', undefined, 2).every((d) => d.value === null && d.error?.code === 'workload-failed')).toBe(true)
  })
  it('a parser with no figures of the workload gives its defaults (wrk)', () => {
    const p = parseWorkloadText('name: w\nports: [80]\nload: {command: [wrk, "http://{host}:{port}/"], parser: wrk}\n', 'w.yaml')
    expect(p.figures.map((f) => f.name)).toEqual(['req_per_s', 'latency_p50_ms', 'latency_p99_ms'])
    expect(p.load!.args('127.0.0.1', 4321)).toEqual(['http://127.0.0.1:4321/'])
  })
  it('the built-in catalog is these files', () => {
    for (const p of catalog().values()) expect(p.origin).toMatchObject({kind: 'built-in', label: `scenarios/workloads/${p.name}.yaml`})
    expect([...catalog().keys()]).toEqual(expect.arrayContaining(['idle', 'true', 'cpu', 'memory', 'randaccess', 'http', 'redis', 'disk', 'aggressor-io']))
  })
})

describe('the one-liner (run --image … -- CMD)', () => {
  it('turns flags into an inline workload validated like a file', () => {
    const loaded = oneLinerScenario({
      image: 'docker.io/library/debian:bookworm',
      command: ['bash', '-c', 'echo x'],
      ready: 'http:8080/health',
      figures: ['rate: (?<value>[0-9]+) MB/s'],
    })
    const table = new WorkloadTable()
    const resolved = resolveScenarioWorkloads(loaded, table)
    expect(resolved.scenario.metrics.map((m) => [m.metric, m.workload])).toEqual([
      ['startup', 'debian-bookworm'],
      ['memory', 'debian-bookworm'],
      ['cpu', 'debian-bookworm'],
    ])
    const p = table.get('debian-bookworm')!
    expect(p.origin).toMatchObject({kind: 'command line', label: 'isobench run --image'})
    expect(p.ready).toEqual({kind: 'http', port: 8080, path: '/health', status: 200})
    expect(p.figures[0]).toMatchObject({name: 'figure', unit: 'MB/s', direction: 'higher'})
  })
  it('takes the next free name when the image is named like a built-in workload (isobench/idle is not the idle workload)', () => {
    const table = new WorkloadTable()
    const resolved = resolveScenarioWorkloads(oneLinerScenario({image: 'isobench/idle', command: ['sh', '-c', 'echo hi']}), table)
    expect(resolved.scenario.metrics.map((m) => m.workload)).toEqual(['idle-2', 'idle-2', 'idle-2'])
    expect(table.get('idle')!.origin).toMatchObject({kind: 'built-in'})
    expect(table.get('idle-2')!.origin).toMatchObject({kind: 'command line'})
  })
  it('reads units and names from --figure, and refuses bad flags with exit 2', () => {
    expect(figureFlag('latency=took (?<value>[0-9.]+) ms', 0)).toMatchObject({name: 'latency', unit: 'ms', direction: 'lower'})
    expect(figureFlag('(?<value>\\d+)', 1)).toMatchObject({name: 'figure2', unit: 'value', direction: 'higher'})
    expect(readyFlag('tcp:5432')).toEqual({tcp: 5432})
    expect(() => readyFlag('http:0')).toThrow(UsageError)
    expect(() => readyFlag('soon')).toThrow(/--ready "soon": expected marker, exit, log:TEXT, tcp:PORT or http:PORT\[\/PATH\]/)
    expect(() => oneLinerScenario({image: 'x', command: ['y'], figures: ['rate ([0-9]+)']})).toThrow(/^--figure "rate \(\[0-9\]\+\)": expected a named group/)
    expect(() => oneLinerScenario({image: 'x', command: []})).toThrow(/needs the command to measure after --/)
  })
})
