/**
 * `isobench capacity`: per arm, the largest number of concurrent instances of a workload that still
 * meets every SLO on this host. Each step N runs the scale-out metric (N instances started at once:
 * per-instance start-to-ready times, time until all are ready) and, when a victim SLO is given, the
 * interference metric (a victim workload alone, then next to N instances), through the same runner,
 * store and counters as any run; the search (search.ts) doubles N, then bisects. Before each step
 * the memory N instances would take (the last step's measured PSS per instance, a VM's whole guest
 * RAM at least) is checked against MemAvailable minus a reserve: the search stops there rather
 * than exhaust the host.
 */
import {median} from 'simple-statistics'
import type {Limits} from '../../core/arm.js'
import type {CapacityRecord, CapacityResult, CapacityStep, Sample, SloBound} from '../../core/results.js'
import {memAvailableMiB} from '../../metrics/instances.js'
import {scenarioSchema} from '../../scenario/schema.js'
import {bootstrapCi, compareSamples} from '../../stats/index.js'
import {cellKey, type Cell} from '../plan.js'
import {runScenario, type RunScenarioOptions, type RunScenarioResult} from '../run.js'
import type {StopReason} from '../runner.js'
import {searchCapacity} from './search.js'
import {SLO_KEYS, within, type SloKey} from './slo.js'

export interface CapacityOptions extends Omit<RunScenarioOptions, 'loaded' | 'drive' | 'twins' | 'reps' | 'warmup' | 'workload'> {
  slos: SloBound[]
  /** The workload N instances run (default idle). */
  workload: string
  /** The victim of `victim.degradation` (default cpu). */
  victim: string
  maxInstances: number
  /** Repetitions per step (each one starts the N instances afresh). */
  stepReps: number
  memoryReserveMiB: number
  limits: Limits
}

const MEMORY_PARTS = /^mem_/

/** The SLO statistics of one step from its samples: each with its 95% CI, and the verdicts. */
export function evaluateStep(n: number, samples: readonly Sample[], slos: readonly SloBound[], seed: number): Omit<CapacityStep, 'elapsedMs'> {
  const measured = samples.filter((s) => !s.warmup)
  const scale = measured.filter((s) => s.metric === 'scaleout')
  const failures = scale.filter((s) => s.figure === 'failures' && s.ok).reduce((a, s) => a + (s.value ?? 0), 0)
  const failedSample = scale.find((s) => !s.ok)
  const values: CapacityStep['values'] = {}
  const verdicts: Array<{slo: SloBound; meets: boolean; sure: boolean; fails: boolean; text: string}> = []
  for (const slo of slos) {
    const def = SLO_KEYS[slo.key as SloKey]
    let est: {value: number; ci: [number, number]} | undefined
    if (def.metric === 'scaleout') {
      const xs = scale.filter((s) => s.figure === def.figure && s.ok && s.value !== null).map((s) => s.value!)
      if (xs.length) est = {value: median(xs), ci: xs.length >= 2 ? bootstrapCi(xs, (v) => median(v), {seed, resamples: 1000}) : [xs[0]!, xs[0]!]}
    } else {
      const victim = measured.filter((s) => s.metric === 'interference' && s.ok && s.value !== null)
      const figure = victim[0]?.figure
      const solo = victim.filter((s) => s.figure === figure && s.params.placement === 'solo').map((s) => s.value!)
      const colo = victim.filter((s) => s.figure === figure && s.params.placement === 'colocated').map((s) => s.value!)
      if (solo.length && colo.length) {
        const direction = victim[0]!.direction ?? 'higher'
        const r = compareSamples({
          arm: 'colocated',
          baseline: 'solo',
          values: colo,
          baselineValues: solo,
          direction,
          unit: '',
          delta: 0.05,
          seed,
          resamples: 1000,
        })
        const deg = (x: number) => (direction === 'higher' ? 1 - x : x - 1) * 100
        const lo = Number.isFinite(r.ci[0]) ? deg(r.ci[0]) : deg(r.ratio)
        const hi = Number.isFinite(r.ci[1]) ? deg(r.ci[1]) : deg(r.ratio)
        est = {value: deg(r.ratio), ci: [Math.min(lo, hi), Math.max(lo, hi)]}
      }
    }
    if (!est || !Number.isFinite(est.value)) {
      verdicts.push({slo, meets: false, sure: false, fails: true, text: `${slo.text} (not measured at N=${n}: every sample failed)`})
      continue
    }
    values[slo.key] = est
    const meets = within(slo, est.value)
    verdicts.push({
      slo,
      meets,
      sure: within(slo, est.ci[1]),
      fails: !within(slo, est.ci[0]),
      text: `${slo.text} (${est.value.toFixed(slo.unit === '%' ? 1 : 0)} ${slo.unit} [${est.ci[0].toFixed(slo.unit === '%' ? 1 : 0)}–${est.ci[1].toFixed(slo.unit === '%' ? 1 : 0)}] at N=${n})`,
    })
  }
  const startFailed = failures > 0 || failedSample !== undefined
  const first = verdicts.find((v) => !v.meets)
  return {
    n,
    values,
    meets: !startFailed && verdicts.every((v) => v.meets),
    surelyMeets: !startFailed && verdicts.every((v) => v.sure),
    surelyFails: startFailed || verdicts.some((v) => v.fails),
    ...(startFailed
      ? {
          failed: `instances failed at N=${n} (${failures || 'a'} failure${failures === 1 ? '' : 's'}${failedSample?.error ? `: ${failedSample.error.message.slice(0, 200)}` : ''})`,
        }
      : first
        ? {failed: first.text}
        : {}),
    failures,
  }
}

/** Per-instance memory (MiB) the step's instances took: the counters' memory parts, summed. */
function perInstanceMiB(samples: readonly Sample[]): number | undefined {
  const xs = samples
    .filter((s) => s.metric === 'scaleout' && s.counters)
    .map((s) => Object.entries(s.counters!.values).reduce((a, [k, v]) => (MEMORY_PARTS.test(k) ? a + v : a), 0))
    .filter((x) => x > 0)
  return xs.length ? Math.max(...xs) : undefined
}

export async function runCapacity(o: CapacityOptions): Promise<RunScenarioResult> {
  const victimSlo = o.slos.some((s) => SLO_KEYS[s.key as SloKey].metric === 'interference')
  const timeoutMs = 120_000
  const scenario = scenarioSchema.parse({
    name: 'capacity',
    description: `capacity under ${o.slos.map((s) => s.text).join(', ')}: the largest number of concurrent ${o.workload} instances per arm`,
    reps: o.stepReps,
    warmup: 0,
    limits: o.limits,
    metrics: [
      {metric: 'scaleout', workload: o.workload, params: {n: 1, mode: 'concurrent'}},
      ...(victimSlo ? [{metric: 'interference', workload: o.victim, params: {aggressor: o.workload, intensity: 1, isolation: 'none', timeoutMs}}] : []),
    ],
  })
  const loaded = {file: '(isobench capacity)', scenario, positionOf: () => undefined}
  return runScenario({
    ...o,
    // Not run's --workload (which replaces every cell's workload, the victim's too): the cells above say theirs.
    workload: undefined,
    loaded,
    drive: async (d) => {
      const record: CapacityRecord = {
        slos: o.slos,
        workload: o.workload,
        ...(victimSlo ? {victim: o.victim} : {}),
        maxInstances: o.maxInstances,
        memoryReserveMiB: o.memoryReserveMiB,
        results: [],
      }
      d.results.capacity = record
      const last: {stop: StopReason} = {stop: 'complete'}
      for (const [name, arm] of d.arms) {
        if (d.signal.aborted) break
        const kind = arm.kind
        const accel = arm.info().accel
        // Before any measurement: a VM can touch all its guest RAM; anything else, a first guess.
        let perInstance = kind === 'vm' ? (o.limits.memoryMiB ?? 256) : 32
        const steps: CapacityStep[] = []
        const result = await searchCapacity(
          async (n) => {
            const available = await memAvailableMiB()
            const need = n * perInstance
            if (need > available - o.memoryReserveMiB)
              return {
                stop: `host memory: ${n} instances × ${perInstance.toFixed(0)} MiB = ${need.toFixed(0)} MiB would leave less than the ${o.memoryReserveMiB} MiB reserve of ${available.toFixed(0)} MiB available`,
              }
            const params = {n, mode: 'concurrent'}
            const cells: Cell[] = [
              {
                key: cellKey('scaleout', o.workload, params),
                metric: 'scaleout',
                workload: o.workload,
                params,
                arms: [name],
                reps: o.stepReps,
                warmup: 0,
                limits: o.limits,
              },
            ]
            if (victimSlo) {
              const ip = {aggressor: o.workload, intensity: n, isolation: 'none', timeoutMs}
              cells.push({
                key: cellKey('interference', o.victim, ip),
                metric: 'interference',
                workload: o.victim,
                params: ip,
                arms: [name],
                reps: o.stepReps,
                warmup: 0,
                limits: o.limits,
              })
            }
            const t0 = performance.now()
            const before = d.results.samples.length
            const stop = (last.stop = await d.run(cells))
            const mine = d.results.samples.slice(before).filter((s) => s.arm === name)
            const measuredMiB = perInstanceMiB(mine)
            if (measuredMiB !== undefined) perInstance = kind === 'vm' ? Math.max(o.limits.memoryMiB ?? 0, measuredMiB) : measuredMiB * 1.5
            const step: CapacityStep = {
              ...evaluateStep(n, mine, o.slos, n * 7919 + steps.length),
              memAvailableMiB: available,
              elapsedMs: performance.now() - t0,
            }
            steps.push(step)
            d.log.info(`${name} N=${n}: ${step.meets ? 'meets every SLO' : `fails ${step.failed}`} (${(step.elapsedMs / 1000).toFixed(1)} s)`)
            if (stop === 'interrupted' || stop === 'budget') return {stop: stop === 'budget' ? 'the time budget' : 'interrupted'}
            return step
          },
          {max: o.maxInstances, signal: d.signal},
        )
        const r: CapacityResult = {
          arm: name,
          accel,
          n: result.n,
          ci: result.ci,
          boundBy: result.boundBy,
          steps: result.steps,
          text: `${name}${accel === 'tcg' ? ' (TCG)' : ''}: ${result.n} concurrent ${o.workload} instance${result.n === 1 ? '' : 's'} [95% CI ${result.ci[0]}–${result.ci[1]}] ${result.n === 1 ? 'meets' : 'meet'} ${o.slos.map((s) => s.text).join(' and ')}; bound by ${result.boundBy || 'nothing measured'}`,
        }
        record.results.push(r)
        d.log.info(r.text)
        if (last.stop === 'interrupted') break
      }
      return last.stop
    },
  })
}
