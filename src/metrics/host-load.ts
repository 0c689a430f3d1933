/**
 * Drive a ready service workload with its host load generator (profile.load) and turn the tool's
 * output into figure drafts. The service is reached at the instance's endpoint (a published or
 * forwarded port on loopback) or, when the arm gives none (process arm, host network), at
 * 127.0.0.1 on the workload's own port. A tool that fails, times out or prints a run the parser
 * refuses gives failed drafts carrying its output, never a number.
 */
import {execa} from 'execa'
import type {Instance} from '../core/arm.js'
import type {WorkloadProfile} from '../workloads/profile.js'
import {failedFigures, parseFigures} from './instances.js'
import type {SampleDraft} from './metric.js'

export function loadTarget(profile: WorkloadProfile, instance: Pick<Instance, 'endpoint'>): {host: string; port: number} {
  const port = profile.ports?.[0]
  if (port === undefined) throw new Error(`workload ${profile.name} has a load but no port`)
  return {host: instance.endpoint?.host ?? '127.0.0.1', port: instance.endpoint?.ports[port] ?? port}
}

export async function runHostLoad(profile: WorkloadProfile, instance: Pick<Instance, 'endpoint'>, signal?: AbortSignal): Promise<SampleDraft[]> {
  const load = profile.load
  if (!load) return []
  const {host, port} = loadTarget(profile, instance)
  const result = await execa(load.tool, load.args(host, port), {reject: false, timeout: load.timeoutMs, cancelSignal: signal, stdin: 'ignore', all: true})
  const output = result.all ?? ''
  const asParsed: WorkloadProfile = {...profile, parse: load.parse}
  if (result.timedOut) return failedFigures(profile, 'timeout', `${load.tool} did not finish within ${load.timeoutMs / 1000} s`, output)
  if (result.isCanceled) return failedFigures(profile, 'interrupted', `${load.tool} was interrupted`, output)
  const drafts = parseFigures(asParsed, output, undefined, result.exitCode ?? undefined)
  return drafts.map((d) => (d.error?.code === 'workload-failed' ? {...d, error: {...d.error, message: `${load.tool} exited with code ${result.exitCode}`}} : d))
}
