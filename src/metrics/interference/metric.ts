/**
 * interference: a victim workload (the cell's workload; it must finish and report figures, or be a
 * service whose host load reports them) run
 * solo and then co-located with `intensity` aggressor instances of another workload in the same
 * arm. Each repetition yields the victim's figures twice, with params placement=solo|colocated;
 * analysis turns the pair into "victim degradation % vs solo" with a 95% CI.
 *
 * Params: aggressor (a catalog workload), intensity (aggressor instances, default 1),
 * isolation: 'none' (no CPU limit), 'shares' (the scenario's CPU quota on every instance) or
 * 'cpuset' (victim pinned to victimCpus, aggressors to aggressorCpus), timeoutMs.
 */
import {z} from 'zod'
import {boundedNumber} from '../../core/bounds.js'
import {hostCpusetSchema} from '../../host/cpus.js'
import type {Instance, InstanceSpec, Limits} from '../../core/arm.js'
import type {MeasureContext, Metric, SampleDraft} from '../metric.js'
import {runToCompletion, startReady, stopAll} from '../instances.js'
import {failedDraft, withReadyInstance} from '../with-instance.js'
import {runHostLoad} from '../host-load.js'
import {interferenceCharts} from './report.js'

export const interference: Metric = {
  name: 'interference',
  title: 'Interference',
  note: 'A victim workload next to an aggressor (stress-ng) versus alone: degradation in %, per arm.',
  defaults: {aggressor: 'idle', intensity: 1, isolation: 'shares', victimCpus: '0', aggressorCpus: '1', timeoutMs: 120_000},
  paramNotes: {
    aggressor: 'the workload co-located with the victim (`isobench workloads`: aggressor-cpu, aggressor-cache, …)',
    intensity: 'aggressor instances next to the victim',
    isolation: "none: no CPU limit; shares: the scenario's CPU quota on every instance; cpuset: victim and aggressors pinned to victimCpus and aggressorCpus",
    victimCpus: 'host CPUs of the victim under isolation cpuset',
    aggressorCpus: 'host CPUs of the aggressors under isolation cpuset',
    timeoutMs: 'deadline for each victim run to finish and report its figures, ms',
  },
  figures: {own: [], fromWorkload: true},
  headline: {figures: []},
  workloadParams: ['aggressor'],
  withinArm: {param: 'placement', value: 'colocated', against: 'solo'},
  charts: interferenceCharts,
  // aggressor: a catalog workload (checked by the engine against the catalog); the CPU lists against the host's CPUs.
  paramSchema: {
    aggressor: z.string().min(1),
    intensity: boundedNumber('aggressors'),
    isolation: z.enum(['none', 'shares', 'cpuset']),
    victimCpus: hostCpusetSchema,
    aggressorCpus: hostCpusetSchema,
    timeoutMs: boundedNumber('timeoutMs'),
  },
  async measure(ctx): Promise<SampleDraft[]> {
    const figures = ctx.profile.figures.map((f) => ({figure: f.name, unit: f.unit, direction: f.direction}))
    const failBoth = (error: unknown) => ['solo', 'colocated'].flatMap((placement) => figures.map((t) => failedDraft(error, {...t, params: {placement}})))
    if (figures.length === 0 || !(ctx.profile.parse || ctx.profile.load)) {
      const e = Object.assign(
        new Error(`interference: victim workload ${ctx.workload.name} reports no figures; use a workload that finishes and reports throughput or latency`),
        {code: 'invalid-params'},
      )
      return [failedDraft(e, {figure: 'victim', unit: '', direction: 'higher', params: {placement: 'solo'}})]
    }
    if (!ctx.resolveWorkload) return failBoth(Object.assign(new Error('interference: the engine did not provide resolveWorkload'), {code: 'failed'}))
    let aggressor
    try {
      aggressor = ctx.resolveWorkload(String(ctx.params.aggressor))
    } catch (error) {
      return failBoth(Object.assign(error as Error, {code: 'invalid-params'}))
    }
    const intensity = Number(ctx.params.intensity)
    const timeoutMs = Number(ctx.params.timeoutMs)
    const victimSpec = (): InstanceSpec => {
      const spec = ctx.instanceSpec()
      return {...spec, limits: limitsFor(ctx, spec.limits, 'victim')}
    }

    const drafts: SampleDraft[] = []
    // Solo baseline, then the same victim next to the aggressors.
    drafts.push(...(await runVictim(ctx, victimSpec(), timeoutMs, 'solo', figures)))
    const aggressors: Instance[] = []
    try {
      for (let i = 0; i < intensity && !ctx.signal.aborted; i++) {
        const spec = ctx.instanceSpec({workload: aggressor.workload})
        aggressors.push((await startReady(ctx.arm, {...spec, limits: limitsFor(ctx, spec.limits, 'aggressor')})).instance)
      }
      drafts.push(...(await runVictim(ctx, victimSpec(), timeoutMs, 'colocated', figures)))
    } catch (error) {
      drafts.push(...figures.map((t) => failedDraft(error, {...t, params: {placement: 'colocated'}})))
    } finally {
      await stopAll(ctx.arm, aggressors)
    }
    return drafts
  },
}

async function runVictim(
  ctx: MeasureContext,
  spec: InstanceSpec,
  timeoutMs: number,
  placement: string,
  figures: Array<Omit<SampleDraft, 'value'>>,
): Promise<SampleDraft[]> {
  try {
    if (ctx.profile.load) {
      // A service victim (http, redis): ready, then the host load gives its figures (e.g. latency p99).
      const drafts = await withReadyInstance(ctx, (instance) => runHostLoad(ctx.profile, instance, ctx.signal), spec)
      return drafts.map((d) => ({...d, params: {...d.params, placement}}))
    }
    return await runToCompletion(ctx.arm, spec, ctx.profile, timeoutMs, ctx.signal, {placement})
  } catch (error) {
    return figures.map((t) => failedDraft(error, {...t, params: {placement}}))
  }
}

/** The limits each side runs with under the cell's isolation mode. */
export function limitsFor(ctx: Pick<MeasureContext, 'params'>, limits: Limits, role: 'victim' | 'aggressor'): Limits {
  const isolation = String(ctx.params.isolation)
  if (isolation === 'none') return {...limits, cpus: undefined, cpuset: undefined}
  if (isolation === 'cpuset') return {...limits, cpus: undefined, cpuset: String(role === 'victim' ? ctx.params.victimCpus : ctx.params.aggressorCpus)}
  return limits
}
