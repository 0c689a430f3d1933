/**
 * Services measured from the host: the workload listens on a port inside the instance and a host
 * load generator (wrk, redis-benchmark) drives it through the arm's network — loopback for the
 * process arm, a published port on the isobench0 bridge for our container arm, a hostfwd port for
 * the VM. What they compare is the network path plus the service under the same load. Ports are
 * unusual ones (18080, 16379) so the process arm does not collide with a host's own httpd or redis
 * (Debian's redis-server package starts one on 6379).
 *
 * `disk` (fio) is in storage.ts.
 */
import type {WorkloadProfile, WorkloadSource} from '../profile.js'
import {parseRedisBenchmark, redisTest} from '../parsers/redis-benchmark.js'
import {parseWrk} from '../parsers/wrk.js'

export const WRK = '/usr/bin/wrk'
export const REDIS_SERVER = '/usr/bin/redis-server'
export const REDIS_BENCHMARK = '/usr/bin/redis-benchmark'
export const HTTP_PORT = 18080
export const REDIS_PORT = 16379

const serviceProfiles: WorkloadProfile[] = [
  {
    name: 'http',
    version: 1,
    description: "busybox httpd serving a 1 KiB file; host wrk, 1 thread, 8 connections, 3 s: requests/s and latency through the arm's network",
    // The init exports ISOBENCH_DIR, the directory it lives in (the same small file set in every arm).
    argv: ['/bin/busybox', 'sh', '-c', `exec /bin/busybox httpd -f -p ${HTTP_PORT} -h "$ISOBENCH_DIR"`],
    // An HTTP answer, not a connect: a port proxy accepts before httpd listens.
    ready: {kind: 'http', port: HTTP_PORT, path: '/init'},
    ports: [HTTP_PORT],
    figures: [
      {
        name: 'req_per_s',
        unit: 'req/s',
        direction: 'higher',
        description: 'HTTP requests per second wrk completed (GET of the 1 KiB init script, new connection each: busybox httpd closes)',
      },
      {name: 'latency_p50_ms', unit: 'ms', direction: 'lower', description: 'median request latency seen by wrk'},
      {name: 'latency_p99_ms', unit: 'ms', direction: 'lower', description: '99th-percentile request latency seen by wrk'},
    ],
    load: {
      tool: WRK,
      args: (host, port) => ['-t1', '-c8', '-d3s', '--latency', `http://${host}:${port}/init`],
      timeoutMs: 30_000,
      parse: (out) => ({...parseWrk(out)}),
    },
    needs: [{tool: WRK, aptPackage: 'wrk'}],
    image: 'http',
  },
  {
    name: 'redis',
    version: 1,
    description: 'redis-server (no persistence); host redis-benchmark SET and GET, 20000 requests each, 8 clients: operations/s',
    argv: [REDIS_SERVER, '--port', String(REDIS_PORT), '--bind', '0.0.0.0', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
    // PING answered by redis itself, not a connect a port proxy would accept before redis listens.
    ready: {kind: 'tcp', port: REDIS_PORT, send: 'PING\r\n', expect: '+PONG'},
    ports: [REDIS_PORT],
    figures: [
      {name: 'set_ops_per_s', unit: 'ops/s', direction: 'higher', description: 'SET requests per second (redis-benchmark, 8 clients, no pipelining)'},
      {name: 'get_ops_per_s', unit: 'ops/s', direction: 'higher', description: 'GET requests per second (redis-benchmark, 8 clients, no pipelining)'},
      {name: 'get_p99_ms', unit: 'ms', direction: 'lower', description: '99th-percentile GET latency seen by redis-benchmark'},
    ],
    load: {
      tool: REDIS_BENCHMARK,
      args: (host, port) => ['-h', host, '-p', String(port), '-t', 'set,get', '-n', '20000', '-c', '8', '--csv'],
      timeoutMs: 60_000,
      parse: (out) => {
        const rows = parseRedisBenchmark(out)
        const [set, get] = [redisTest(rows, 'SET'), redisTest(rows, 'GET')]
        return {set_ops_per_s: set.rps, get_ops_per_s: get.rps, get_p99_ms: get.p99_ms}
      },
    },
    needs: [
      {tool: REDIS_SERVER, aptPackage: 'redis-server'},
      {tool: REDIS_BENCHMARK, aptPackage: 'redis-tools'},
    ],
    image: 'redis',
  },
]

export const servicesSource: WorkloadSource = {
  name: 'services',
  description: 'services driven from the host by a load generator (wrk, redis-benchmark)',
  profiles: serviceProfiles,
  recipes: [
    {name: 'http', binaries: [], busyboxApplets: 'all', cmd: ['/bin/busybox', 'httpd', '-f', '-p', String(HTTP_PORT)]},
    // redis-server is a symlink to redis-check-rdb on Debian: the recipe copies the real file to the
    // link's path, and redis picks its mode from argv[0], which stays redis-server.
    {name: 'redis', binaries: [REDIS_SERVER], busyboxApplets: 'all', cmd: [REDIS_SERVER]},
  ],
}
