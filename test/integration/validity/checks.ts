/**
 * The validity checks: each compares a figure isobench produces with the same figure from a tool
 * that shares no code with it, on this machine, and returns both with their ratio. The tests in this
 * folder run them small with generous bounds (the machine is shared: timing bounds that need a quiet
 * host would fail for the wrong reason); `npm run bench:validity` runs them large and prints every
 * figure, with the host's load when it measured.
 *
 *   startup      the process arm's startup.ready of the injected init running /bin/true  vs  `hyperfine -N`
 *                of the same command line (start → exit, Debian's hyperfine: it also counts what the
 *                init does after ready — fork, exec and exit of true —, so isobench may read less;
 *                hyperfine -N of /bin/true alone is in the detail as the size of that part)
 *   pss          an instance's PSS as the arm samples it (smaps_rollup)  vs  the Pss: lines of every
 *                VMA in /proc/PID/smaps summed by awk, for the same processes at the same moment
 *   stress-ng    the cpu workload's ops_per_s through isobench's parser  vs  stress-ng's own printed
 *                bogo ops/s (real time) of the same run, and its bogo ops ÷ real seconds
 *   ci           the marginal-memory slope's 95% CI (OLS, Student t) and a ratio-of-medians bootstrap
 *                CI  vs  a recomputation here: closed-form OLS with a t quantile from numerically
 *                integrating the t density (no scipy, no shared code), and 40 000 bootstrap resamples
 *                drawn with node's crypto RNG
 */
import {randomInt} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import type {Arm, Instance, InstanceSpec, WorkloadSpec} from '../../../src/core/arm.js'
import {configSchema} from '../../../src/core/config.js'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {silentLogger} from '../../../src/core/log.js'
import {ProcessArm} from '../../../src/arms/process.js'
import {INIT_BINARY} from '../../../src/runtime/native/init.js'
import {startup} from '../../../src/metrics/startup/metric.js'
import type {MeasureContext} from '../../../src/metrics/metric.js'
import {quantile} from 'simple-statistics'
import {describe, ratioOfMedians, slopeWithCi} from '../../../src/stats/index.js'
import {catalog} from '../../../src/workloads/catalog.js'
import {parseFigures, watchExit, workloadExitCode} from '../../../src/metrics/instances.js'

export interface Check {
  name: string
  /** What was compared, in a few words. */
  what: string
  isobench: number
  reference: number
  unit: string
  /** isobench ÷ reference. */
  ratio: number
  /** The reference tool and how it was run. */
  tool: string
  /** More figures (spread, sample counts), printed by the bench. */
  detail?: Record<string, number | string>
}

/** The host's load when a check measured: `uptime`'s 1, 5 and 15 minute averages and the core count. */
export function hostLoad(): string {
  const [a, b, c] = loadavg()
  return `load average ${a!.toFixed(2)}, ${b!.toFixed(2)}, ${c!.toFixed(2)} on ${cpus().length} cores`
}

export function check(c: Omit<Check, 'ratio'>): Check {
  return {...c, ratio: c.isobench / c.reference}
}

export function newContext(name: string) {
  const stateDir = mkdtempSync(join(tmpdir(), `isobench-validity-${name}-`))
  const cleanup = new CleanupRegistry()
  return {stateDir, cleanup, ctx: {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: `validity-${name}`}}
}

/** The init running /bin/true: `ISOBENCH ready` is printed right before it starts true. */
export const READY_ONLY: WorkloadSpec = {name: 'ready', argv: ['/bin/true'], ready: {kind: 'marker'}}

function measureContext(arm: Arm, workload: WorkloadSpec): MeasureContext {
  let n = 0
  return {
    arm,
    workload,
    profile: {name: workload.name, version: 1, description: '', argv: workload.argv, ready: workload.ready, figures: []},
    params: {...startup.defaults},
    log: silentLogger,
    warmup: false,
    signal: new AbortController().signal,
    instanceSpec: (o?: Partial<InstanceSpec>) => ({id: `validity-${++n}`, workload, limits: {}, network: 'none', readyTimeoutMs: 20_000, ...o}),
  }
}

/**
 * startup vs hyperfine: `rounds` alternations of `runs` startup samples of the process arm (the
 * startup metric itself) and a `hyperfine -N --runs runs` of the same command line, so both see the
 * same load; medians over all rounds.
 */
export async function startupVsHyperfine(opts: {runs: number; rounds: number; warmup?: number}): Promise<Check> {
  const {cleanup, ctx, stateDir} = newContext('startup')
  const arm = new ProcessArm(ctx)
  const dir = mkdtempSync(join(tmpdir(), 'isobench-validity-init-'))
  try {
    await arm.prepare()
    const mctx = measureContext(arm, READY_ONLY)
    const ours: number[] = []
    const floors: number[] = []
    const theirs: number[] = []
    const trueAlone: number[] = []
    for (let i = 0; i < (opts.warmup ?? 3); i++) await startup.measure(mctx)
    for (let round = 0; round < opts.rounds; round++) {
      for (let i = 0; i < opts.runs; i++) {
        const drafts = await startup.measure(mctx)
        const ready = drafts.find((d) => d.figure === 'ready')
        if (ready?.value === null || ready === undefined) throw new Error(`startup sample failed: ${ready?.error?.message}`)
        ours.push(ready.value)
        const floor = drafts.find((d) => d.figure === 'harness_floor')
        if (floor?.value) floors.push(floor.value)
      }
      const json = join(dir, `hyperfine-${round}.json`)
      const command = `${INIT_BINARY} -- /bin/true`
      await execa('hyperfine', ['-N', '--style', 'none', '--warmup', '3', '--runs', String(opts.runs), '--export-json', json, command, '/bin/true'], {
        env: {ISOBENCH_NAME: 'ready', ISOBENCH_READY: 'marker'},
        extendEnv: false,
      })
      const result = JSON.parse(readFileSync(json, 'utf8')) as {results: Array<{times: number[]}>}
      theirs.push(...result.results[0]!.times.map((s) => s * 1000))
      trueAlone.push(...result.results[1]!.times.map((s) => s * 1000))
    }
    const a = describe(ours)
    const b = describe(theirs)
    const t = describe(trueAlone)
    return check({
      name: 'startup',
      what: 'process arm startup.ready of `isobench-init -- /bin/true` vs hyperfine -N of the same command (start → exit; medians)',
      isobench: a.median,
      reference: b.median,
      unit: 'ms',
      tool: `hyperfine -N --runs ${opts.runs} × ${opts.rounds} rounds, interleaved`,
      detail: {
        'hyperfine /bin/true median': t.median,
        n: ours.length,
        'isobench min': a.min,
        'isobench p25': quantile(ours, 0.25),
        'hyperfine min': b.min,
        'hyperfine p25': quantile(theirs, 0.25),
        'isobench p90': a.p90,
        'hyperfine n': theirs.length,
        'hyperfine p90': b.p90,
        'difference ms': a.median - b.median,
        ...(floors.length ? {'harness floor median ms': describe(floors).median} : {}),
      },
    })
  } finally {
    await arm.cleanup()
    await cleanup.runAll()
    rmSync(dir, {recursive: true, force: true})
    rmSync(stateDir, {recursive: true, force: true})
  }
}

/** Σ Pss over every VMA of every process, from /proc/PID/smaps, summed by awk (not our parser, not smaps_rollup). */
export async function smapsPssBytes(pids: number[]): Promise<number> {
  const files = pids.map((p) => `/proc/${p}/smaps`)
  const r = await execa('awk', ['$1 == "Pss:" {kb += $2} END {print kb}', ...files], {reject: false})
  return Number(r.stdout.trim()) * 1024
}

/** pss: the arm's sample() of an idle instance vs awk over smaps, read right after it; `rounds` instances. */
export async function pssVsSmaps(arm: Arm, workload: WorkloadSpec, rounds: number): Promise<Check> {
  const ours: number[] = []
  const theirs: number[] = []
  await arm.prepare([workload])
  for (let i = 0; i < rounds; i++) {
    const spec: InstanceSpec = {id: `validity-pss-${arm.name}-${i}`, workload, limits: {memoryMiB: 256}, network: 'none', readyTimeoutMs: 120_000}
    const instance: Instance = await arm.start(spec)
    try {
      await arm.waitReady(instance)
      await new Promise((r) => setTimeout(r, 300))
      const pids = instance.pids()
      const sample = await arm.sample(instance)
      const reference = await smapsPssBytes(pids)
      ours.push(sample.pssBytes! / 2 ** 20)
      theirs.push(reference / 2 ** 20)
    } finally {
      await arm.stop(instance)
    }
  }
  const a = describe(ours)
  const b = describe(theirs)
  return check({
    name: `pss ${arm.name}`,
    what: `${arm.name}: PSS per idle instance as sample() reads it (smaps_rollup) vs Σ Pss of every VMA in /proc/PID/smaps (awk)`,
    isobench: a.median,
    reference: b.median,
    unit: 'MiB',
    tool: 'awk over /proc/PID/smaps, same processes, right after',
    detail: {instances: rounds, 'largest relative difference': Math.max(...ours.map((x, i) => Math.abs(x / theirs[i]! - 1)))},
  })
}

/**
 * stress-ng: the `cpu` workload (stress-ng --cpu 1 matrixprod, 4 s) on an arm; isobench's figure from
 * its parser vs stress-ng's own bogo ops/s (real time) column of the same output, read here by
 * splitting the line on whitespace, and vs its bogo ops ÷ real seconds.
 */
export async function stressNgOwnFigure(arm: Arm): Promise<Check[]> {
  const profile = catalog().get('cpu')!
  const workload: WorkloadSpec = {name: profile.name, argv: profile.argv, ready: profile.ready, image: profile.image}
  await arm.prepare([workload])
  const instance = await arm.start({id: `validity-stress-${arm.name}`, workload, limits: {}, network: 'none', readyTimeoutMs: 60_000})
  let output = ''
  try {
    await arm.waitReady(instance)
    if (!(await watchExit(instance).wait(60_000))) throw new Error('stress-ng did not finish within 60 s')
    await new Promise((r) => setTimeout(r, 50))
    output = instance.output()
    const [draft] = parseFigures(profile, output, undefined, workloadExitCode(instance))
    if (draft?.value == null) throw new Error(`isobench parsed no figure: ${draft?.error?.message}`)
    const line = output.split('\n').find((l) => /metrc: \[\d+\] cpu /.test(l))
    if (!line) throw new Error(`no stress-ng metrics line for cpu in:\n${output.slice(-1500)}`)
    const cols = line
      .slice(line.indexOf('] cpu ') + 6)
      .trim()
      .split(/\s+/)
      .map(Number)
    const [bogo, real, , , perReal] = cols as [number, number, number, number, number]
    return [
      check({
        name: `stress-ng ${arm.name} (printed)`,
        what: `${arm.name}: cpu ops_per_s through isobench's parser vs the bogo ops/s (real time) stress-ng printed`,
        isobench: draft.value,
        reference: perReal,
        unit: 'bogo-ops/s',
        tool: 'stress-ng --metrics-brief, same run',
      }),
      check({
        name: `stress-ng ${arm.name} (ops ÷ time)`,
        what: `${arm.name}: cpu ops_per_s vs stress-ng's bogo ops ÷ its real seconds`,
        isobench: draft.value,
        reference: bogo / real,
        unit: 'bogo-ops/s',
        tool: 'stress-ng --metrics-brief, same run (columns bogo ops, real time)',
        detail: {'bogo ops': bogo, 'real s': real},
      }),
    ]
  } finally {
    await arm.stop(instance)
  }
}

/** The t quantile by bisection on the t distribution's CDF, itself integrated numerically (Simpson) from the density. */
export function tQuantile(p: number, df: number): number {
  const lgamma = (z: number): number => {
    // Lanczos (g = 7, n = 9)
    const c = [
      0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
      9.9843695780195716e-6, 1.5056327351493116e-7,
    ]
    if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lgamma(1 - z)
    z -= 1
    let x = c[0]!
    for (let i = 1; i < 9; i++) x += c[i]! / (z + i)
    const t = z + 7.5
    return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x)
  }
  const k = Math.exp(lgamma((df + 1) / 2) - lgamma(df / 2)) / Math.sqrt(df * Math.PI)
  const pdf = (t: number) => k * (1 + (t * t) / df) ** (-(df + 1) / 2)
  const cdfAbove0 = (x: number) => {
    const n = 20_000
    const h = x / n
    let s = pdf(0) + pdf(x)
    for (let i = 1; i < n; i++) s += pdf(i * h) * (i % 2 ? 4 : 2)
    return 0.5 + (s * h) / 3
  }
  let lo = 0
  let hi = 1000
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2
    if (cdfAbove0(mid) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** OLS slope CI recomputed in closed form here, vs stats' slopeWithCi. */
export function slopeCiRecomputed(points: Array<[number, number]>): Check[] {
  const n = points.length
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  let sxy = 0
  let sxx = 0
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my)
    sxx += (x - mx) ** 2
  }
  const b = sxy / sxx
  const a = my - b * mx
  const sse = points.reduce((s, [x, y]) => s + (y - a - b * x) ** 2, 0)
  const half = tQuantile(0.975, n - 2) * Math.sqrt(sse / (n - 2) / sxx)
  const ours = slopeWithCi(points)
  return [
    check({
      name: 'ci slope lower',
      what: 'marginal-memory OLS slope, 95% CI lower bound: stats slopeWithCi vs closed form + integrated t quantile',
      isobench: ours.ci[0],
      reference: b - half,
      unit: 'MiB/instance',
      tool: 'recomputed here (closed-form OLS, Simpson-integrated Student t)',
      detail: {points: n, slope: ours.slope, 'slope recomputed': b},
    }),
    check({
      name: 'ci slope upper',
      what: 'marginal-memory OLS slope, 95% CI upper bound',
      isobench: ours.ci[1],
      reference: b + half,
      unit: 'MiB/instance',
      tool: 'recomputed here (closed-form OLS, Simpson-integrated Student t)',
    }),
  ]
}

/** A ratio-of-medians bootstrap CI (seeded, 2000 resamples, as the analysis runs it) vs 40 000 resamples with crypto's RNG. */
export function ratioCiRecomputed(a: number[], b: number[]): Check[] {
  const ours = ratioOfMedians(a, b, {seed: 42})
  const med = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y)
    const m = s.length >> 1
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
  }
  const draws: number[] = []
  for (let i = 0; i < 40_000; i++) {
    const ra = a.map(() => a[randomInt(a.length)]!)
    const rb = b.map(() => b[randomInt(b.length)]!)
    draws.push(med(ra) / med(rb))
  }
  draws.sort((x, y) => x - y)
  // Type-7 quantile, written out.
  const q = (p: number) => {
    const h = (draws.length - 1) * p
    const lo = Math.floor(h)
    return draws[lo]! + (h - lo) * (draws[Math.min(lo + 1, draws.length - 1)]! - draws[lo]!)
  }
  return [
    check({
      name: 'ci ratio lower',
      what: 'ratio of medians, 95% bootstrap CI lower bound: isobench (seeded, 2000 resamples) vs 40 000 resamples, crypto RNG',
      isobench: ours.ci[0],
      reference: q(0.025),
      unit: '×',
      tool: 'recomputed here (independent resampling and quantile)',
      detail: {ratio: ours.ratio, 'ratio recomputed': med(a) / med(b), n: `${a.length} / ${b.length}`},
    }),
    check({
      name: 'ci ratio upper',
      what: 'ratio of medians, 95% bootstrap CI upper bound',
      isobench: ours.ci[1],
      reference: q(0.975),
      unit: '×',
      tool: 'recomputed here (independent resampling and quantile)',
    }),
  ]
}

/** A check as one line: name, both figures, ratio. */
export function checkLine(c: Check): string {
  const f = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(4))
  return `${c.name.padEnd(28)} isobench ${f(c.isobench)} ${c.unit}  ${c.tool.split(' ')[0]} ${f(c.reference)} ${c.unit}  ratio ${c.ratio.toFixed(4)}`
}
