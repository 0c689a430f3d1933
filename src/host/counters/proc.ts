/**
 * Per-process and per-thread counters from procfs (proc(5)): CPU time split into user and system,
 * minor and major page faults (/proc/PID/stat), voluntary and involuntary context switches
 * (/proc/PID/task/TID/status), and each thread's name (/proc/PID/task/TID/comm), so a qemu process
 * splits into vCPU threads, I/O threads and its main loop. Reads are a few small files per task:
 * callers take them before and after a timed region, never inside it.
 */
import {readdirSync, readFileSync, readlinkSync} from 'node:fs'

/** sysconf(_SC_CLK_TCK): 100 on every Linux architecture isobench runs on (proc(5): utime "in clock ticks"). */
export const CLK_TCK = 100

/** One task's (process or thread) counters; times in seconds. */
export interface TaskCounters {
  /** Thread id (== pid for the process itself). */
  tid: number
  comm: string
  userS: number
  systemS: number
  /** For a process: its waited-for children's user + system time (cutime + cstime), in seconds. */
  childrenS: number
  minorFaults: number
  majorFaults: number
  voluntarySwitches: number
  involuntarySwitches: number
}

/** A process: its own counters (whole thread group), its threads, and where it sits. */
export interface ProcessCounters extends TaskCounters {
  pid: number
  ppid: number
  /** The pid namespace (readlink /proc/PID/ns/pid), e.g. 'pid:[4026531836]'; '' when unreadable. */
  pidNs: string
  /** Its pid inside its innermost pid namespace (last NSpid field); 1 for a container's init. */
  innerPid: number
  threads: TaskCounters[]
}

/** The fields after the parenthesised comm of a stat line (comm itself may hold spaces or ')'). */
export function statFields(stat: string): {comm: string; rest: string[]} {
  const open = stat.indexOf('(')
  const close = stat.lastIndexOf(')')
  return {comm: stat.slice(open + 1, close), rest: stat.slice(close + 2).split(' ')}
}

/**
 * Parse /proc/PID/stat (or …/task/TID/stat): proc(5) fields 4 ppid, 10 minflt, 12 majflt,
 * 14 utime, 15 stime, 16 cutime, 17 cstime (1-based; rest[0] is field 3, state).
 */
export function parseStat(stat: string): {comm: string; ppid: number; minflt: number; majflt: number; userS: number; systemS: number; childrenS: number} {
  const {comm, rest} = statFields(stat)
  const n = (field: number) => Number(rest[field - 3])
  return {
    comm,
    ppid: n(4),
    minflt: n(10),
    majflt: n(12),
    userS: n(14) / CLK_TCK,
    systemS: n(15) / CLK_TCK,
    childrenS: (n(16) + n(17)) / CLK_TCK,
  }
}

/** voluntary_ctxt_switches, nonvoluntary_ctxt_switches and NSpid from a status file. */
export function parseStatus(status: string): {voluntary: number; involuntary: number; nspid: number[]} {
  const num = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/).map(Number) ?? []
  return {voluntary: num('voluntary_ctxt_switches'), involuntary: num('nonvoluntary_ctxt_switches'), nspid}
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function readTask(pid: number, tid: number): TaskCounters | null {
  const stat = read(`/proc/${pid}/task/${tid}/stat`)
  const status = read(`/proc/${pid}/task/${tid}/status`)
  if (stat === null || status === null) return null
  const s = parseStat(stat)
  const st = parseStatus(status)
  return {
    tid,
    comm: s.comm,
    userS: s.userS,
    systemS: s.systemS,
    childrenS: 0,
    minorFaults: s.minflt,
    majorFaults: s.majflt,
    voluntarySwitches: st.voluntary,
    involuntarySwitches: st.involuntary,
  }
}

/**
 * One process's counters, or null once it has exited. CPU time and faults are the whole thread
 * group's (/proc/PID/stat counts exited threads too); context switches are summed over the live
 * threads (the kernel keeps them per task).
 */
export function readProcessCounters(pid: number): ProcessCounters | null {
  const stat = read(`/proc/${pid}/stat`)
  const status = read(`/proc/${pid}/status`)
  if (stat === null || status === null) return null
  const s = parseStat(stat)
  const st = parseStatus(status)
  let tids: string[] = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return null
  }
  const threads = tids.map((t) => readTask(pid, Number(t))).filter((t): t is TaskCounters => t !== null)
  let pidNs = ''
  try {
    pidNs = readlinkSync(`/proc/${pid}/ns/pid`)
  } catch {
    // a process we may not inspect: its namespace stays unknown
  }
  return {
    pid,
    tid: pid,
    ppid: s.ppid,
    comm: s.comm,
    userS: s.userS,
    systemS: s.systemS,
    childrenS: s.childrenS,
    minorFaults: s.minflt,
    majorFaults: s.majflt,
    voluntarySwitches: threads.reduce((a, t) => a + t.voluntarySwitches, 0) || st.voluntary,
    involuntarySwitches: threads.reduce((a, t) => a + t.involuntarySwitches, 0) || st.involuntary,
    pidNs,
    innerPid: st.nspid.at(-1) ?? pid,
    threads,
  }
}

/**
 * What a thread of a VMM does, from its name. qemu names its threads when started with
 * `-name …,debug-threads=on`: 'CPU 0/TCG' or 'CPU 0/KVM' (a vCPU), 'IO iothread0', 'worker',
 * 'call_rcu', 'vnc_worker' (I/O and helpers); the thread whose tid is the pid is the main loop.
 */
export type ThreadClass = 'vcpu' | 'main' | 'io'

export function threadClass(task: Pick<TaskCounters, 'tid' | 'comm'>, pid: number): ThreadClass {
  if (/^CPU \d+\//.test(task.comm)) return 'vcpu'
  if (task.tid === pid) return 'main'
  return 'io'
}

/** The processes of the host other than `exclude`, with their CPU seconds: the top consumers at a moment. */
export function allProcessCpu(): Map<number, {comm: string; cpuS: number}> {
  const out = new Map<number, {comm: string; cpuS: number}>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = read(`/proc/${entry}/stat`)
    if (stat === null) continue
    const s = parseStat(stat)
    out.set(Number(entry), {comm: s.comm, cpuS: s.userS + s.systemS})
  }
  return out
}
