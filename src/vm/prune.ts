/**
 * Finding and removing what VMs leave behind when isobench is killed (-9) or a guest hangs:
 * qemu processes (recognised by `-name isobench-vm-<id>`), taps (`isobench-<6 hex>`), address
 * leases, QMP sockets, instance dirs, per-instance overlay disks, half-built artefacts
 * (`*.tmp-<pid>-*`) and temp dirs (`/tmp/isobench-<kind>-<pid>…`, src/host/temp.ts) of dead processes.
 */
import {existsSync, lstatSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {deleteLink, listLeases, releaseAddress} from '../runtime/network/bridge.js'
import {findVmProcesses, isOurVm, listInstanceIds, readMeta, type VmMeta} from './instances.js'
import {artefactCacheDir, instanceDir, qmpSocketPath, tapName, vmDir} from './paths.js'
import {pidAlive} from '../host/process.js'
import {pruneTempDirs} from '../host/temp.js'

export interface VmPruneResult {
  killed: Array<{pid: number; id: string}>
  removed: string[]
}

export type VmStatus = 'running' | 'exited' | 'orphaned'

/** running: qemu alive; orphaned: alive but its (non-detached) owner died; exited: qemu gone. */
export function vmStatus(meta: VmMeta): VmStatus {
  const alive = meta.pid > 0 && pidAlive(meta.pid) && isOurVm(meta.pid, meta.id)
  if (!alive) return 'exited'
  if (!meta.detached && !pidAlive(meta.ownerPid)) return 'orphaned'
  return 'running'
}

async function killAndWait(pid: number, id: string): Promise<boolean> {
  if (!isOurVm(pid, id)) return false
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    return false
  }
  for (let i = 0; i < 200 && pidAlive(pid) && isOurVm(pid, id); i++) await new Promise((r) => setTimeout(r, 10))
  return true
}

function qemuCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}

function tapsPresent(): string[] {
  try {
    return readdirSync('/sys/class/net').filter((n) => /^isobench-[0-9a-f]{6}$/.test(n))
  } catch {
    return []
  }
}

function ownedBy(path: string, uid: number | undefined): boolean {
  try {
    return uid === undefined || lstatSync(path).uid === uid
  } catch {
    return false
  }
}

/** Stop one VM (SIGKILL) and remove everything it had. */
export async function removeInstance(stateDir: string, id: string, result: VmPruneResult = {killed: [], removed: []}): Promise<VmPruneResult> {
  const meta = readMeta(stateDir, id)
  if (meta?.pid && (await killAndWait(meta.pid, id))) result.killed.push({pid: meta.pid, id})
  for (const [pid, other] of findVmProcesses()) {
    if (other === id && qemuCmdline(pid).includes(`${vmDir(stateDir)}/`) && (await killAndWait(pid, id))) result.killed.push({pid, id})
  }
  const tap = meta?.tap ?? tapName(id)
  if (existsSync(`/sys/class/net/${tap}`)) {
    await deleteLink(tap)
    result.removed.push(`tap ${tap}`)
  }
  if (meta?.ip) {
    releaseAddress(stateDir, meta.ip)
    result.removed.push(`lease ${meta.ip}`)
  }
  const sock = meta?.qmpSocket ?? qmpSocketPath(stateDir, id)
  if (existsSync(sock)) {
    rmSync(sock, {force: true})
    result.removed.push(sock)
  }
  const dir = instanceDir(stateDir, id)
  if (existsSync(dir)) {
    rmSync(dir, {recursive: true, force: true})
    result.removed.push(dir)
  }
  return result
}

/**
 * Remove this state dir's leftovers; with `all`, running VMs too (detached ones and those of live
 * runs). Taps are this state dir's instances' (removeInstance); `anyStateDir` also removes every
 * `isobench-*` tap no live qemu has open. Temp files in /tmp are removed when their owner pid is
 * dead and they belong to this user.
 */
export async function pruneVms(stateDir: string, opts: {all?: boolean; anyStateDir?: boolean} = {}): Promise<VmPruneResult> {
  const result: VmPruneResult = {killed: [], removed: []}
  const keep = new Set<string>()
  for (const id of listInstanceIds(stateDir)) {
    const meta = readMeta(stateDir, id)
    const status = meta ? vmStatus(meta) : 'exited'
    // A record being written right now by a live owner (pid 0 = not spawned yet) is not a leftover.
    const starting = meta && meta.pid === 0 && pidAlive(meta.ownerPid)
    if (!opts.all && (status === 'running' || starting)) {
      keep.add(id)
      continue
    }
    await removeInstance(stateDir, id, result)
  }
  // qemu processes of this state dir (their command line names its files) whose record is gone.
  // Other state dirs' VMs — other runs on this host — are never touched.
  const mine = `${vmDir(stateDir)}/`
  for (const [pid, id] of findVmProcesses()) {
    if (keep.has(id) || listInstanceIds(stateDir).includes(id)) continue
    if (!qemuCmdline(pid).includes(mine)) continue
    if (await killAndWait(pid, id)) result.killed.push({pid, id})
  }
  // With anyStateDir: taps no kept instance owns and no live qemu (of any state dir) has open.
  // (A tap being set up by another run has no qemu yet: only on request.)
  if (opts.anyStateDir) {
    const keptTaps = new Set([...keep].map((id) => readMeta(stateDir, id)?.tap ?? tapName(id)))
    const live = [...findVmProcesses().keys()].map(qemuCmdline)
    for (const tap of tapsPresent()) {
      if (keptTaps.has(tap) || live.some((a) => a.includes(`ifname=${tap},`))) continue
      await deleteLink(tap)
      result.removed.push(`tap ${tap}`)
    }
  }
  // Leases taken for VMs (owner `vm-<id>`) whose instance is gone.
  try {
    for (const [ip, owner] of listLeases(stateDir)) {
      if (owner.startsWith('vm-') && !keep.has(owner.slice(3))) {
        releaseAddress(stateDir, ip)
        result.removed.push(`lease ${ip}`)
      }
    }
  } catch {
    // no network state
  }
  // QMP sockets in /tmp (deep state dirs) that no live qemu uses.
  const liveArgs = [...findVmProcesses().keys()].map(qemuCmdline)
  const uid = process.getuid?.()
  for (const f of readdirSync(tmpdir())) {
    const p = join(tmpdir(), f)
    if (!ownedBy(p, uid)) continue // another user's
    if (/^isobench-qmp-[0-9a-f]{16}\.sock$/.test(f) && !liveArgs.some((a) => a.includes(p))) {
      rmSync(p, {force: true})
      result.removed.push(p)
    }
  }
  // Temp dirs (kernel downloads, overlay staging, OCI probes) of dead owners.
  result.removed.push(...pruneTempDirs())
  // Half-built artefacts of dead builders.
  const cache = artefactCacheDir(stateDir)
  if (existsSync(cache)) {
    for (const f of readdirSync(cache)) {
      const owner = /\.tmp-(\d+)-[0-9a-f]+$/.exec(f)
      if (owner && !pidAlive(Number(owner[1]))) {
        rmSync(join(cache, f), {force: true})
        result.removed.push(join(cache, f))
      }
    }
  }
  return result
}
