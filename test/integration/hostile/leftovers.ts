/**
 * Everything a run of one state dir could leave on the host, looked up the way an auditor would —
 * from /proc, /sys and the state dir, not from isobench's own records: processes (by the test's
 * environment tag, by command line naming the state dir, by cgroup membership), mounts naming the
 * state dir in any mount namespace, cgroups and links named after the runs' instances, state
 * entries, and temp files. Each finding is one line saying what and where.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {hostCgroups, listContainerCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {hostVethName, listLeases} from '../../../src/runtime/network/bridge.js'
import {tapName} from '../../../src/vm/paths.js'

export interface Leftovers {
  processes: string[]
  /** Zombies are reported apart: they hold no memory or files, and only their parent (here pid 1) can reap them. */
  zombies: string[]
  mounts: string[]
  cgroups: string[]
  links: string[]
  stateEntries: string[]
  tempFiles: string[]
}

export function total(l: Leftovers): number {
  return l.processes.length + l.mounts.length + l.cgroups.length + l.links.length + l.stateEntries.length + l.tempFiles.length
}

function pids(): string[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** Instance and run names of the runs whose ids are given: what cgroups, veths and taps are named after. */
export function namesOf(runIds: string[]): {instancePrefixes: string[]; runCgroups: string[]} {
  const tags = runIds.map((r) => r.slice(-4))
  return {
    instancePrefixes: tags.flatMap((t) => [`isobench-${t}-`, `runc-isobench-${t}-`, `crun-isobench-${t}-`]),
    runCgroups: runIds.map((r) => `process_${r}`),
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

/**
 * What is left of the runs `runIds` in `stateDir`. `tag` is the value of ISOBENCH_TEST_TAG the runs
 * were started with (every process they spawned inherits it, except container inits, which get
 * only their config's environment: those are found by cgroup and by pid namespace parentage).
 * `runPids`: the runs' isobench processes, whose pids name their temp dirs (other users of this
 * host make /tmp/isobench-* dirs of their own: only ours are counted).
 */
export function findLeftovers(stateDir: string, runIds: string[], tag: string, runPids: number[] = []): Leftovers {
  const {instancePrefixes, runCgroups} = namesOf(runIds)
  const ours = (name: string) => runCgroups.includes(name) || instancePrefixes.some((p) => name.startsWith(p))
  const out: Leftovers = {processes: [], zombies: [], mounts: [], cgroups: [], links: [], stateEntries: [], tempFiles: []}
  for (const pid of pids()) {
    const stat = read(`/proc/${pid}/stat`)
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    const cmd = read(`/proc/${pid}/cmdline`).replaceAll('\0', ' ').trim()
    const why: string[] = []
    if (read(`/proc/${pid}/environ`).split('\0').includes(`ISOBENCH_TEST_TAG=${tag}`)) why.push('tagged')
    if (cmd.includes(stateDir)) why.push('names the state dir')
    const cg = read(`/proc/${pid}/cgroup`)
      .split('\n')
      .map((l) => l.split(':')[2] ?? '')
      .find((p) => /\/isobench\/[^/]+/.test(p) && ours(p.split('/isobench/')[1]!.split('/')[0]!))
    if (cg) why.push(`in cgroup ${cg}`)
    if (why.length === 0) continue
    const line = `${pid} [${state}] ${cmd.slice(0, 120) || '(no cmdline)'}: ${why.join(', ')}`
    if (state === 'Z') out.zombies.push(line)
    else out.processes.push(line)
    for (const m of read(`/proc/${pid}/mountinfo`).split('\n')) if (m.includes(stateDir)) out.mounts.push(`${pid}: ${m}`)
  }
  for (const m of read('/proc/self/mountinfo').split('\n')) if (m.includes(stateDir)) out.mounts.push(`self: ${m}`)
  for (const [name, dirs] of listContainerCgroups(hostCgroups())) if (ours(name)) out.cgroups.push(...dirs)
  const links = listDir('/sys/class/net')
  const instanceIds = [...listDir(join(stateDir, 'containers')), ...listDir(join(stateDir, 'vm', 'instances'))]
  // Links are named after instance ids: hash-named, so every id the runs could have used is checked.
  const candidateIds = new Set<string>(instanceIds)
  for (const p of instancePrefixes) for (let n = 1; n <= 64; n++) candidateIds.add(`${p}${n}`)
  for (const id of candidateIds) {
    for (const link of [hostVethName(id), tapName(id)]) if (links.includes(link)) out.links.push(`${link} (${id})`)
  }
  for (const [what, dir] of [
    ['container', join(stateDir, 'containers')],
    ['vm instance', join(stateDir, 'vm', 'instances')],
    ['run dir', join(stateDir, 'runs')],
  ] as const) {
    for (const e of listDir(dir)) out.stateEntries.push(`${what} ${join(dir, e)}`)
  }
  for (const e of listDir(join(stateDir, 'oci'))) {
    if (e.startsWith('.')) for (const s of listDir(join(stateDir, 'oci', e))) out.stateEntries.push(`OCI runtime state ${join(stateDir, 'oci', e, s)}`)
    else out.stateEntries.push(`OCI bundle ${join(stateDir, 'oci', e)}`)
  }
  try {
    for (const [ip, owner] of listLeases(stateDir)) out.stateEntries.push(`lease ${ip} (${owner})`)
  } catch {
    // no leases dir
  }
  const cache = join(stateDir, 'vm', 'cache')
  for (const f of listDir(cache)) if (/\.tmp-\d+-/.test(f)) out.tempFiles.push(join(cache, f))
  // Temp dirs are named after their owner (src/host/temp.ts: isobench-<kind>-<pid>.<ticks>-…).
  for (const f of listDir(tmpdir())) {
    const owner = /^isobench-[a-z][a-z0-9-]*?-(\d+)(?:\.\d+)?-[A-Za-z0-9]+$/.exec(f)
    if (owner && runPids.includes(Number(owner[1]))) out.tempFiles.push(join(tmpdir(), f))
  }
  if (existsSync(join(tmpdir(), `isobench-runs-${process.getuid?.()}`))) {
    for (const e of listDir(join(tmpdir(), `isobench-runs-${process.getuid?.()}`))) {
      if (read(join(tmpdir(), `isobench-runs-${process.getuid?.()}`, e, 'owner.json')).includes(stateDir)) out.tempFiles.push(e)
    }
  }
  return out
}
