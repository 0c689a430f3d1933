/**
 * Parser for `redis-benchmark --csv` (redis-tools 7.x): one row per test with requests per second
 * and latency percentiles in ms. redis-benchmark prints "Could not connect" and exits non-zero
 * when the server is not there; the parser also refuses output without the tests it was asked for.
 */
import {ParseError} from '../profile.js'

export interface RedisBenchmarkRow {
  rps: number
  p50_ms: number
  p99_ms: number
}

function unquote(cell: string): string {
  return cell.trim().replace(/^"(.*)"$/, '$1')
}

/** Rows by test name (upper case, e.g. SET, GET). */
export function parseRedisBenchmark(output: string): Map<string, RedisBenchmarkRow> {
  const failed = /Could not connect to Redis at (\S+): (.*)/.exec(output)
  if (failed) throw new ParseError(`redis-benchmark could not connect to ${failed[1]} ${failed[2].trim()}`.trim())
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('"'))
  const headerAt = lines.findIndex((l) => unquote(l.split(',')[0]) === 'test')
  if (headerAt < 0) throw new ParseError('redis-benchmark: no CSV header (was it run with --csv?)')
  const header = lines[headerAt].split(',').map(unquote)
  const col = (name: string) => {
    const i = header.indexOf(name)
    if (i < 0) throw new ParseError(`redis-benchmark: CSV has no column "${name}"`)
    return i
  }
  const [iRps, iP50, iP99] = [col('rps'), col('p50_latency_ms'), col('p99_latency_ms')]
  const rows = new Map<string, RedisBenchmarkRow>()
  for (const line of lines.slice(headerAt + 1)) {
    const cells = line.split(',').map(unquote)
    const row = {rps: Number(cells[iRps]), p50_ms: Number(cells[iP50]), p99_ms: Number(cells[iP99])}
    if (!Object.values(row).every(Number.isFinite)) throw new ParseError(`redis-benchmark: unreadable row ${line}`)
    rows.set(cells[0].toUpperCase(), row)
  }
  return rows
}

export function redisTest(rows: Map<string, RedisBenchmarkRow>, test: string): RedisBenchmarkRow {
  const row = rows.get(test)
  if (!row) throw new ParseError(`redis-benchmark: no ${test} row`)
  if (row.rps <= 0) throw new ParseError(`redis-benchmark: ${test} reported ${row.rps} requests/s`)
  return row
}
