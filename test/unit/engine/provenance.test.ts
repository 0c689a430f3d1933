import {describe, expect, it} from 'vitest'
import {enforceStrict} from '../../../src/cli/preflight-text.js'
import {MarkerStream} from '../../../src/core/markers.js'
import type {Comparison} from '../../../src/core/results.js'
import {countCpuList, FACTS_SCRIPT, FACTS_WORKLOAD, normalizeFacts} from '../../../src/engine/provenance/arm-facts.js'
import {guestCmdline, MAX_CMDLINE} from '../../../src/vm/guest-init.js'
import {armVsHost, diffRuns, disabledMitigations, judge, limitsInForce, markNotComparable} from '../../../src/engine/provenance/diff.js'
import {lintFacts, mitigationParams, selected} from '../../../src/host/preflight.js'

describe('the fact phase of the markers protocol', () => {
  it('keeps `ISOBENCH fact k v` lines as facts, never as marks or output, and bounds them', () => {
    const m = new MarkerStream()
    m.line('ISOBENCH init w', 1)
    m.line('ISOBENCH fact kernel.version 6.1.0-57-cloud-amd64', 2)
    m.line('ISOBENCH fact kernel.cmdline console=ttyS0 quiet', 3)
    m.line('ISOBENCH fact bad/key x', 4)
    m.line(`ISOBENCH fact long ${'x'.repeat(5000)}`, 5)
    expect(m.marks.map((x) => x.phase)).toEqual(['init'])
    expect(m.facts['kernel.version']).toBe('6.1.0-57-cloud-amd64')
    expect(m.facts['kernel.cmdline']).toBe('console=ttyS0 quiet')
    expect(m.facts['bad/key']).toBeUndefined()
    expect(m.facts.long).toHaveLength(2048)
    expect(m.output()).not.toContain('ISOBENCH fact')
    for (let i = 0; i < 400; i++) m.line(`ISOBENCH fact k${i} v`, 6)
    expect(Object.keys(m.facts).length).toBeLessThanOrEqual(256)
  })

  it('the probe fits a VM kernel command line beside everything else the guest gets (x86 COMMAND_LINE_SIZE 2048)', () => {
    // A long case: network modules, an address, a 63-character hostname, three long nameservers, the TSC.
    const line = guestCmdline({
      argv: FACTS_WORKLOAD.argv,
      env: {},
      modules: ['virtio_mmio', 'failover', 'net_failover', 'virtio_net'],
      net: '198.18.255.254/15,198.18.0.1',
      hostname: 'h'.repeat(63),
      nameservers: ['2001:db8:ffff:ffff:ffff:ffff:ffff:1', '2001:db8:ffff:ffff:ffff:ffff:ffff:2', '203.0.113.255'],
      tscKhz: 2596144,
    })
    expect(line.length).toBeLessThanOrEqual(MAX_CMDLINE)
    expect(FACTS_WORKLOAD.argv.at(-1)).toBe(FACTS_SCRIPT)
  })
})

describe('arm facts, normalized', () => {
  it('cgroup v1 quota and memory limit become cpus and MiB; unlimited is none; isobench plumbing leaves the cmdline', () => {
    const f = normalizeFacts({
      'kernel.cmdline': 'console=ttyS0 isobench.w=AAAA mitigations=off isobench.net=x',
      'cpu.allowed': '0-1,4',
      'mem.total_kib': '262144',
      'mm.thp': 'always [madvise] never',
      'cgroup.version': '1',
      'cgroup.cpu.cfs': '50000 100000',
      'cgroup.memory.limit': '268435456',
      'cgroup.pids.max': 'max',
    })
    expect(f).toMatchObject({
      'kernel.cmdline': 'console=ttyS0 mitigations=off',
      'kernel.mitigations': 'mitigations=off',
      'cpus.visible': '3',
      'memory.visible_mib': '256',
      'mm.thp': 'madvise',
      'limit.cpus': '0.5',
      'limit.memory_mib': '256',
      'limit.pids': 'none',
    })
    expect(normalizeFacts({'cgroup.cpu.cfs': '-1 100000', 'cgroup.memory.limit': '9223372036854771712'})).toMatchObject({
      'limit.cpus': 'none',
      'limit.memory_mib': 'none',
    })
    expect(normalizeFacts({'cgroup.cpu.max': '200000 100000', 'cgroup.memory.max': 'max'})).toMatchObject({'limit.cpus': '2', 'limit.memory_mib': 'none'})
    expect(countCpuList('0')).toBe(1)
  })
})

describe('what is material', () => {
  it('mitigations: only a switch that turns one off on one side only', () => {
    expect(disabledMitigations('mitigations=auto,no_guest_host nopti spectre_v2=off')).toEqual(['pti', 'spectre_v2'])
    expect(judge('kernel.mitigations', 'mitigations=auto,no_guest_host,no_guest_guest', 'default').material).toBe(false)
    expect(judge('kernel.mitigations', 'mitigations=off', 'default')).toMatchObject({material: true, affects: 'cpu'})
  })

  it('a low-resolution clocksource makes the figures a workload times itself incomparable', () => {
    expect(judge('kernel.clocksource', 'tsc', 'kvm-clock').material).toBe(false)
    expect(judge('kernel.clocksource', 'jiffies', 'tsc')).toMatchObject({material: true, affects: 'workload-timed'})
  })

  it("a VM's own kernel is recorded, not judged", () => {
    const d = armVsHost(
      'qemu',
      {'kernel.version': '6.1.0', 'kernel.clocksource': 'tsc', 'kernel.mitigations': 'default'},
      {'kernel.version': '6.18', 'kernel.clocksource': 'tsc'},
    )
    expect(d.diffs.map((x) => [x.key, x.material])).toEqual([['kernel.version', false]])
  })

  it('limits in force that are not the scenario’s are material for every figure; the process arm has none by design', () => {
    expect(limitsInForce('container', 'container', {'limit.cpus': '1', 'limit.memory_mib': '256'}, {cpus: 1, memoryMiB: 256})).toEqual([])
    const bad = limitsInForce('runc', 'oci', {'limit.cpus': 'none', 'limit.memory_mib': '256'}, {cpus: 1, memoryMiB: 256})
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatchObject({key: 'limit.cpus', material: true, affects: 'all'})
    expect(limitsInForce('qemu', 'vm', {'cpus.visible': '2'}, {cpus: 1})).toHaveLength(1)
    expect(limitsInForce('process', 'process', {'limit.cpus': 'none'}, {cpus: 1})).toEqual([])
  })

  it('marks the comparisons a material difference affects "not comparable", keeping the verdict', () => {
    const c = (metric: string, figure: string, arm: string): Comparison =>
      ({
        metric,
        figure,
        workload: 'cpu',
        params: {},
        arm,
        baseline: 'process',
        unit: '',
        direction: 'higher',
        ratio: 0.9,
        ci: [0.8, 0.95],
        pValue: 0.01,
        verdict: 'worse',
        text: 't',
      }) as Comparison
    const list = [c('cpu', 'ops_per_s', 'qemu'), c('cpu', 'cpu_per_s', 'qemu'), c('startup', 'ready', 'qemu'), c('cpu', 'ops_per_s', 'container')]
    markNotComparable(list, [
      {arm: 'qemu', against: 'host', diffs: [{key: 'kernel.clocksource', values: {}, ...judge('kernel.clocksource', 'jiffies', 'tsc')}]},
    ])
    expect(list.map((x) => Boolean(x.notComparable))).toEqual([true, false, false, false])
    expect(list[0]!.verdict).toBe('worse')
    expect(list[0]!.text).toContain('not comparable: qemu: kernel.clocksource')
  })

  it("between runs: the host's kernel or CPU changing is material, its load is not", () => {
    const d = diffRuns(
      {host: {'kernel.version': '6.1', 'host.load': '1', 'mm.thp': 'madvise'}, arms: {qemu: {'kernel.version': 'a', 'limit.cpus': '1'}}},
      {host: {'kernel.version': '6.2', 'host.load': '9', 'mm.thp': 'madvise'}, arms: {qemu: {'kernel.version': 'b', 'limit.cpus': '1'}}},
    )
    expect(d.map((x) => [x.arm, x.diffs.map((y) => [y.key, y.material])])).toEqual([
      ['*', [['kernel.version', true]]],
      ['qemu', [['kernel.version', true]]],
    ])
  })
})

describe('preflight lint', () => {
  const quiet = {
    'cpu.governor': 'performance',
    'cpu.turbo': 'off',
    'cpu.smt': 'off',
    'cpu.isolated': '2-3',
    'cpu.nohz_full': '2-3',
    'mm.thp': 'madvise',
    'mm.ksm': 'off',
    'mm.swap': 'off',
    'random.entropy_avail': '256',
    'host.cpus': '4',
    'host.load': '0.1 0.1 0.1',
    'host.busy_pct': '2',
    'host.steal_pct': '0',
    'kernel.mitigations': 'default',
  }

  it('a quiet, tuned host has no warning', () => {
    expect(lintFacts(quiet)).toEqual([])
  })

  it('every skew earns a warning that carries its fix', () => {
    const w = lintFacts(
      {
        ...quiet,
        'cpu.governor': 'powersave',
        'cpu.turbo': 'on',
        'cpu.smt': 'on',
        'mm.thp': 'always',
        'mm.ksm': 'running',
        'mm.swap': '/swapfile',
        'random.entropy_avail': '30',
        'host.busy_pct': '80',
        'host.steal_pct': '5',
      },
      [{pid: 7, comm: 'stress', cpuPct: 95}],
    )
    expect(w.map((x) => x.code)).toEqual(['governor', 'turbo', 'smt', 'thp', 'ksm', 'swap', 'entropy', 'host-load', 'steal'])
    expect(w.every((x) => x.severity === 'warn' && x.fix.length > 5)).toBe(true)
    expect(w.find((x) => x.code === 'governor')!.fix).toBe('cpupower frequency-set -g performance')
    expect(w.find((x) => x.code === 'host-load')!.message).toContain('stress (pid 7) 95%')
  })

  it("names another user's process as one visible line: a name it chose (PR_SET_NAME) cannot break or escape the warning", () => {
    const w = lintFacts({...quiet, 'host.busy_pct': '90'}, [{pid: 9, comm: 'x\n\u001b[2Jy', cpuPct: 80}])
    expect(w.find((x) => x.code === 'host-load')!.message).toContain('top: x\\n\\x1b[2Jy (pid 9) 80%')
  })

  it('--strict fails on a warning, never on an info line', () => {
    const info = lintFacts({...quiet, 'cpu.isolated': 'none', 'cpu.nohz_full': 'none'})
    expect(info.map((x) => x.severity)).toEqual(['info'])
    expect(() => enforceStrict({at: '', facts: {}, topConsumers: [], warnings: info})).not.toThrow()
    const warn = lintFacts({...quiet, 'mm.swap': '/dev/sda2'})
    expect(() => enforceStrict({at: '', facts: {}, topConsumers: [], warnings: warn})).toThrow(/preflight --strict: swap .*fix: swapoff -a/)
  })

  it('reads sysfs selectors and the mitigation parameters of a command line', () => {
    expect(selected('always [madvise] never')).toBe('madvise')
    expect(mitigationParams('console=ttyS0 mitigations=auto,nosmt quiet nopti')).toBe('mitigations=auto,nosmt nopti')
  })
})
