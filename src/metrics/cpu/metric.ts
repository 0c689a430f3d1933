/**
 * cpu: host CPU time the instance burns per second of wall time (all its host processes; for a VM
 * the qemu process; the arm may use its cgroup's cpuacct), measured over a window after it is
 * ready — idle for the idle workload, under load for a busy one — and, for workloads with figures
 * (throughput), the workload's own figures once it finishes. The ratio of an arm's throughput to
 * the process arm's is the comparison analysis computes. Params: settleMs, windowMs, timeoutMs.
 */
import {boundedNumber} from '../../core/bounds.js'
import type {Metric, SampleDraft} from '../metric.js'
import {parseFigures, runTiming, sleep, startReady, watchExit, workloadExitCode} from '../instances.js'
import {failedDraft} from '../with-instance.js'
import {runHostLoad} from '../host-load.js'
import {cpuCharts} from './report.js'

const CPU = {figure: 'cpu_per_s', unit: 'cores', direction: 'lower'} as const

export const cpu: Metric = {
  name: 'cpu',
  title: 'CPU',
  note: 'Workload throughput relative to the bare process arm, and host CPU an instance burns.',
  defaults: {settleMs: 300, windowMs: 2000, timeoutMs: 120_000},
  paramNotes: {
    settleMs: 'ms after ready before the CPU window opens',
    windowMs: 'length of the window over which host CPU time is read, ms (a service: its host load instead)',
    timeoutMs: 'deadline for a finite workload to finish and report its figures, ms',
  },
  figures: {own: [CPU], fromWorkload: true},
  headline: {figures: '*', except: ['cpu_per_s'], fallback: ['cpu_per_s']},
  charts: cpuCharts,
  paramSchema: {settleMs: boundedNumber('settleMs'), windowMs: boundedNumber('windowMs'), timeoutMs: boundedNumber('timeoutMs')},
  async measure(ctx): Promise<SampleDraft[]> {
    const throughput = ctx.profile.figures.map((f) => ({figure: f.name, unit: f.unit, direction: f.direction}))
    let started
    try {
      started = await startReady(ctx.arm, ctx.instanceSpec())
    } catch (error) {
      return [CPU, ...throughput].map((t) => failedDraft(error, t))
    }
    const {instance} = started
    const exit = watchExit(instance)
    const drafts: SampleDraft[] = []
    try {
      await sleep(Number(ctx.params.settleMs), ctx.signal)
      const s0 = await ctx.arm.sample(instance)
      const t0 = performance.now()
      // A service's window is its host load: CPU the instance burns serving it, and the load's figures.
      const loadDrafts = ctx.profile.load
        ? await runHostLoad(ctx.profile, instance, ctx.signal).catch((error) => throughput.map((t) => failedDraft(error, t)))
        : undefined
      if (!loadDrafts) await sleep(Number(ctx.params.windowMs), ctx.signal)
      const s1 = await ctx.arm.sample(instance)
      const t1 = performance.now()
      if (exit.done && loadDrafts)
        drafts.push(
          failedDraft(
            Object.assign(new Error(`service ${ctx.workload.name} exited while under load`), {
              code: 'workload-failed',
              detail: {lastOutput: instance.output().slice(-2000)},
            }),
            CPU,
          ),
        )
      else if (exit.done)
        drafts.push(
          failedDraft(
            Object.assign(new Error(`workload ${ctx.workload.name} finished inside the CPU window; lower windowMs or lengthen the workload`), {
              code: 'window-too-long',
            }),
            CPU,
          ),
        )
      else if (s0.cpuSeconds === undefined || s1.cpuSeconds === undefined)
        drafts.push(failedDraft(Object.assign(new Error(`${ctx.arm.name} reports no CPU time`), {code: 'no-value'}), CPU))
      else drafts.push({...CPU, value: Math.max(0, s1.cpuSeconds - s0.cpuSeconds) / ((t1 - t0) / 1000)})

      if (loadDrafts) drafts.push(...loadDrafts)
      else if (throughput.length > 0) {
        const finished = await exit.wait(Number(ctx.params.timeoutMs), ctx.signal)
        if (!finished) {
          const e = Object.assign(new Error(`workload ${ctx.workload.name} did not finish within ${Number(ctx.params.timeoutMs) / 1000} s`), {code: 'timeout'})
          drafts.push(...throughput.map((t) => failedDraft(e, t)))
        } else {
          await sleep(20)
          drafts.push(...parseFigures(ctx.profile, instance.output(), undefined, workloadExitCode(instance), runTiming(instance, started.ready.readyAt)))
        }
      }
      return drafts
    } finally {
      await ctx.arm.stop(instance).catch(() => {})
    }
  },
}
