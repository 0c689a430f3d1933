import {describe, expect, it} from 'vitest'
import {parseCgroupMounts, parseKeyValues, parsePressure, parseProcCgroup} from '../../../src/host/counters/cgroup.js'
import {hostDeltas, processRoles, readyCounters, windowCounters, type InstanceSnapshot} from '../../../src/host/counters/instance.js'
import {kvmExitAvailability, parseKvmExits, parsePerfStatCsv} from '../../../src/host/counters/perf.js'
import {parseStat, parseStatus, threadClass, type ProcessCounters} from '../../../src/host/counters/proc.js'
import {parseSmaps, vmmMemoryParts} from '../../../src/host/counters/smaps.js'
import {parseProcStat, type HostCounters} from '../../../src/host/counters/system.js'

const MiB = 1024 * 1024

describe('procfs parsers (proc(5))', () => {
  it('reads utime, stime, faults and the waited-for children from a stat line whose comm holds spaces and parentheses', () => {
    // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const s = parseStat('4242 (CPU 0/TCG) (x)) S 1 4242 4242 0 -1 4194560 1500 0 7 0 250 30 12 8 20 0 4 0 100 0 0')
    expect(s).toEqual({comm: 'CPU 0/TCG) (x)', ppid: 1, minflt: 1500, majflt: 7, userS: 2.5, systemS: 0.3, childrenS: 0.2})
  })

  it('reads context switches and the innermost pid of a container init from status', () => {
    const st = parseStatus('Name:\tsh\nNSpid:\t2565\t1\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n')
    expect(st).toEqual({voluntary: 12, involuntary: 3, nspid: [2565, 1]})
  })

  it("classes qemu's threads by the names debug-threads=on gives them", () => {
    expect(threadClass({tid: 11, comm: 'CPU 0/TCG'}, 10)).toBe('vcpu')
    expect(threadClass({tid: 12, comm: 'CPU 1/KVM'}, 10)).toBe('vcpu')
    expect(threadClass({tid: 10, comm: 'qemu-system-x86'}, 10)).toBe('main')
    expect(threadClass({tid: 13, comm: 'worker'}, 10)).toBe('io')
    expect(threadClass({tid: 14, comm: 'call_rcu'}, 10)).toBe('io')
  })
})

describe('cgroup files', () => {
  it('maps v1 controllers and the cgroup2 path of /proc/PID/cgroup (a hybrid host)', () => {
    const p = parseProcCgroup('4:memory:/isobench/c1\n2:cpu,cpuacct:/isobench/c1\n1:name=systemd:/\n0::/\n')
    expect(p).toEqual({v1: {memory: '/isobench/c1', cpu: '/isobench/c1', cpuacct: '/isobench/c1', 'name=systemd': '/'}, v2: '/'})
  })

  it('finds each controller mount, and the cgroup2 mount', () => {
    const m = parseCgroupMounts('cgroup /sys/fs/cgroup/cpu cgroup rw,nosuid,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n')
    expect(m.v1.cpu).toBe('/sys/fs/cgroup/cpu')
    expect(m.v2).toBe('/sys/fs/cgroup/unified')
  })

  it('reads cpu.stat and pressure totals', () => {
    expect(parseKeyValues('nr_periods 10\nnr_throttled 2\nthrottled_time 5000000\n')).toEqual({nr_periods: 10, nr_throttled: 2, throttled_time: 5000000})
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=56\n')).toEqual({
      some: 1234,
      full: 56,
    })
  })

  it('sums the cpu line of /proc/stat in seconds and counts CPUs and the run queue', () => {
    const h = parseProcStat('cpu  100 0 50 1000 10 0 5 7 0 0\ncpu0 50 0 25 500 5 0 2 3 0 0\ncpu1 50 0 25 500 5 0 3 4 0 0\nprocs_running 3\nprocs_blocked 1\n')
    expect(h.cpu.steal).toBe(0.07)
    expect(h.cpu.user).toBe(1)
    expect(h.cpus).toBe(2)
    expect(h.procsRunning).toBe(3)
  })
})

describe('smaps: where a VMM memory goes', () => {
  const smaps = [
    '55f3f3768000-55f3f3b6f000 r--p 00000000 fe:00 2170917   /usr/bin/qemu-system-x86_64',
    'Rss: 4124 kB',
    'Pss: 4000 kB',
    '55f417e66000-55f4188d9000 rw-p 00000000 00:00 0   [heap]',
    'Pss: 4448 kB',
    '7f1253e00000-7f1263e00000 rw-p 00000000 00:00 0 ',
    'Pss: 83968 kB',
    '7f1268400000-7f126b6c7000 rw-p 00000000 fe:00 2222925   /var/lib/isobench/vm/kernel/vmlinux',
    'Pss: 45328 kB',
    '7f126c000000-7f126ffff000 rwxp 00000000 00:00 0 ',
    'Pss: 36864 kB',
    '7f1275c7a000-7f1275dd0000 r-xp 00026000 fe:00 339380   /usr/lib/x86_64-linux-gnu/libc.so.6',
    'Pss: 1112 kB',
  ].join('\n')

  it('splits guest RAM (the anonymous mapping of exactly the guest size), boot files, the TCG cache (anonymous and executable), the binary, the rest', () => {
    const maps = parseSmaps(smaps)
    expect(maps).toHaveLength(6)
    const parts = vmmMemoryParts(maps, {guestBytes: 256 * MiB, exe: '/usr/bin/qemu-system-x86_64'})
    expect(parts.guestRam / MiB).toBe(82)
    expect(parts.tcgCache / MiB).toBe(36)
    expect(parts.bootFiles).toBe(45328 * 1024)
    expect(parts.vmmBinary).toBe(4000 * 1024)
    expect(parts.heapAndLibs).toBe((4448 + 1112) * 1024)
  })

  it('without the guest size takes the largest anonymous mapping of at least 32 MiB as guest RAM', () => {
    expect(vmmMemoryParts(parseSmaps(smaps), {}).guestRam / MiB).toBe(82)
  })
})

describe('process roles in an instance', () => {
  const p = (pid: number, ppid: number, pidNs: string, innerPid: number) => ({pid, ppid, pidNs, innerPid})
  it('container: outside the instance pid namespace = runtime, its pid 1 = init, the rest = workload', () => {
    const roles = processRoles([p(10, 1, 'pid:[1]', 10), p(11, 10, 'pid:[2]', 1), p(12, 11, 'pid:[2]', 2)])
    expect([...roles]).toEqual([
      [10, 'runtime'],
      [11, 'init'],
      [12, 'workload'],
    ])
  })
  it('bare process: the root of the tree is the init, its descendants the workload', () => {
    expect([...processRoles([p(20, 1, 'pid:[1]', 20), p(21, 20, 'pid:[1]', 21)])]).toEqual([
      [20, 'init'],
      [21, 'workload'],
    ])
  })
})

describe('counter deltas', () => {
  const host = (at: number, busy: number, steal: number, running: number): HostCounters => ({
    at,
    cpu: {user: busy, nice: 0, system: 0, idle: 100, iowait: 0, irq: 0, softirq: 0, steal},
    cpus: 2,
    procsRunning: running,
    procsBlocked: 0,
    load1: 1,
    psi: {cpuSomeUs: at * 1000},
  })
  const proc = (userS: number, threads: Array<[number, string, number]> = []): ProcessCounters => ({
    pid: 10,
    tid: 10,
    ppid: 1,
    comm: 'qemu',
    userS,
    systemS: 0.1,
    childrenS: 0.5,
    minorFaults: 100,
    majorFaults: 1,
    voluntarySwitches: 10,
    involuntarySwitches: 5,
    pidNs: 'pid:[1]',
    innerPid: 10,
    threads: threads.map(([tid, comm, cpu]) => ({
      tid,
      comm,
      userS: cpu,
      systemS: 0,
      childrenS: 0,
      minorFaults: 0,
      majorFaults: 0,
      voluntarySwitches: 1,
      involuntarySwitches: 1,
    })),
  })
  const snap = (at: number, p: ProcessCounters, busy: number): InstanceSnapshot => ({
    at,
    processes: [p],
    cgroup: null,
    host: host(at, busy, at / 1000, 4),
    selfCpuS: at / 10000,
    readMs: 1,
  })

  it('a window: CPU, the VMM thread split, the host busy CPU and the other processes', () => {
    const a = snap(
      1000,
      proc(1, [
        [10, 'qemu', 0.1],
        [11, 'CPU 0/TCG', 0.9],
      ]),
      10,
    )
    const b = snap(
      3000,
      proc(2.8, [
        [10, 'qemu', 0.2],
        [11, 'CPU 0/TCG', 2.6],
      ]),
      13,
    )
    const c = windowCounters(a, b)
    expect(c.window_s).toBe(2)
    expect(c.cpu_user_s).toBeCloseTo(1.8)
    expect(c.vcpu_s).toBeCloseTo(1.7)
    expect(c.main_loop_s).toBeCloseTo(0.1)
    expect(c.vcpu_share).toBeCloseTo(1.7 / 1.8)
    expect(c.host_busy_s).toBeCloseTo(3) // steal is the hypervisor's, not a task's: counted apart
    expect(c.host_others_s).toBeCloseTo(3 - 1.8 - 0.2)
    expect(c.host_steal_s).toBeCloseTo(2)
    expect(c.host_psi_cpu_some_ms).toBe(2000)
  })

  it('a lifetime: cumulative counters with the reaped children, counted from the start', () => {
    const c = readyCounters(snap(2500, proc(1), 10), 500)
    expect(c.window_s).toBe(2)
    expect(c.cpu_system_s).toBeCloseTo(0.6)
    expect(c.faults_major).toBe(1)
    expect(c.vcpu_s).toBeUndefined()
  })

  it("a cgroup's CPU total is its scheduler runtime (ns), not the tick-sampled user + system", () => {
    const cg = (userS: number, usageS: number) => ({path: '/isobench/c1', userS, systemS: 0, usageS})
    const life = readyCounters({...snap(530, proc(0), 10), cgroup: cg(0, 0.0031)}, 500)
    expect([life.cpu_user_s, life.cpu_s]).toEqual([0, 0.0031]) // a 30 ms start: no tick landed in it
    const w = windowCounters({...snap(1000, proc(1), 10), cgroup: cg(0.4, 0.41)}, {...snap(2500, proc(2), 11), cgroup: cg(1.352, 1.3795)})
    expect(w.cpu_user_s).toBeCloseTo(0.952)
    expect(w.cpu_s).toBeCloseTo(0.9695)
    expect(readyCounters({...snap(530, proc(0), 10), cgroup: {path: '/x', userS: 0.008, systemS: 0.004}}, 500).cpu_s).toBeCloseTo(0.012) // no usage file: the sum
  })

  it('host deltas never count negative other processes', () => {
    expect(hostDeltas({host: host(0, 10, 0, 1), selfCpuS: 0}, {host: host(1000, 10.5, 0, 1), selfCpuS: 0.1}, 1).host_others_s).toBe(0)
  })
})

describe('perf and KVM exits', () => {
  it("parses perf stat's CSV, counted and <not supported> events", () => {
    const r = parsePerfStatCsv('12345,,instructions,1000,100.00,,\n<not supported>,,cycles,0,100.00,,\n3.50,msec,task-clock,3500000,100.00,0.5,CPUs utilized\n')
    expect(r.counts).toEqual({instructions: 12345, 'task-clock': 3.5})
    expect(r.unsupported).toEqual(['cycles'])
  })

  it('counts kvm_exit reasons in perf script output', () => {
    const out = [
      ' qemu-system-x86 1234 [000] 10.0: kvm:kvm_exit: vcpu 0 reason EPT_VIOLATION rip 0xffff info1 0x0',
      ' qemu-system-x86 1234 [000] 10.1: kvm:kvm_exit: vcpu 0 reason HLT rip 0xffff info1 0x0',
      ' qemu-system-x86 1234 [001] 10.2: kvm:kvm_exit: vcpu 1 reason EPT_VIOLATION rip 0xffff info1 0x0',
    ].join('\n')
    expect(parseKvmExits(out)).toEqual({EPT_VIOLATION: 2, HLT: 1})
  })

  it('KVM exits are not available for a TCG guest, and say why', () => {
    const a = kvmExitAvailability('tcg')
    expect(a.available).toBe(false)
    expect(a.reason).toMatch(/TCG, which makes no KVM exits/)
  })
})
