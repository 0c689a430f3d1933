/**
 * The HTML sections of a report, as escaped markup: header and TCG banner, summary verdicts, host
 * provenance, arms, parity manifest, warnings, per-metric tables, failed samples (paper claims:
 * claims-section.ts).
 * Everything interpolated goes through `h` (escapes unless already Safe).
 */
import {runStatusText, type ArmRecord, type Comparison, type Results, type Summary} from '../core/results.js'
import {diagnosticNote, getMetric, metricRank} from '../metrics/index.js'
import {expectationOf} from './versus.js'
import {h, raw, type Safe} from './escape.js'
import {betterText, bytes, estimateText, num, paramsText} from './charts/format.js'

export const VERDICT_CLASS: Record<string, string> = {
  better: 'good',
  improvement: 'good',
  worse: 'bad',
  regression: 'bad',
  equivalent: 'neutral',
  inconclusive: 'warn',
  // paper claims
  confirmed: 'good',
  supported: 'good',
  holds: 'good',
  reproduced: 'good',
  pass: 'good',
  refuted: 'bad',
  contradicted: 'bad',
  'not-reproduced': 'bad',
  fail: 'bad',
  partial: 'warn',
  untested: 'neutral',
  'not-applicable': 'neutral',
  'not-comparable': 'neutral',
}

export function badge(verdict: string): Safe {
  return h`<span class="badge ${VERDICT_CLASS[verdict] ?? 'warn'}">${verdict}</span>`
}

export function tcgArms(results: Results): ArmRecord[] {
  return results.arms.filter((a) => a.accel === 'tcg')
}

export function headerSection(results: Results, title: string): Safe {
  const scenario = (results.scenario ?? {}) as {name?: unknown; description?: unknown; file?: unknown}
  const tcg = tcgArms(results)
  return h`<header>
<h1>${title}</h1>
<p class="meta">scenario <b>${scenario.name ?? '?'}</b>${scenario.file ? h` (${scenario.file})` : ''} · run <code>${results.runId}</code> · ${runStatusText(results)}${results.stopReason && results.stopReason !== 'killed' ? h` (stopped: ${results.stopReason})` : ''} · started ${results.startedAt}${results.finishedAt ? h` · finished ${results.finishedAt}` : ''} · ${results.tool?.name ?? 'isobench'} ${results.tool?.version ?? ''}${results.tool?.commit ? h` (${results.tool.commit})` : ''}</p>
${scenario.description ? h`<p class="desc">${scenario.description}</p>` : ''}
${tcg.length ? h`<div class="banner tcg" role="alert"><b>Emulated VM figures (TCG).</b> ${tcg.map((a) => a.name).join(', ')} ran under QEMU's software emulation (accel: tcg), not hardware virtualization: VM startup and CPU figures are far slower than with KVM and do not represent a VM on real hardware.</div>` : ''}
${results.status && results.status !== 'complete' ? h`<div class="banner warn-banner">This run is <b>${runStatusText(results)}</b>: it shows the samples measured before it stopped.</div>` : ''}
</header>`
}

/**
 * A verdict's badge, coloured by what it means here: red or green only for a verdict isolation does
 * not predict (report/headline.ts), grey for an expected one (container slower than process), amber
 * for inconclusive. The text stays the verdict.
 */
export function verdictBadge(c: Comparison, results: Pick<Results, 'arms'>): Safe {
  if (c.notComparable) return h`<span class="badge neutral" title="${c.notComparable}">not comparable</span>`
  const e = expectationOf(c, results)
  const cls = e === 'expected' ? 'neutral' : e === 'inconclusive' ? 'warn' : (VERDICT_CLASS[c.verdict] ?? 'warn')
  return h`<span class="badge ${cls}" title="${e === 'expected' ? 'as isolation predicts' : e === 'finding' ? 'not what isolation predicts' : 'the data cannot tell'}">${c.verdict}</span>`
}

/**
 * One comparison per (metric, figure, workload, arm pair): the largest instance count N, if any. The
 * figures each metric's headline verdicts are about are the metric's own declaration (Metric.headline:
 * its figures, else for a cell without any of them its fallback figures, such as idle CPU burn); the
 * other comparisons are one click away.
 */
export function headlineComparisons(
  comparisons: readonly Comparison[],
  summaries: readonly Pick<Summary, 'metric' | 'figure' | 'workload' | 'params'>[] = [],
): Comparison[] {
  const chosen = new Map<string, Comparison>()
  const cell = (x: Pick<Summary, 'metric' | 'workload' | 'params'>) => `${x.metric}/${x.workload}/${JSON.stringify(Object.entries(x.params).sort())}`
  const headlineOf = (metric: string) => getMetric(metric)?.headline ?? {figures: '*' as const}
  const isHeadline = (metric: string, f: string) => {
    const d = headlineOf(metric)
    return (d.figures === '*' || d.figures.includes(f)) && !d.except?.includes(f)
  }
  const withHeadline = new Set([...summaries, ...comparisons].filter((x) => isHeadline(x.metric, x.figure)).map(cell))
  for (const c of comparisons) {
    if (c.kind === 'interference') continue
    const fallback = !withHeadline.has(cell(c)) && (headlineOf(c.metric).fallback ?? []).includes(c.figure)
    if (!isHeadline(c.metric, c.figure) && !fallback) continue
    const key = `${c.metric}.${c.figure}/${c.workload}/${c.params.mode ?? ''}@${c.arm}|${c.baseline}`
    const prev = chosen.get(key)
    if (!prev || Number(c.params.n ?? 0) > Number(prev.params.n ?? 0)) chosen.set(key, c)
  }
  return [...chosen.values()]
}

export function fmtP(p: number): string {
  return !Number.isFinite(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3)
}

export function hostSection(results: Results): Safe {
  const host = results.host ?? ({} as Results['host'])
  const rows: Array<[string, unknown]> = [
    ['hostname', host.hostname],
    ['OS', host.os],
    ['kernel', host.kernel],
    [
      'CPU',
      host.cpu
        ? `${host.cpu.model} · ${host.cpu.cores} logical / ${host.cpu.physicalCores} physical cores${host.cpu.mhz ? ` · ${host.cpu.mhz} MHz` : ''}`
        : undefined,
    ],
    ['memory', bytes(host.memoryBytes)],
    ['virtualization', host.virtualization ?? (host.virt ? 'bare metal (no hypervisor, no container detected)' : 'none detected')],
    ['cgroups', host.cgroupMode],
    ['node', host.node],
  ]
  return h`<section id="host"><h2>Host provenance</h2><table class="kv">${rows.map(([k, v]) => h`<tr><th>${k}</th><td>${v ?? '–'}</td></tr>`)}</table>
${host.virt?.evidence.length ? h`<details><summary>How the virtualization was determined</summary><ul>${host.virt.evidence.map((e) => h`<li>${e}</li>`)}</ul></details>` : ''}
${host.cpu?.flags ? h`<details><summary>CPU flags</summary><p class="mono">${host.cpu.flags}</p></details>` : ''}</section>`
}

export function armsSection(results: Results): Safe {
  const rows = results.arms.map(
    (
      a,
    ) => h`<tr class="${a.accel === 'tcg' ? 'tcg-row' : ''}"><td><b>${a.name}</b></td><td>${a.kind}${a.isolation ? h`<div class="dim">${a.isolation}</div>` : ''}</td><td>${a.accel === 'tcg' ? h`<span class="badge bad">TCG (emulated)</span>` : a.accel}</td>
<td>${Object.entries(a.versions ?? {}).map(([k, v]) => h`<div><span class="dim">${k}</span> ${v}</div>`)}</td>
<td>${a.available === false ? h`<span class="badge warn">unavailable</span> ${a.reason ?? ''}` : h`available${a.reason ? h` <span class="dim">(${a.reason})</span>` : ''}`}${(a.notes ?? []).map((n) => h`<div class="dim">${n}</div>`)}</td></tr>`,
  )
  return h`<section id="arms"><h2>Arms</h2><table><thead><tr><th>arm</th><th>kind (isolation)</th><th>accel</th><th>versions</th><th>status</th></tr></thead><tbody>${rows}</tbody></table></section>`
}

export function paritySection(results: Results): Safe {
  const parity = results.parity ?? []
  if (parity.length === 0)
    return h`<section id="parity"><h2>Parity manifest</h2><p class="empty">No parity record in these results (the arms did not report rootfs digests or limits).</p></section>`
  const blocks = parity.map((p) => {
    const arms = [...new Set([...Object.keys(p.rootfsDigest ?? {}), ...Object.keys(p.limits ?? {})])]
    const digestOf = (a: string) => p.rootfsDigest?.[a]
    const cpusOf = (a: string) => p.limits?.[a]?.vcpus ?? p.limits?.[a]?.cpus
    const memOf = (a: string) => p.limits?.[a]?.guestMemoryMiB ?? p.limits?.[a]?.memoryMiB
    const mark = (get: (a: string) => unknown, a: string) => (isMinority(arms.map(get), get(a)) ? 'mismatch' : '')
    const rows = arms.map((a) => {
      const l = p.limits?.[a] ?? {}
      const d = p.rootfsDigest?.[a]
      return h`<tr><td><b>${a}</b></td><td class="mono ${mark(digestOf, a)}">${d ? short(d) : '–'}</td>
<td class="${mark(cpusOf, a)}">${l.vcpus !== undefined ? h`${l.vcpus} vCPU` : l.cpus !== undefined ? h`${l.cpus} cpu${l.cpus === 1 ? '' : 's'} (quota)` : '–'}${l.cpuset ? h` <span class="dim">cpuset ${l.cpuset}</span>` : ''}</td>
<td class="${mark(memOf, a)}">${l.guestMemoryMiB !== undefined ? h`${l.guestMemoryMiB} MiB guest RAM` : l.memoryMiB !== undefined ? h`${l.memoryMiB} MiB limit` : '–'}</td></tr>`
    })
    return h`<h3>workload ${p.workload}</h3>
${p.mismatches?.length ? h`<div class="banner mismatch-banner"><b>Parity mismatch:</b><ul>${p.mismatches.map((m) => h`<li>${m}</li>`)}</ul></div>` : h`<p class="ok">✓ same rootfs digest, vCPUs ↔ cpus and RAM ↔ memory limit match</p>`}
${
  p.seccomp
    ? h`<p class="dim">seccomp: ${Object.entries(p.seccomp)
        .map(([a, f]) => `${a} ${f}`)
        .join('; ')}</p>`
    : ''
}
${p.injected?.length ? h`<p class="dim">added outside the rootfs digest: ${p.injected.map((i) => `${i.path}${i.digest ? ` (${i.digest.slice(0, 19)})` : ''}: ${i.what}`).join('; ')}</p>` : ''}
${p.rootfsMedium ? h`<p class="dim">rootfs in ${p.rootfsMedium === 'disk' ? 'disk for every arm: VM virtio disk (host cache off), container overlay upper dir on the state dir' : 'memory for every arm: VM initramfs, container writable layer in a tmpfs of its own'}</p>` : ''}
<table><thead><tr><th>arm</th><th>rootfs digest</th><th>vCPUs ↔ cpus</th><th>RAM ↔ memory limit</th></tr></thead><tbody>${rows}</tbody></table>`
  })
  return h`<section id="parity"><h2>Parity manifest</h2>${blocks}</section>`
}

/** A defined value that differs from the most common defined value (ties: every differing value). */
export function isMinority(values: readonly unknown[], value: unknown): boolean {
  if (value === undefined) return false
  const counts = new Map<string, number>()
  for (const v of values) if (v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1)
  if (counts.size < 2) return false
  const top = Math.max(...counts.values())
  const leaders = [...counts].filter(([, n]) => n === top)
  return leaders.length > 1 || leaders[0]![0] !== String(value)
}

function short(digest: string): string {
  const m = /^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/.exec(digest)
  return m ? `sha256:${m[2]}…` : digest
}

export function warningsSection(results: Results): Safe {
  if (!results.warnings.length) return raw('')
  return h`<section id="warnings"><h2>Warnings</h2><ul class="warnings">${results.warnings.map((w) => h`<li><span class="badge warn">${w.code}</span> ${w.message}</li>`)}</ul></section>`
}

function summaryRow(s: Summary, label: (a: string) => string): Safe {
  return h`<tr><td>${s.figure}</td><td>${s.workload}</td><td>${paramsText(s.params)}</td><td><b>${label(s.arm)}</b></td><td class="num">${s.n}</td><td class="num ${s.failures ? 'bad-text' : ''}">${s.failures}</td><td class="num">${num(s.median)}</td><td class="num">${num(s.p90)}</td><td class="num">${num(s.p99)}</td><td class="num">${num(s.mean)} ± ${num(s.sd)}</td><td class="num">${Number.isFinite(s.cov) ? `${(s.cov * 100).toFixed(1)}%` : '–'}</td><td class="num">${s.outliers}</td><td>${s.unit} <span class="dim">${s.direction === 'higher' ? '↑' : '↓'}</span></td></tr>`
}

export function summaryTable(all: readonly Summary[], label: (a: string) => string): Safe {
  if (!all.length) return raw('')
  // Results written before a figure was declared diagnostic get its note from the registry.
  const note = (s: Summary) => s.diagnostic ?? diagnosticNote(s.metric, s.figure)
  const summaries = all.filter((s) => !note(s))
  const diagnostics = all.filter((s) => note(s)).map((s) => ({...s, diagnostic: note(s)}))
  const rows = summaries.map((s) => summaryRow(s, label))
  const head = h`<thead><tr><th>figure</th><th>workload</th><th>params</th><th>arm</th><th>n</th><th>failed</th><th>median</th><th>p90</th><th>p99</th><th>mean ± SD</th><th>CoV</th><th>outliers</th><th>unit (better)</th></tr></thead>`
  const notes = [...new Set(diagnostics.map((s) => `${s.figure}: ${s.diagnostic}`))]
  return h`${summaries.length ? h`<details><summary>Summaries (${summaries.length} cells: median, p90, p99, mean ± SD, CoV, outliers)</summary><table class="data">${head}<tbody>${rows}</tbody></table></details>` : ''}
${diagnostics.length ? h`<details><summary>Diagnostics (${diagnostics.length} cells, not figures of the instances)</summary>${notes.map((n) => h`<p class="dim">${n}</p>`)}<table class="data">${head}<tbody>${diagnostics.map((s) => summaryRow(s, label))}</tbody></table></details>` : ''}`
}

export function comparisonTable(comparisons: readonly Comparison[], label: (a: string) => string, results: Pick<Results, 'arms'>): Safe {
  if (!comparisons.length) return raw('')
  const rows = comparisons.map(
    (c) =>
      h`<tr><td>${c.figure}</td><td>${c.workload}</td><td>${paramsText(c.params)}</td><td><b>${label(c.arm)}</b> vs ${c.kind === 'interference' ? 'solo' : label(c.baseline)}</td><td class="num">${estimateText(c)}</td>${c.kind === 'interference' ? h`<td class="num">${num(c.degradationPct)}%${c.degradationCi ? h` [${num(c.degradationCi[0])}–${num(c.degradationCi[1])}%]` : ''}</td>` : h`<td></td>`}<td class="num">${fmtP(c.pValue)}</td><td>${verdictBadge(c, results)}</td><td>${c.text}</td></tr>`,
  )
  return h`<details><summary>Comparisons (${comparisons.length}: ratio of medians, 95% bootstrap CI, permutation p, verdict)</summary><table class="data"><thead><tr><th>figure</th><th>workload</th><th>params</th><th>arms</th><th>ratio (or Δ) [CI]</th><th>degradation</th><th>p</th><th>verdict</th><th>reading</th></tr></thead><tbody>${rows}</tbody></table></details>`
}

export function failuresSection(results: Results, label: (a: string) => string): Safe {
  const failed = results.samples.filter((s) => !s.ok || s.value === null)
  if (!failed.length) return raw('')
  const shown = failed.slice(0, 200)
  return h`<section id="failures"><h2>Failed samples (${failed.length}, kept with value null)</h2><table class="data"><thead><tr><th>metric</th><th>figure</th><th>workload</th><th>params</th><th>arm</th><th>rep</th><th>error</th></tr></thead><tbody>${shown.map(
    (s) =>
      h`<tr><td>${s.metric}</td><td>${s.figure ?? ''}</td><td>${s.workload}</td><td>${paramsText(s.params)}</td><td>${label(s.arm)}</td><td class="num">${s.rep}${s.warmup ? ' (warm-up)' : ''}</td><td><span class="badge warn">${s.error?.code ?? 'error'}</span> ${s.error?.message ?? ''}${s.error?.lastOutput ? h`<details><summary>last output</summary><pre>${s.error.lastOutput}</pre></details>` : ''}${s.error?.stderr ? h`<details><summary>stderr</summary><pre>${s.error.stderr}</pre></details>` : ''}</td></tr>`,
  )}</tbody></table>${failed.length > shown.length ? h`<p class="dim">… and ${failed.length - shown.length} more in the embedded data.</p>` : ''}</section>`
}

export function precisionSection(results: Results): Safe {
  const p = results.precision
  if (!p) return raw('')
  return h`<details><summary>Adaptive sampling: target ±${(p.target * 100).toFixed(1)}% CI half-width</summary><table class="data"><thead><tr><th>cell</th><th>reached</th><th>reps</th><th>worst half-width</th><th>stopped by</th></tr></thead><tbody>${p.cells.map(
    (c) =>
      h`<tr><td>${c.cell}</td><td>${c.reached ? '✓' : '✗'}</td><td class="num">${c.reps}</td><td class="num">${c.worstRelHalfWidth === null ? '–' : `${(c.worstRelHalfWidth * 100).toFixed(1)}%`}</td><td>${c.stoppedBy}</td></tr>`,
  )}</tbody></table></details>`
}
