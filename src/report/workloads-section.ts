/**
 * The report's workloads section: each workload a run measured, where it came from (built-in, plugin,
 * file, inline, command line), the image it ran, the command, and which readiness rule decided its
 * startup (for a service, the first successful probe from the host, not the init's marker), with the
 * source of each figure (a regex, a parser key, exit-time).
 */
import type {Results} from '../core/results.js'
import {h, type Safe} from './escape.js'

const NOTE =
  'Startup ends at each workload’s readiness rule: the init’s marker, its exit, a log line, or — for services — the first successful tcp/http probe from the host through the arm’s network (the init’s marker stays in the phases).'

export function workloadsSection(results: Results): Safe {
  const workloads = results.workloads ?? []
  if (workloads.length === 0)
    return h`<section id="workloads"><h2>Workloads</h2><p class="empty">These results do not record their workloads (an older run).</p></section>`
  const rows = workloads.map(
    (w) => h`<tr><td><b>${w.name}</b> <span class="dim">v${w.version}</span></td><td>${w.origin.kind}<div class="dim">${w.origin.label}</div></td>
<td>${w.image.source}<div class="dim mono">${w.image.rootfsDigest ? `rootfs ${w.image.rootfsDigest.slice(0, 19)}` : ''}</div></td>
<td class="mono">${w.argv.join(' ')}</td><td><b>${w.ready}</b></td>
<td>${w.figures.map((f) => h`<div>${f.name} <span class="dim">[${f.unit}] ${f.source}</span></div>`)}${w.load ? h`<div class="dim">load: <span class="mono">${w.load}</span></div>` : ''}</td></tr>`,
  )
  return h`<section id="workloads"><h2>Workloads</h2><p class="dim">${NOTE}</p><table><thead><tr><th>workload</th><th>from</th><th>image</th><th>command</th><th>ready when</th><th>figures</th></tr></thead><tbody>${rows}</tbody></table></section>`
}
