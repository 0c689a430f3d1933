/**
 * Validity figures, all measured in the same run (root): `npm run bench:validity` (options:
 * `-- --runs 40 --rounds 5`). Each check compares a figure isobench produces with the same figure
 * from a tool that shares no code with it (test/integration/validity/checks.ts says which and how)
 * and prints both figures and their ratio, with the host's load when it measured:
 *
 *   startup     process arm startup.ready vs hyperfine -N of the same command line
 *               (target: within 10% or 0.3 ms), with the harness floor measured beside it
 *   pss         PSS per idle instance (process, container, runc, crun, qemu where they run) vs awk over /proc/PID/smaps
 *   stress-ng   the cpu workload's figure vs the figure stress-ng printed in the same run
 *   ci          the marginal-memory slope CI and a ratio-of-medians CI, recomputed without scipy
 *
 * Every figure is printed, met or not; the exit code is 0 unless a check could not run.
 */
import {rmSync} from 'node:fs'
import {ContainerArm} from '../../src/arms/container.js'
import {OciArm} from '../../src/arms/oci-arm.js'
import {ProcessArm} from '../../src/arms/process.js'
import {QemuArm} from '../../src/arms/qemu.js'
import type {Arm} from '../../src/core/arm.js'
import {memory} from '../../src/metrics/memory/metric.js'
import {pruneContainers} from '../../src/runtime/prune.js'
import {ProcessArmHarness} from '../integration/metrics/context.js'
import {
  checkLine,
  hostLoad,
  newContext,
  pssVsSmaps,
  ratioCiRecomputed,
  slopeCiRecomputed,
  startupVsHyperfine,
  stressNgOwnFigure,
  type Check,
} from '../integration/validity/checks.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}

const results: Array<{check: Check; load: string}> = []
const record = (c: Check) => {
  const load = hostLoad()
  results.push({check: c, load})
  console.log(`${checkLine(c)}  · ${load}`)
  if (c.detail)
    console.log(
      `    ${Object.entries(c.detail)
        .map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toPrecision(5) : v}`)
        .join(' · ')}`,
    )
}

console.log(`isobench validity checks · ${hostLoad()}`)

// 1. startup vs hyperfine
const s = await startupVsHyperfine({runs: arg('runs', 40), rounds: arg('rounds', 5)})
record(s)
const agrees = Math.abs(s.ratio - 1) <= 0.1 || Math.abs(s.isobench - s.reference) <= 0.3
console.log(`    target within 10% or 0.3 ms: ${agrees ? 'met' : 'NOT met'}`)

// 2. PSS vs smaps
const {ctx, cleanup, stateDir} = newContext('bench')
const idle = {name: 'idle', argv: ['sleep', '600'], ready: {kind: 'marker' as const}}
const arms: Arm[] = [new ProcessArm(ctx), new ContainerArm(ctx), new OciArm('runc', ctx), new OciArm('crun', ctx), new QemuArm(ctx)]
for (const arm of arms) {
  const avail = await arm.available()
  if (!avail.ok) {
    console.log(`pss ${arm.name}: skipped (${avail.reason})`)
    continue
  }
  record(await pssVsSmaps(arm, idle, arm.kind === 'vm' ? 2 : 5))
  await arm.cleanup()
}

// 3. stress-ng's own figure
for (const arm of [new ProcessArm(ctx), new ContainerArm(ctx)]) {
  for (const c of await stressNgOwnFigure(arm)) record(c)
  await arm.cleanup()
}

// 4. CIs recomputed on PSS totals measured here
const h = new ProcessArmHarness()
await h.arm.prepare()
const totals = new Map<number, number[]>()
for (let rep = 0; rep < 6; rep++)
  for (const n of [1, 2, 4]) {
    const drafts = await memory.measure(h.context(memory, 'idle', {n, settleMs: 200}))
    totals.set(n, [...(totals.get(n) ?? []), drafts.find((d) => d.figure === 'pss_total')!.value!])
  }
for (const c of slopeCiRecomputed([...totals].flatMap(([n, vs]) => vs.map((v) => [n, v] as [number, number])))) record(c)
for (const c of ratioCiRecomputed(totals.get(4)!, totals.get(1)!)) record(c)
await h.close()

await cleanup.runAll()
await pruneContainers(stateDir, {all: true})
rmSync(stateDir, {recursive: true, force: true})

console.log('\ncheck | isobench | reference | ratio | load')
for (const {check: c, load} of results)
  console.log(
    `${c.name} | ${+c.isobench.toPrecision(5)} ${c.unit} | ${+c.reference.toPrecision(5)} ${c.unit} (${c.tool.split(' ')[0]}) | ${c.ratio.toFixed(4)} | ${load}`,
  )
