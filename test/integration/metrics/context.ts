/** A MeasureContext on the real process arm, as the runner builds it, for metric integration tests. */
import type {InstanceSpec, WorkloadSpec} from '../../../src/core/arm.js'
import {ProcessArm} from '../../../src/arms/process.js'
import {configSchema} from '../../../src/core/config.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {silentLogger} from '../../../src/core/log.js'
import {specOf} from '../../../src/engine/runner.js'
import type {MeasureContext, Metric} from '../../../src/metrics/metric.js'
import {catalog} from '../../../src/workloads/catalog.js'
import type {WorkloadProfile} from '../../../src/workloads/profile.js'

/** stress-ng's --metrics-brief line for one stressor: bogo ops/s (real time). */
export function stressNgProfile(name: string, args: string[], figures = true): WorkloadProfile {
  return {
    name,
    version: 1,
    description: `test: stress-ng ${args.join(' ')}`,
    argv: ['stress-ng', ...args, ...(figures ? ['--metrics-brief'] : [])],
    ready: {kind: 'marker'},
    figures: figures ? [{name: 'bogo_ops_per_s', unit: 'ops/s', direction: 'higher', description: 'bogo ops/s (real time)'}] : [],
    parse: (out) => {
      const m = /\] \w+\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)/.exec(out)
      if (!m) throw new Error('no stress-ng metrics line')
      return {bogo_ops_per_s: Number(m[1])}
    },
  }
}

export const testProfiles = new Map<string, WorkloadProfile>([
  ['stress-cpu-2s', stressNgProfile('stress-cpu-2s', ['--cpu', '1', '--cpu-method', 'int64', '-t', '2'])],
  ['stress-cpu-4s', stressNgProfile('stress-cpu-4s', ['--cpu', '1', '--cpu-method', 'int64', '-t', '4'])],
  ['stress-cpu-forever', stressNgProfile('stress-cpu-forever', ['--cpu', '1', '--cpu-method', 'int64', '-t', '0'], false)],
])

/** The profile run as it stands on the process arm (host binaries: no image to prepare). */
function spec(profile: WorkloadProfile): WorkloadSpec {
  return specOf(profile)
}

export class ProcessArmHarness {
  readonly cleanup = new CleanupRegistry()
  readonly arm = new ProcessArm({config: configSchema.parse({}), cleanup: this.cleanup, log: silentLogger, runId: 'test'})
  private counter = 0

  context(metric: Metric, workloadName: string, params: Record<string, string | number | boolean> = {}): MeasureContext {
    const profile = testProfiles.get(workloadName) ?? catalog().get(workloadName)!
    const workload = spec(profile)
    return {
      arm: this.arm,
      workload,
      profile,
      params: {...metric.defaults, ...params},
      log: silentLogger,
      warmup: false,
      signal: new AbortController().signal,
      resolveWorkload: (name) => {
        const p = testProfiles.get(name) ?? catalog().get(name)!
        return {workload: spec(p), profile: p}
      },
      instanceSpec: (overrides?: Partial<InstanceSpec>) => ({
        id: `isobench-mt-${++this.counter}`,
        workload,
        limits: {},
        network: 'none',
        readyTimeoutMs: 20_000,
        ...overrides,
      }),
    }
  }

  async close(): Promise<void> {
    await this.arm.cleanup()
    await this.cleanup.runAll()
  }
}

/**
 * PIDs of live instance processes of this test process's process arm whose command line or working
 * directory mentions `needle` (to prove nothing is left behind). An instance's working directory is
 * the arm's scratch dir, `<stateDir>/runs/<run>/process-*`, and the run dir's owner.json names the
 * process that made it: only ours count, not other runs' processes on a shared machine (another
 * checkout's stress-ng, say), which a command line alone cannot tell apart.
 */
export async function livePids(needle: string): Promise<number[]> {
  const {readdirSync, readFileSync, readlinkSync} = await import('node:fs')
  const ours = new Map<string, boolean>()
  const isOurs = (runDir: string): boolean => {
    if (!ours.has(runDir)) {
      try {
        const record = JSON.parse(readFileSync(`${runDir}/owner.json`, 'utf8')) as {owner?: {pid?: number}}
        ours.set(runDir, record.owner?.pid === process.pid)
      } catch {
        ours.set(runDir, false)
      }
    }
    return ours.get(runDir)!
  }
  const out: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ')
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const cwd = readlinkSync(`/proc/${d}/cwd`)
      const runDir = /^(.*\/runs\/[^/]+)\/process-[^/]+/.exec(cwd)?.[1]
      if (runDir && isOurs(runDir) && (cmd.includes(needle) || cwd.includes(needle)) && !/\) Z /.test(stat)) out.push(Number(d))
    } catch {
      // gone
    }
  }
  return out
}
