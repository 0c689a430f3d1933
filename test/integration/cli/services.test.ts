import {readFileSync, rmSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const out = tempDir()
afterAll(() => rmSync(out, {recursive: true, force: true}))

describe('service workloads driven from the host (real httpd/redis, real wrk/redis-benchmark)', () => {
  it("http and redis give throughput in the process arm and through our container's published port", async () => {
    const r = await isobench(['run', 'scenarios/services.yaml', '--arms', 'process,container', '--reps', '1', '--warmup', '0', '--out', out])
    expect(r.exitCode, r.all).toBe(0)
    const results = JSON.parse(readFileSync(/results: (.*results\.json)/.exec(r.stdout)![1]!, 'utf8')) as Results
    for (const arm of ['process', 'container']) {
      for (const [workload, figure, unit] of [
        ['http', 'req_per_s', 'req/s'],
        ['redis', 'get_ops_per_s', 'ops/s'],
      ]) {
        const s = results.samples.filter((x) => x.arm === arm && x.workload === workload && x.figure === figure)
        expect(s, `${arm} ${workload} ${figure}`).toHaveLength(1)
        expect(s[0]!.error, JSON.stringify(s[0]!.error)).toBeUndefined()
        expect(s[0]!.unit).toBe(unit)
        expect(s[0]!.value!).toBeGreaterThan(100) // hundreds to tens of thousands per second on loopback
      }
    }
  }, 120_000)
})
