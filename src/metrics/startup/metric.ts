/**
 * startup: the instance's start → ready (the init's `ISOBENCH ready` marker, or the first
 * successful host-side probe for services), on the host's monotonic clock, with the phase breakdown.
 * The start is the launcher's `spawn` mark where the arm runs its instances under isobench-launch
 * (CLOCK_MONOTONIC right before the clone/execve, markers stamped on arrival by the launcher: node's
 * spawn and pipe costs are in no figure), else the arm's start() call.
 * Param `cache`: 'warm' (default) or 'cold' (page cache dropped before the start, where root allows).
 */
import {z} from 'zod'
import {writeFileSync} from 'node:fs'
import {LAUNCH_PHASES, OCI_PHASES, RUNTIME_PHASES} from '../../core/markers.js'
import type {MeasureContext, Metric, SampleDraft} from '../metric.js'
import {failedDraft, startOf, withReadyInstance} from '../with-instance.js'
import {startupCharts} from './report.js'

const template = {figure: 'ready', unit: 'ms', direction: 'lower'} as const
/** The harness floor taken beside each sample (Arm.harnessFloor): reported with startup, never compared. */
const FLOOR = {figure: 'harness_floor', unit: 'ms', direction: 'lower'} as const

export const startup: Metric = {
  name: 'startup',
  title: 'Startup',
  note: "Time from the instance's start (read on the kernel's clock right before the clone/execve that starts it) to its ready marker (stamped on arrival); phases are the markers' arrival times. The harness floor beside it is the launcher starting /bin/true and reaping it, measured beside each sample.",
  defaults: {cache: 'warm'},
  paramNotes: {
    cache: 'warm: the page cache as the previous start left it; cold: dropped before each start (needs root; a start whose cache cannot be dropped fails)',
  },
  comparedFigures: ['ready'],
  figures: {own: [template, FLOOR]},
  headline: {figures: ['ready']},
  phases: [
    'spawn',
    ...RUNTIME_PHASES,
    ...OCI_PHASES,
    'runtime',
    'container-create',
    'task-create',
    'container-start',
    'task-start',
    'vmm',
    'qmp',
    'firmware',
    'kernel',
    'init',
    'ready',
  ],
  charts: startupCharts,
  paramSchema: {cache: z.enum(['warm', 'cold'])},
  async measure(ctx): Promise<SampleDraft[]> {
    const drafts = await measureStart(ctx)
    // The harness floor beside each sample (after the instance is gone, outside any timed region).
    if (ctx.arm.harnessFloor)
      drafts.push(
        await ctx.arm.harnessFloor().then(
          (value) => ({...FLOOR, value}),
          (error: unknown) => failedDraft(error, FLOOR),
        ),
      )
    return drafts
  },
}

/** One start: ready − start with the phases, or a failed draft. */
async function measureStart(ctx: MeasureContext): Promise<SampleDraft[]> {
  try {
    // A 'cold' sample whose page cache could not be dropped would be a warm one: a failed sample.
    if (ctx.params.cache === 'cold') dropPageCache()
    return await withReadyInstance(ctx, async (_instance, ready, called) => {
      const t0 = startOf(ready, called)
      const phases: Record<string, number> = {}
      let last = 0
      for (const mark of ready.phases) {
        if (mark.phase === LAUNCH_PHASES.spawn) continue // the origin itself
        const rel = mark.at - t0
        // A phase that is negative or out of order is invalid: report it, never use it.
        if (rel < 0 || rel < last)
          throw Object.assign(new Error(`phase ${mark.phase} out of order (${rel.toFixed(3)} ms after start, previous ${last.toFixed(3)} ms)`), {
            code: 'invalid-sample',
          })
        last = rel
        phases[mark.phase] ??= rel
      }
      const value = ready.readyAt - t0
      if (!(value > 0)) throw Object.assign(new Error(`non-positive startup ${value} ms`), {code: 'invalid-sample'})
      return [{...template, value, phases}]
    })
  } catch (error) {
    return [failedDraft(error, template)]
  }
}

/** Drop the page cache (and dentries/inodes) so the next start reads from disk; needs root. */
export function dropPageCache(): void {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3')
  } catch (error) {
    throw Object.assign(new Error(`cold start needs to drop the page cache (/proc/sys/vm/drop_caches): ${(error as Error).message}`), {
      code: 'cold-cache-unavailable',
    })
  }
}
