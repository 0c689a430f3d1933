/**
 * Parser for wrk's text report (wrk 4.x with --latency): requests per second and the latency
 * percentiles. wrk exits 0 even when it never connected or every response was an error, so the
 * parser is what refuses those runs.
 */
import {ParseError} from '../profile.js'

export interface WrkFigures {
  req_per_s: number
  latency_p50_ms: number
  latency_p99_ms: number
}

const UNIT_MS: Record<string, number> = {us: 0.001, ms: 1, s: 1000, m: 60_000}

function durationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text)
  if (!m) throw new ParseError(`wrk: unreadable duration "${text}"`)
  return Number(m[1]) * UNIT_MS[m[2]]
}

function percentile(output: string, p: string): number {
  const m = new RegExp(`^\\s+${p}%\\s+(\\S+)\\s*$`, 'm').exec(output)
  if (!m) throw new ParseError(`wrk: no ${p}% latency line (was wrk run with --latency?)`)
  return durationMs(m[1])
}

export function parseWrk(output: string): WrkFigures {
  const refused = /unable to connect to (\S+)\s*(.*)/.exec(output)
  if (refused) throw new ParseError(`wrk could not connect to ${refused[1]}: ${refused[2].trim()}`)
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output)
  if (!rps) throw new ParseError('wrk: no "Requests/sec:" line')
  const non2xx = /^\s*Non-2xx or 3xx responses:\s+(\d+)/m.exec(output)
  if (non2xx) throw new ParseError(`wrk: ${non2xx[1]} responses were not 2xx/3xx; the figure would measure errors`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  if (socket && socket.slice(1).some((n) => Number(n) > 0)) {
    throw new ParseError(`wrk: socket errors (connect ${socket[1]}, read ${socket[2]}, write ${socket[3]}, timeout ${socket[4]})`)
  }
  const requests = /^\s+(\d+) requests in/m.exec(output)
  if (requests && Number(requests[1]) === 0) throw new ParseError('wrk: 0 requests completed')
  return {req_per_s: Number(rps[1]), latency_p50_ms: percentile(output, '50'), latency_p99_ms: percentile(output, '99')}
}
