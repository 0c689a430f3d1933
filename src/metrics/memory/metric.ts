/**
 * memory: n instances of the workload (started one after another, left to settle), then per
 * instance on the host: PSS, USS and RSS summed over its processes (smaps_rollup; for a VM the
 * qemu process) and cgroup usage where the arm reports it; for arms with an engine or monitor beside
 * the instance, that engine's share apart (engine_pss: shim/conmon/lxc-start + daemons / instances);
 * totals over the n instances. The marginal memory of one more instance is the slope of the PSS,
 * cgroup and engine totals over n (src/engine/analyze.ts). The change in the host's MemAvailable is
 * kept as a diagnostic only: on a shared host other processes move it more than an instance does
 * (measured: −116 MiB per extra instance [−343–112], R² 0.20), so it is neither compared nor regressed.
 * Params: n (default 1), settleMs (default 500).
 */
import {boundedNumber} from '../../core/bounds.js'
import type {Instance, ResourceSample} from '../../core/arm.js'
import type {FigureTemplate, Metric, SampleDraft} from '../metric.js'
import {memAvailableMiB, sleep, startReady, stopAll} from '../instances.js'
import {failedDraft} from '../with-instance.js'
import {memoryCharts} from './report.js'

const MiB = 1024 * 1024
/** [figure, ResourceSample field, also report the total over n?] — totals feed the marginal slope. */
const FIGURES = [
  ['pss', 'pssBytes', true],
  ['uss', 'ussBytes', false],
  ['rss', 'rssBytes', false],
  ['cgroup', 'cgroupMemoryBytes', true],
  // The engine's share beside the instance (shim, monitor, daemons / instances), for the arms that have one.
  ['engine_pss', 'enginePssBytes', true],
] as const

/** A memory figure: MiB, lower is better. */
const mib = (figure: string): FigureTemplate => ({figure, unit: 'MiB', direction: 'lower'})

/** The host's MemAvailable before − after starting the n instances: a diagnostic (see the module note). */
const HOST_DELTA: FigureTemplate = {
  ...mib('host_delta'),
  diagnostic:
    "host-wide MemAvailable change while the instances started: every other process on the host moves it too (page cache, other users' jobs), so it is no figure of the instances; kept to explain outliers, never compared or regressed",
}

/** The templates of these figures: each per instance, and its total over n where it has one. */
const templatesOf = (figures: ReadonlyArray<(typeof FIGURES)[number]>) => figures.flatMap(([f, , total]) => [mib(f), ...(total ? [mib(`${f}_total`)] : [])])

export const memory: Metric = {
  name: 'memory',
  title: 'Memory',
  note: "Host-side memory of each instance's processes (PSS/USS/RSS from smaps_rollup; the qemu process for a VM) and the marginal cost of one more instance.",
  defaults: {n: 1, settleMs: 500},
  paramSchema: {n: boundedNumber('instances'), settleMs: boundedNumber('settleMs')},
  paramNotes: {
    n: 'instances running when memory is read (started one after another); two or more values give the marginal memory, the slope over n',
    settleMs: 'ms to wait after the last instance is ready before reading memory',
  },
  comparedFigures: ['pss', 'uss', 'rss', 'cgroup', 'engine_pss'],
  figures: {own: [...templatesOf(FIGURES), HOST_DELTA]},
  headline: {figures: ['pss'], regressions: ['pss_total'], prefer: {n: 'min'}},
  regressions: [{figures: ['pss_total', 'cgroup_total', 'engine_pss_total'], x: 'n', per: 'extra instance'}],
  charts: memoryCharts,
  caveats: (arms) =>
    arms
      .filter((a) => a.kind === 'vm')
      .map(
        (a) =>
          `${a.name}: the PSS of a qemu process counts the guest kernel image (vmlinux), mapped from the host's page cache, divided among every process that maps the same file — other VMs of this run, of other runs and of other users. Per-instance PSS therefore falls as more VMs run on the host (measured here: 204 MiB alone, 172 MiB beside one other VM); its RSS and the marginal slope over N do not depend on it.`,
      ),
  async measure(ctx): Promise<SampleDraft[]> {
    const n = Number(ctx.params.n)
    const settleMs = Number(ctx.params.settleMs)
    const instances: Instance[] = []
    // On failure: the figures every arm reports (cgroup usage and an engine's share, which only some arms have, are not invented as failed).
    const templates = templatesOf(FIGURES.filter(([f]) => f !== 'cgroup' && f !== 'engine_pss'))
    try {
      if (!(Number.isInteger(n) && n >= 1))
        throw Object.assign(new Error(`memory: n must be a positive integer, got ${ctx.params.n}`), {code: 'invalid-params'})
      const before = await memAvailableMiB()
      for (let i = 0; i < n && !ctx.signal.aborted; i++) instances.push((await startReady(ctx.arm, ctx.instanceSpec())).instance)
      await sleep(settleMs, ctx.signal)
      const samples: ResourceSample[] = await Promise.all(instances.map((i) => ctx.arm.sample(i)))
      const after = await memAvailableMiB()
      const drafts: SampleDraft[] = []
      for (const [figure, field, withTotal] of FIGURES) {
        const values = samples.map((s) => s[field])
        if (values.every((v) => v === undefined)) continue // the arm does not report it (e.g. no cgroup)
        if (values.some((v) => v === undefined || v <= 0)) {
          const e = Object.assign(new Error(`${figure}: ${values.filter((v) => !(v! > 0)).length} of ${n} instances reported no ${figure}`), {code: 'no-value'})
          drafts.push(failedDraft(e, mib(figure)))
          if (withTotal) drafts.push(failedDraft(e, mib(`${figure}_total`)))
          continue
        }
        const total = values.reduce((a, b) => a! + b!, 0)! / MiB
        drafts.push({...mib(figure), value: total / n})
        if (withTotal) drafts.push({...mib(`${figure}_total`), value: total})
      }
      drafts.push({...HOST_DELTA, value: before - after})
      return drafts
    } catch (error) {
      return templates.map((t) => failedDraft(error, t))
    } finally {
      await stopAll(ctx.arm, instances)
    }
  },
}
