/** Start an instance, wait until ready, run `body`, and always stop it — also on failure. */
import type {Instance, ReadyResult} from '../core/arm.js'
import {IsobenchError} from '../core/errors.js'
import {LAUNCH_PHASES} from '../core/markers.js'
import type {MeasureContext, SampleDraft} from './metric.js'

export async function withReadyInstance<T>(
  ctx: MeasureContext,
  body: (instance: Instance, ready: ReadyResult, t0: number) => Promise<T>,
  spec = ctx.instanceSpec(),
): Promise<T> {
  const t0 = performance.now()
  const instance = await ctx.arm.start(spec)
  try {
    const ready = await ctx.arm.waitReady(instance)
    return await body(instance, ready, t0)
  } finally {
    await ctx.arm.stop(instance)
  }
}

/**
 * When an instance started, for figures measured from its start: the launcher's `spawn` mark
 * (CLOCK_MONOTONIC right before the clone/execve that starts it: node's spawn and pipe costs are in no
 * figure) where the arm runs it under isobench-launch, else `called`, the arm's start() call.
 */
export function startOf(ready: ReadyResult, called: number): number {
  return ready.phases.find((m) => m.phase === LAUNCH_PHASES.spawn)?.at ?? called
}

/** A failed sample: value null, the error's code and message, and the instance's last output. */
export function failedDraft(error: unknown, template: Omit<SampleDraft, 'value' | 'error'>): SampleDraft {
  const e = error as Error & {code?: string; detail?: {lastOutput?: string; stderr?: string}}
  return {
    ...template,
    value: null,
    error: {
      code: e instanceof IsobenchError ? e.code : (e.code ?? 'failed'),
      message: e.message,
      lastOutput: e.detail?.lastOutput,
      stderr: e.detail?.stderr,
    },
  }
}
