/**
 * Preflight: what on this host skews benchmarks, recorded as facts and linted into warnings that
 * each carry their fix. Read from the kernel's own files (cpufreq, SMT control, THP, KSM, swap,
 * isolcpus/nohz_full, mitigations and the vulnerabilities files, clocksource, entropy), plus the
 * host's load over a short sample with its top CPU consumers and the steal time. The host record
 * (hostFacts, src/host/facts.ts: CPU, kernel, hypervisor) supplies the rest. Rules and their fixes:
 * the kernel's admin guides (Documentation/admin-guide/pm/cpufreq.rst, mm/transhuge.rst, mm/ksm.rst,
 * hw-vuln/, kernel-parameters.txt) and the usual benchmarking checklists (pyperf's `system tune`).
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import type {PreflightRecord, PreflightWarning, TopConsumer} from '../core/provenance.js'
import type {HostRecord} from '../core/results.js'
import {oneLine} from '../core/text.js'
import {allProcessCpu} from './counters/proc.js'
import {busySeconds, readHostCounters} from './counters/system.js'

export type {PreflightRecord, PreflightWarning, TopConsumer}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return null
  }
}

/** The bracketed choice of a sysfs selector: "always [madvise] never" → "madvise". */
export function selected(text: string | null): string | null {
  if (text === null) return null
  return /\[([^\]]+)\]/.exec(text)?.[1] ?? text
}

/** Kernel parameters that change speculative-execution mitigations (kernel-parameters.txt). */
const MITIGATION_PARAMS =
  /^(mitigations|nospectre_v1|nospectre_v2|spectre_v2|spectre_v2_user|spec_store_bypass_disable|pti|nopti|mds|tsx_async_abort|l1tf|retbleed|srbds|mmio_stale_data|gather_data_sampling|spec_rstack_overflow|nosmt)(=|$)/

/** The mitigation-related parameters of a kernel command line, in order ('' when none: the kernel's defaults). */
export function mitigationParams(cmdline: string): string {
  return cmdline
    .split(/\s+/)
    .filter((p) => MITIGATION_PARAMS.test(p))
    .join(' ')
}

/** Every fact the kernel offers without sampling (cheap: small sysfs and procfs files). */
export function readStaticFacts(): Record<string, string> {
  const f: Record<string, string> = {}
  const set = (k: string, v: string | null | undefined) => {
    if (v !== null && v !== undefined && v !== '') f[k] = v
  }
  const cpus = readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d))
  const governors = [...new Set(cpus.map((c) => read(`/sys/devices/system/cpu/${c}/cpufreq/scaling_governor`)).filter((g): g is string => g !== null))]
  set('cpu.governor', governors.length ? governors.join(',') : 'none (no cpufreq: frequency not controlled by this kernel)')
  const noTurbo = read('/sys/devices/system/cpu/intel_pstate/no_turbo')
  const boost = read('/sys/devices/system/cpu/cpufreq/boost')
  set(
    'cpu.turbo',
    noTurbo !== null
      ? noTurbo === '0'
        ? 'on'
        : 'off'
      : boost !== null
        ? boost === '1'
          ? 'on'
          : 'off'
        : 'unknown (no intel_pstate or cpufreq boost control)',
  )
  set('cpu.smt', read('/sys/devices/system/cpu/smt/active') === '1' ? 'on' : read('/sys/devices/system/cpu/smt/active') === '0' ? 'off' : 'unknown')
  set('cpu.smt_control', read('/sys/devices/system/cpu/smt/control'))
  set('cpu.isolated', read('/sys/devices/system/cpu/isolated') || 'none')
  set('cpu.nohz_full', read('/sys/devices/system/cpu/nohz_full') || 'none')
  set('mm.thp', selected(read('/sys/kernel/mm/transparent_hugepage/enabled')))
  set('mm.thp_defrag', selected(read('/sys/kernel/mm/transparent_hugepage/defrag')))
  const ksm = read('/sys/kernel/mm/ksm/run')
  set('mm.ksm', ksm === null ? 'unavailable' : ksm === '1' ? 'running' : ksm === '2' ? 'unmerging' : 'off')
  const swaps = (read('/proc/swaps') ?? '').split('\n').slice(1).filter(Boolean)
  set('mm.swap', swaps.length ? swaps.map((l) => l.split(/\s+/)[0]).join(',') : 'off')
  set('mm.swappiness', read('/proc/sys/vm/swappiness'))
  const cmdline = read('/proc/cmdline') ?? ''
  set('kernel.version', read('/proc/sys/kernel/osrelease'))
  set('kernel.cmdline', cmdline)
  set('kernel.mitigations', mitigationParams(cmdline) || 'default')
  set('kernel.clocksource', read('/sys/devices/system/clocksource/clocksource0/current_clocksource'))
  set('random.entropy_avail', read('/proc/sys/kernel/random/entropy_avail'))
  const vulnDir = '/sys/devices/system/cpu/vulnerabilities'
  if (existsSync(vulnDir)) for (const v of readdirSync(vulnDir).sort()) set(`vuln.${v}`, read(`${vulnDir}/${v}`))
  return f
}

/** Load, steal and top consumers over `ms` of wall time. */
export async function sampleLoad(ms: number): Promise<{facts: Record<string, string>; top: TopConsumer[]}> {
  const h0 = readHostCounters()
  const p0 = allProcessCpu()
  await new Promise((r) => setTimeout(r, ms))
  const h1 = readHostCounters()
  const p1 = allProcessCpu()
  const wall = (h1.at - h0.at) / 1000
  const total = busySeconds(h1) - busySeconds(h0) + (h1.cpu.idle - h0.cpu.idle) + (h1.cpu.iowait - h0.cpu.iowait) + (h1.cpu.steal - h0.cpu.steal)
  const top: TopConsumer[] = []
  for (const [pid, b] of p1) {
    const a = p0.get(pid)
    const used = b.cpuS - (a?.cpuS ?? b.cpuS)
    if (used > 0 && pid !== process.pid) top.push({pid, comm: b.comm, cpuPct: (used / wall) * 100})
  }
  top.sort((x, y) => y.cpuPct - x.cpuPct)
  const loadavg = read('/proc/loadavg')?.split(' ') ?? []
  return {
    facts: {
      'host.cpus': String(h1.cpus),
      'host.load': loadavg.slice(0, 3).join(' '),
      'host.busy_pct': total > 0 ? ((100 * (busySeconds(h1) - busySeconds(h0))) / total).toFixed(1) : '0',
      'host.steal_pct': total > 0 ? ((100 * (h1.cpu.steal - h0.cpu.steal)) / total).toFixed(1) : '0',
      'host.procs_running': String(h1.procsRunning),
    },
    top: top.slice(0, 5),
  }
}

/** The warnings a set of facts earns, each with its fix (pure: unit-tested). */
export function lintFacts(f: Record<string, string>, top: readonly TopConsumer[] = []): PreflightWarning[] {
  const w: PreflightWarning[] = []
  const gov = f['cpu.governor'] ?? ''
  if (gov && !gov.startsWith('none') && gov !== 'performance')
    w.push({
      code: 'governor',
      severity: 'warn',
      message: `CPU frequency governor is ${gov}: the clock follows the load, so timings depend on what ran just before`,
      fix: 'cpupower frequency-set -g performance',
    })
  if (f['cpu.turbo'] === 'on')
    w.push({
      code: 'turbo',
      severity: 'warn',
      message: 'turbo boost is on: the clock rises and falls with temperature and the number of busy cores',
      fix: existsSync('/sys/devices/system/cpu/intel_pstate/no_turbo')
        ? 'echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo'
        : 'echo 0 > /sys/devices/system/cpu/cpufreq/boost',
    })
  if (f['cpu.smt'] === 'on')
    w.push({
      code: 'smt',
      severity: 'warn',
      message: 'SMT (hyper-threading) is on: two arms pinned to sibling threads share one core',
      fix: 'echo off > /sys/devices/system/cpu/smt/control (or pin arms to distinct cores)',
    })
  if (f['mm.thp'] === 'always')
    w.push({
      code: 'thp',
      severity: 'warn',
      message: 'transparent huge pages: always — khugepaged collapses pages in the background and memory figures drift',
      fix: 'echo madvise > /sys/kernel/mm/transparent_hugepage/enabled',
    })
  if (f['mm.ksm'] === 'running')
    w.push({
      code: 'ksm',
      severity: 'warn',
      message: "KSM is merging pages: VMs' memory shrinks while they run, so PSS depends on when it is read",
      fix: 'echo 2 > /sys/kernel/mm/ksm/run (unmerge and stop)',
    })
  if (f['mm.swap'] && f['mm.swap'] !== 'off')
    w.push({
      code: 'swap',
      severity: 'warn',
      message: `swap is on (${f['mm.swap']}): under memory pressure pages go to disk and RSS/PSS fall`,
      fix: 'swapoff -a',
    })
  if (f['cpu.isolated'] === 'none' && f['cpu.nohz_full'] === 'none')
    w.push({
      code: 'isolation',
      severity: 'info',
      message: 'no isolated CPUs (isolcpus/nohz_full): instances share CPUs with every other task',
      fix: 'boot with isolcpus=<cpus> nohz_full=<cpus> and pin arms there (cpuset limits)',
    })
  const entropy = Number(f['random.entropy_avail'])
  if (Number.isFinite(entropy) && entropy < 256)
    w.push({
      code: 'entropy',
      severity: 'warn',
      message: `entropy pool at ${entropy} bits: a guest or runtime reading getrandom early may block`,
      fix: 'apt-get install rng-tools5 (or haveged)',
    })
  const cpus = Number(f['host.cpus'])
  const busy = Number(f['host.busy_pct'])
  const load1 = Number(f['host.load']?.split(' ')[0])
  if ((Number.isFinite(busy) && busy > 25) || (Number.isFinite(load1) && Number.isFinite(cpus) && cpus > 0 && load1 > cpus * 0.5)) {
    const names = top
      .slice(0, 3)
      .map((t) => `${oneLine(t.comm)} (pid ${t.pid}) ${t.cpuPct.toFixed(0)}%`) // any process names itself (PR_SET_NAME): one visible line
      .join(', ')
    w.push({
      code: 'host-load',
      severity: 'warn',
      message: `host busy before the run: ${Number.isFinite(busy) ? `${busy.toFixed(0)}% CPU busy` : ''}${Number.isFinite(load1) ? `, load ${load1} on ${cpus} CPUs` : ''}${names ? `; top: ${names}` : ''}`,
      fix: 'stop the other workloads (top consumers above) or run on an idle host',
    })
  }
  const steal = Number(f['host.steal_pct'])
  if (Number.isFinite(steal) && steal > 1)
    w.push({
      code: 'steal',
      severity: 'warn',
      message: `steal time ${steal.toFixed(1)}%: the hypervisor ran other guests on these CPUs`,
      fix: 'use a dedicated host or instance type (no CPU overcommit)',
    })
  if (f['kernel.mitigations'] && f['kernel.mitigations'] !== 'default')
    w.push({
      code: 'mitigations',
      severity: 'info',
      message: `kernel mitigations set on the command line: ${f['kernel.mitigations']} (syscall-heavy figures depend on them)`,
      fix: 'record it; compare only runs with the same mitigations',
    })
  if (f['host.virtualization'])
    w.push({
      code: 'virtualized',
      severity: 'info',
      message: `this host is itself a virtual machine (${f['host.virtualization']}): its CPUs are the hypervisor's to schedule`,
      fix: 'benchmark on bare metal for figures that do not include a hypervisor',
    })
  return w
}

/** The whole preflight: static facts, a load sample of `sampleMs`, the host record's facts, and the lint. */
export async function preflight(host: Pick<HostRecord, 'kernel' | 'cpu' | 'virtualization'>, opts: {sampleMs?: number} = {}): Promise<PreflightRecord> {
  const facts = readStaticFacts()
  const load = await sampleLoad(opts.sampleMs ?? 500)
  Object.assign(facts, load.facts)
  facts['cpu.model'] = host.cpu?.model ?? 'unknown'
  if (host.virtualization) facts['host.virtualization'] = host.virtualization
  return {at: new Date().toISOString(), facts, topConsumers: load.top, warnings: lintFacts(facts, load.top)}
}
