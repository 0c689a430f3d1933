/**
 * Workloads driven by stress-ng inside the instance (cpu, memory, randaccess) and the aggressors
 * the interference metric co-locates with a victim. All run from one image, `stress`: the host's
 * stress-ng with its library closure plus busybox, so every arm runs the same binary.
 *
 * Durations are fixed in the profile (the `version` changes if they do): long enough for the cpu
 * metric's settle + window (0.3 s + 2 s) to fall inside the run, and — for `memory` — for stress-ng's
 * stream stressor to report a memory rate at all (it refuses below about 5 s).
 */
import type {WorkloadProfile, WorkloadSource} from '../profile.js'
import {stressorMetric, stressorOpsPerSecond} from '../parsers/stress-ng.js'

export const STRESS_NG = '/usr/bin/stress-ng'
const needs = [{tool: STRESS_NG, aptPackage: 'stress-ng'}]
/** Options every stress-ng run shares: scratch files in /tmp, reproducible random seed. */
const common = ['--temp-path', '/tmp', '--no-rand-seed']

function stressNg(args: string[]): string[] {
  return [STRESS_NG, ...args, ...common]
}

const stressProfiles: WorkloadProfile[] = [
  {
    name: 'cpu',
    version: 1,
    description: 'stress-ng --cpu 1 --cpu-method matrixprod for 4 s: CPU-bound throughput of one worker',
    argv: stressNg(['--cpu', '1', '--cpu-method', 'matrixprod', '--timeout', '4', '--metrics-brief']),
    ready: {kind: 'marker'},
    figures: [{name: 'ops_per_s', unit: 'bogo-ops/s', direction: 'higher', description: 'matrixprod bogo operations per second of wall time'}],
    parse: (out) => ({ops_per_s: stressorOpsPerSecond(out, 'cpu')}),
    needs,
    image: 'stress',
  },
  {
    name: 'memory',
    version: 1,
    description: 'stress-ng --stream 1 (STREAM-like copy/scale/add/triad, 4 MiB cache assumed) for 6 s: memory bandwidth',
    argv: stressNg(['--stream', '1', '--stream-l3-size', '4M', '--timeout', '6', '--metrics']),
    ready: {kind: 'marker'},
    figures: [
      {
        name: 'read_mb_s',
        unit: 'MB/s',
        direction: 'higher',
        description: 'memory read rate over the STREAM kernels (stress-ng reports read and write, not each kernel)',
      },
      {name: 'write_mb_s', unit: 'MB/s', direction: 'higher', description: 'memory write rate over the STREAM kernels'},
    ],
    parse: (out) => ({
      read_mb_s: stressorMetric(out, 'stream', 'memory read rate (MB per sec)'),
      write_mb_s: stressorMetric(out, 'stream', 'memory write rate (MB per sec)'),
    }),
    needs,
    image: 'stress',
  },
  {
    name: 'randaccess',
    version: 1,
    description: 'stress-ng --vm 1 --vm-method rand-sum on a kept 64 MiB mapping for 4 s: random memory access (GUPS-like)',
    argv: stressNg(['--vm', '1', '--vm-bytes', '64M', '--vm-keep', '--vm-method', 'rand-sum', '--timeout', '4', '--metrics-brief']),
    ready: {kind: 'marker'},
    figures: [{name: 'ops_per_s', unit: 'bogo-ops/s', direction: 'higher', description: 'rand-sum passes over the mapping per second of wall time'}],
    parse: (out) => ({ops_per_s: stressorOpsPerSecond(out, 'vm')}),
    needs,
    image: 'stress',
  },
  ...aggressors(),
]

/** Aggressors: one stress-ng worker of a class, running until stopped. Intensity = how many instances. */
function aggressors(): WorkloadProfile[] {
  const classes: Array<[string, string, string[]]> = [
    ['cpu', 'CPU: one matrix-product worker', ['--cpu', '1', '--cpu-method', 'matrixprod']],
    ['cache', 'CPU cache: one cache-thrashing worker', ['--cache', '1']],
    ['vm', 'memory: one worker writing a 128 MiB mapping', ['--vm', '1', '--vm-bytes', '128M']],
    ['io', 'disk: one worker writing and reading 64 MiB files in the instance /tmp (rootfs on disk in every arm)', ['--hdd', '1', '--hdd-bytes', '64M']],
    ['fork', 'process creation: one fork/exit worker', ['--fork', '1']],
    ['network', "network: one TCP socket worker over the instance's own loopback", ['--sock', '1']],
  ]
  return classes.map(([cls, what, args]) => ({
    name: `aggressor-${cls}`,
    version: 1,
    description: `aggressor for interference: ${what} (stress-ng, runs until stopped)`,
    argv: stressNg([...args, '--timeout', '0', '--quiet']),
    ready: {kind: 'marker'},
    figures: [],
    needs,
    image: 'stress',
    // The io aggressor's files must hit a disk: its rootfs is on disk in every arm (rootfsMedium).
    ...(cls === 'io' ? {rootfs: 'block' as const} : {}),
  }))
}

export const stressSource: WorkloadSource = {
  name: 'stress',
  description: 'stress-ng inside the instance: CPU, memory bandwidth, random access, and the interference aggressors',
  profiles: stressProfiles,
  recipes: [{name: 'stress', binaries: [STRESS_NG], busyboxApplets: 'all', cmd: [STRESS_NG, '--help']}],
}
