/**
 * The report's "isolation ladder" section: the ladder chart (report/charts/ladder.ts) and its table —
 * every arm of the run in ladder order (engine/ladder.ts: by median startup), its rung, startup,
 * memory per instance (PSS, an engine's or monitor's share apart, the marginal PSS of one more
 * instance) and CPU overhead (throughput lost against the reference arm; host CPU an idle instance
 * burns). Cells without a figure say so with a dash.
 */
import type {Results} from '../core/results.js'
import {ISOLATION_NOTES, type Isolation} from '../core/isolation.js'
import {isolationLadder} from '../engine/ladder.js'
import {num} from './charts/format.js'
import {ladderSpec} from './charts/ladder.js'
import type {TopLevelSpec} from 'vega-lite'
import {h, raw, type Safe} from './escape.js'

/** The ladder chart of a run, or nothing when fewer than two arms have a startup figure. */
export function ladderChart(results: Results, label: (arm: string) => string): TopLevelSpec | undefined {
  return ladderSpec({rows: isolationLadder(results), label})
}

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${x >= 0 ? '+' : '−'}${num(Math.abs(x))}%`)

export function ladderSection(results: Results, label: (arm: string) => string, charts: Safe): Safe {
  const rows = isolationLadder(results)
  if (rows.length === 0) return raw('')
  const cpuFigure = rows.find((r) => r.cpuFigure)?.cpuFigure
  const body = rows.map(
    (r, i) =>
      h`<tr><td class="num">${i + 1}</td><td><b>${label(r.arm)}</b></td><td>${r.isolation}</td><td class="num">${num(r.startupMs)}</td><td class="num">${num(r.pssMiB)}</td><td class="num">${num(r.enginePssMiB)}</td><td class="num">${num(r.marginalPssMiB)}</td><td class="num">${pct(r.cpuLossPct)}</td><td class="num">${num(r.idleCpuCores)}</td></tr>`,
  )
  const used = [...new Set(rows.map((r) => r.isolation))] as Isolation[]
  return h`<section id="ladder"><h2>Isolation ladder</h2>
<p class="dim">Every arm of this run ordered by its median startup, with what each costs in memory and CPU beside it. ${used.map((k) => h`<b>${k}</b>: ${ISOLATION_NOTES[k]}. `)}</p>
${charts}
<table class="data"><thead><tr><th>#</th><th>arm</th><th>isolation</th><th>startup ms</th><th>PSS MiB / instance</th><th>engine share MiB</th><th>marginal PSS MiB</th><th>CPU overhead${cpuFigure ? h` (${cpuFigure})` : ''}</th><th>idle CPU, cores</th></tr></thead><tbody>${body}</tbody></table>
<p class="dim">startup: ${rows.find((r) => r.startupCell)?.startupCell ?? '–'} (median) · PSS at the smallest N measured · engine share: shim/conmon/lxc-start + daemons ÷ instances · marginal: slope of total PSS over N · CPU overhead: throughput lost against the reference arm</p></section>`
}
