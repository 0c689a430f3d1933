/** Start an instance, wait until ready, run `body`, and always stop it — also on failure. */
import type {Instance, ReadyResult} from '../core/arm.js'
import {IsobenchError} from '../core/errors.js'
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
