/**
 * The output parsers a workload file may name (`parser: wrk`): the only workload code left, because
 * reading a known tool's report well (refusing its error runs, converting its units) is more than a
 * regex. Each turns a tool's output into values by key; a workload's figures pick keys (`key:`), or,
 * when it lists none, get the parser's default figures. A parser throws ParseError when the output is
 * not a clean run of its tool. Adding one is a module in this folder and one entry in OUTPUT_PARSERS.
 */
import type {FigureDef, ParsedFigures} from '../profile.js'
import {ParseError} from '../profile.js'
import {parseFio} from './fio.js'
import {parseRedisBenchmark} from './redis-benchmark.js'
import {parseStressNg} from './stress-ng.js'
import {parseWrk} from './wrk.js'

export interface OutputParser {
  name: string
  description: string
  /** The keys it yields, as a reader sees them (`<job>.iops`, …). */
  keys: string
  parse(output: string): ParsedFigures
  /** Figures a workload gets when it names this parser and declares no figures of its own. */
  defaultFigures?: FigureDef[]
}

export const OUTPUT_PARSERS: readonly OutputParser[] = [
  {
    name: 'wrk',
    description: 'wrk 4.x text report with --latency; refuses runs that never connected, socket errors and non-2xx/3xx responses',
    keys: 'req_per_s, latency_p50_ms, latency_p99_ms',
    parse: (out) => ({...parseWrk(out)}),
    defaultFigures: [
      {name: 'req_per_s', key: 'req_per_s', unit: 'req/s', direction: 'higher', description: 'HTTP requests per second wrk completed'},
      {name: 'latency_p50_ms', key: 'latency_p50_ms', unit: 'ms', direction: 'lower', description: 'median request latency seen by wrk'},
      {name: 'latency_p99_ms', key: 'latency_p99_ms', unit: 'ms', direction: 'lower', description: '99th-percentile request latency seen by wrk'},
    ],
  },
  {
    name: 'redis-benchmark',
    description: 'redis-benchmark --csv (redis-tools 7.x); refuses a run that could not connect or a test with no requests',
    keys: '<TEST>.rps, <TEST>.p50_ms, <TEST>.p99_ms (TEST as redis-benchmark names it, upper case: SET, GET, …)',
    parse: (out) => {
      const values: ParsedFigures = {}
      for (const [test, row] of parseRedisBenchmark(out)) {
        if (!(row.rps > 0)) throw new ParseError(`redis-benchmark: ${test} reported ${row.rps} requests/s`)
        Object.assign(values, {[`${test}.rps`]: row.rps, [`${test}.p50_ms`]: row.p50_ms, [`${test}.p99_ms`]: row.p99_ms})
      }
      return values
    },
  },
  {
    name: 'fio',
    description: 'fio 3.x --output-format=json; refuses a job with an error or without I/O',
    keys: '<job>.iops, <job>.bw_kib_s, <job>.clat_p99_ms (per job, in the direction it did I/O)',
    parse: (out) => {
      const values: ParsedFigures = {}
      for (const [job, f] of parseFio(out)) Object.assign(values, {[`${job}.iops`]: f.iops, [`${job}.bw_kib_s`]: f.bwKiBs, [`${job}.clat_p99_ms`]: f.clatP99Ms})
      return values
    },
  },
  {
    name: 'stress-ng',
    description: 'stress-ng --metrics / --metrics-brief report (stdout and stderr); refuses an "unsuccessful run"',
    keys: '<stressor>.ops_per_s (bogo ops per second of wall time), <stressor>.bogo_ops, and each stressor metric as "<stressor>: <label>"',
    parse: (out) => {
      const report = parseStressNg(out)
      const values: ParsedFigures = {}
      for (const [stressor, row] of report.rows) {
        values[`${stressor}.bogo_ops`] = row.bogoOps
        // Zero ops or zero time is not a measurement: its key stays absent, so the figure fails with the output.
        if (row.opsPerSecReal > 0 && row.realSeconds > 0) values[`${stressor}.ops_per_s`] = row.opsPerSecReal
      }
      for (const [label, value] of report.misc) values[label] = value
      return values
    },
  },
]

export function findParser(name: string): OutputParser | undefined {
  return OUTPUT_PARSERS.find((p) => p.name === name)
}

export function parserNames(): string[] {
  return OUTPUT_PARSERS.map((p) => p.name)
}
