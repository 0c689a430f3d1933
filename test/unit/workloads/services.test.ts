import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {catalog} from '../../../src/workloads/catalog.js'
import {loadTarget} from '../../../src/metrics/host-load.js'
import {parseFigures} from '../../../src/metrics/instances.js'
import {ParseError} from '../../../src/workloads/profile.js'
import {parseRedisBenchmark, redisTest} from '../../../src/workloads/parsers/redis-benchmark.js'
import {parseWrk} from '../../../src/workloads/parsers/wrk.js'

const fixture = (tool: string, name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/workloads', tool, name), 'utf8')

describe('wrk parser (wrk 4.1 output recorded against busybox httpd)', () => {
  it('reads requests/s and the 50th/99th latency percentiles in ms', () => {
    expect(parseWrk(fixture('wrk', 'ok.txt'))).toEqual({req_per_s: 2604.44, latency_p50_ms: 2.47, latency_p99_ms: 6.4})
  })
  it('refuses a run where every response was a 404 (wrk still exits 0 and prints a rate)', () => {
    expect(() => parseWrk(fixture('wrk', '404.txt'))).toThrow(/not 2xx\/3xx/)
  })
  it('refuses a run that never connected', () => {
    expect(() => parseWrk(fixture('wrk', 'refused.txt'))).toThrow(ParseError)
    expect(() => parseWrk(fixture('wrk', 'refused.txt'))).toThrow(/could not connect to 127.0.0.1:1/)
  })
  it('converts us and s latencies to ms', () => {
    const out = fixture('wrk', 'ok.txt').replace('50%    2.47ms', '50%  870.00us').replace('99%    6.40ms', '99%    1.20s')
    expect(parseWrk(out)).toMatchObject({latency_p50_ms: 0.87, latency_p99_ms: 1200})
  })
  it('refuses socket errors', () => {
    const out = fixture('wrk', 'ok.txt').replace('Requests/sec', '  Socket errors: connect 0, read 3, write 0, timeout 0\nRequests/sec')
    expect(() => parseWrk(out)).toThrow(/socket errors/)
  })
})

describe('redis-benchmark parser (redis-tools 7.0 --csv)', () => {
  it('reads SET and GET rows', () => {
    const rows = parseRedisBenchmark(fixture('redis-benchmark', 'ok.txt'))
    expect(redisTest(rows, 'SET')).toEqual({rps: 29154.52, p50_ms: 0.167, p99_ms: 0.431})
    expect(redisTest(rows, 'GET').rps).toBe(27434.84)
  })
  it('refuses a run that could not connect', () => {
    expect(() => parseRedisBenchmark(fixture('redis-benchmark', 'refused.txt'))).toThrow(/could not connect to 127.0.0.1:1/)
  })
  it('refuses output without the CSV header or a requested test', () => {
    expect(() => parseRedisBenchmark('SET: 1000 requests per second')).toThrow(/no CSV header/)
    const setOnly = fixture('redis-benchmark', 'ok.txt').split('\n').slice(0, 2).join('\n')
    expect(() => redisTest(parseRedisBenchmark(setOnly), 'GET')).toThrow(/no GET row/)
  })
})

describe('service profiles', () => {
  it('http and redis have a host load, a port and figures their parser yields', () => {
    for (const [name, out] of [
      ['http', fixture('wrk', 'ok.txt')],
      ['redis', fixture('redis-benchmark', 'ok.txt')],
    ] as const) {
      const p = catalog().get(name)!
      expect(p.ports?.length).toBe(1)
      expect(p.load).toBeDefined()
      const drafts = parseFigures({...p, parse: p.load!.parse}, out, undefined, 0)
      expect(drafts.map((d) => d.figure)).toEqual(p.figures.map((f) => f.name))
      expect(drafts.every((d) => typeof d.value === 'number' && d.value > 0)).toBe(true)
    }
  })
  it('a load tool that exits non-zero gives failed samples, not numbers', () => {
    const p = catalog().get('redis')!
    const drafts = parseFigures({...p, parse: p.load!.parse}, fixture('redis-benchmark', 'ok.txt'), undefined, 1)
    expect(drafts.every((d) => d.value === null && d.error?.code === 'workload-failed')).toBe(true)
  })
  it('targets the published port when the arm gives an endpoint, else loopback and the workload port', () => {
    const p = catalog().get('http')!
    expect(loadTarget(p, {})).toEqual({host: '127.0.0.1', port: 18080})
    expect(loadTarget(p, {endpoint: {host: '127.0.0.1', ports: {18080: 40123}}})).toEqual({host: '127.0.0.1', port: 40123})
  })
})
