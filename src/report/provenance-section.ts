/**
 * The provenance section: the preflight's warnings (each with its fix) and the host's facts, the
 * same facts as each arm saw them from inside, side by side, and every difference judged: material
 * ones name the comparisons they make "not comparable".
 */
import type {FactDiff, ProvenanceRecord} from '../core/provenance.js'
import type {Results} from '../core/results.js'
import {h, raw, type Safe} from './escape.js'

/** The facts shown side by side (host key, arm key, label). */
const ROWS: Array<[string, string, string]> = [
  ['kernel.version', 'kernel.version', 'kernel'],
  ['kernel.mitigations', 'kernel.mitigations', 'mitigation parameters'],
  ['kernel.clocksource', 'kernel.clocksource', 'clocksource'],
  ['host.cpus', 'cpus.visible', 'CPUs visible'],
  ['mm.thp', 'mm.thp', 'transparent huge pages'],
  ['', 'memory.visible_mib', 'memory visible (MiB)'],
  ['', 'limit.cpus', 'CPU limit in force (cpus)'],
  ['', 'limit.memory_mib', 'memory limit in force (MiB)'],
  ['', 'limit.pids', 'pids limit in force'],
  ['', 'limit.cpuset', 'cpuset in force'],
  ['', 'limit.source', 'limits read from'],
]

function diffRow(arm: string, d: FactDiff): Safe {
  return h`<tr><td><b>${arm === '*' ? 'host' : arm}</b></td><td class="mono fact">${d.key}</td><td>${Object.entries(d.values).map(([side, v]) => h`<div><span class="dim">${side}</span> ${v}</div>`)}</td><td>${d.material ? h`<span class="badge bad">material</span>` : h`<span class="badge neutral">recorded</span>`}</td><td>${d.why}</td></tr>`
}

export function diffTable(diffs: ProvenanceRecord['diffs'], opts: {withVulns?: boolean} = {}): Safe {
  const rows = diffs.flatMap((a) => a.diffs.filter((d) => opts.withVulns || !d.key.startsWith('vuln.')).map((d) => diffRow(a.arm, d)))
  if (rows.length === 0) return h`<p class="ok">✓ no difference between the sides</p>`
  return h`<table class="data"><thead><tr><th>side</th><th>fact</th><th>values</th><th></th><th>why it matters</th></tr></thead><tbody>${rows}</tbody></table>`
}

export function provenanceSection(results: Results): Safe {
  const p = results.provenance
  if (!p) return h`<section id="provenance"><h2>Provenance: preflight and arm diff</h2><p class="empty">No provenance record in these results.</p></section>`
  const arms = Object.keys(p.arms)
  const host = p.preflight.facts
  const warn = p.preflight.warnings
  const notComparable = results.comparisons.filter((c) => c.notComparable)
  const vulns = [...new Set([...Object.keys(host), ...arms.flatMap((a) => Object.keys(p.arms[a]!.facts))].filter((k) => k.startsWith('vuln.')))].sort()
  const cell = (v: string | undefined, ref: string | undefined) =>
    h`<td class="${ref !== undefined && v !== undefined && v !== ref ? 'differs' : ''}">${v ?? '–'}</td>`
  return h`<section id="provenance"><h2>Provenance: preflight and arm diff</h2>
<p class="dim">What skews benchmarks on this host (preflight, taken ${p.preflight.at}), and the same facts read from inside each arm by a probe instance (markers channel), with the limits in force read from the instance's cgroup.</p>
${warn.length ? h`<ul class="warnings">${warn.map((w) => h`<li><span class="badge ${w.severity === 'warn' ? 'warn' : 'neutral'}">${w.code}</span> ${w.message} <span class="dim">— fix: <code>${w.fix}</code></span></li>`)}</ul>` : h`<p class="ok">✓ preflight found nothing that skews benchmarks</p>`}
${p.preflight.topConsumers.length ? h`<p class="dim">Top CPU consumers before the run: ${p.preflight.topConsumers.map((t) => `${t.comm} (pid ${t.pid}) ${t.cpuPct.toFixed(0)}%`).join(', ')}</p>` : ''}
<table class="data facts"><thead><tr><th>fact</th><th>host</th>${arms.map((a) => h`<th>${a}</th>`)}</tr></thead><tbody>${ROWS.map(
    ([hk, ak, label]) =>
      h`<tr><td>${label}</td><td>${hk ? (host[hk] ?? '–') : '–'}</td>${arms.map((a) => cell(p.arms[a]!.facts[ak], hk ? host[hk] : undefined))}</tr>`,
  )}</tbody></table>
${arms.filter((a) => p.arms[a]!.error).map((a) => h`<p class="banner warn-banner">${a}: no facts from inside — ${p.arms[a]!.error}</p>`)}
<h3>Differences</h3>
${diffTable(p.diffs)}
${notComparable.length ? h`<div class="banner mismatch-banner"><b>Not comparable (${notComparable.length}):</b><ul>${notComparable.map((c) => h`<li>${c.metric}.${c.figure} ${c.arm} vs ${c.baseline}: ${c.notComparable}</li>`)}</ul></div>` : ''}
${vulns.length ? h`<details><summary>CPU vulnerabilities files (${vulns.length})</summary><table class="data"><thead><tr><th>file</th><th>host</th>${arms.map((a) => h`<th>${a}</th>`)}</tr></thead><tbody>${vulns.map((k) => h`<tr><td class="mono">${k.slice(5)}</td><td>${host[k] ?? '–'}</td>${arms.map((a) => cell(p.arms[a]!.facts[k], host[k]))}</tr>`)}</tbody></table></details>` : raw('')}
<details><summary>All host facts (${Object.keys(host).length})</summary><table class="kv">${Object.entries(host).map(([k, v]) => h`<tr><th>${k}</th><td>${v}</td></tr>`)}</table></details>
</section>`
}
