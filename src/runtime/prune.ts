/**
 * Finding and removing what containers leave behind when isobench is interrupted (Ctrl-C, kill -9)
 * or a container crashes: helper processes, cgroups under every `isobench` parent, `ib-*` veths,
 * address leases, port proxies and state dirs, and the run-labelled dirs of the chroot, lxc and
 * engine arms (prune-labelled.ts). Everything is found by name, not by memory.
 */
import {existsSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {killIfRunning} from '../host/process.js'
import {hostCgroups, listContainerCgroups, removeCgroupDirs} from './cgroups/cgroups.js'
import {releaseContainerResources} from './container/release.js'
import {BRIDGE, bridgePorts, deleteLink, hostVethName, listHostVeths, listLeases, releaseAddress} from './network/bridge.js'
import {ociDir, removeBundle, staleBundles} from './oci/run.js'
import {containersDir, listContainerIds, readContainer, SHIM} from './container/state.js'
import {etcFilesDir, removeContainerEtc} from './container/etc-files.js'
import {pruneLabelled} from './prune-labelled.js'

export interface PruneResult {
  containers: string[]
  /** OCI-arm bundles (runc/crun) whose wrapper is gone (all of them with --all). */
  bundles: string[]
  processes: number[]
  cgroups: string[]
  veths: string[]
  leases: string[]
  /** Private dirs of killed runs' chroot, lxc and engine arms (runtime/prune-labelled.ts), removed with what used them. */
  runDirs: string[]
}

/** Helper processes (and detached port proxies) working for a container under this state dir: pid → container id. */
export function findRuntimeProcesses(stateDir: string): Map<number, string> {
  const prefix = containersDir(stateDir) + '/'
  const out = new Map<number, string>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let cmdline: string
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (!cmdline.includes(SHIM) && !cmdline.includes('isobench-port-proxy')) continue
    const at = cmdline.indexOf(prefix)
    if (at < 0) continue
    const id = cmdline.slice(at + prefix.length).split(/[/\0]/)[0]
    if (id) out.set(Number(name), id)
  }
  return out
}

/**
 * Remove every container of this state dir that is not running (exited, dead, interrupted
 * mid-create), and every leftover that belongs to no running container. With `all`, running
 * containers are killed too. Cgroups, veths and leases are matched to this state dir's containers
 * and bundles by id: another state dir's (another run's, another user's) are never touched, unless
 * `anyStateDir` also sweeps every empty container cgroup under the `isobench` parents.
 */
export async function pruneContainers(stateDir: string, opts: {all?: boolean; anyStateDir?: boolean} = {}): Promise<PruneResult> {
  const result: PruneResult = {containers: [], bundles: [], processes: [], cgroups: [], veths: [], leases: [], runDirs: []}
  // The chroot, lxc and engine arms' run dirs first: what is left in them (daemons, shims, containers) dies here.
  const labelled = await pruneLabelled(stateDir, opts)
  result.runDirs.push(...labelled.dirs)
  result.processes.push(...labelled.processes)
  const running = new Set<string>()
  const known = new Set<string>(listContainerIds(stateDir))
  for (const id of known) {
    const state = readContainer(stateDir, id)
    if (state?.status === 'running' && !opts.all) {
      running.add(id)
      continue
    }
    if (state?.status === 'running') {
      killIfRunning(state.initPid)
      killIfRunning(state.runtime.shimPid, SHIM)
    }
    const released = await releaseContainerResources(stateDir, id, state)
    result.containers.push(id)
    result.cgroups.push(...released.cgroups)
  }
  // /etc files of containers whose state dir is gone (the helper was killed before its cleanup).
  const etcRoot = dirname(etcFilesDir(stateDir, 'x'))
  for (const id of existsSync(etcRoot) ? readdirSync(etcRoot) : []) if (!running.has(id)) removeContainerEtc(stateDir, id)
  // Helpers whose container is gone or not running (e.g. a detached start interrupted before its state was written).
  for (const [pid, id] of findRuntimeProcesses(stateDir)) {
    if (!running.has(id) && killIfRunning(pid)) result.processes.push(pid)
  }
  // OCI-arm bundles: a live wrapper means a live run owns it (it dies with its run), unless --all.
  if (opts.all) for (const [pid] of findOciWrappers(stateDir)) if (killIfRunning(pid, 'isobench-nsexec')) result.processes.push(pid)
  if (opts.all) await new Promise((r) => setTimeout(r, 50))
  const cgroupsById = listContainerCgroups(hostCgroups())
  for (const id of staleBundles(stateDir)) {
    // The runtime's cgroups first, the bundle (the evidence they are ours) last.
    result.cgroups.push(...removeCgroupDirs(cgroupsById.get(id) ?? []))
    removeBundle(stateDir, id)
    result.bundles.push(id)
    known.add(id)
  }
  const liveBundles = new Set(findOciWrappers(stateDir).values())
  // Leftover cgroups of this state dir's containers and bundles are empty (their processes died
  // with the helper). With anyStateDir, every empty container cgroup goes (one still holding
  // processes belongs to a live container somewhere: never touched); process_* are runs' (prune-runs.ts).
  for (const [id, dirs] of listContainerCgroups(hostCgroups())) {
    if (running.has(id) || liveBundles.has(id) || id.startsWith('process_')) continue
    if (!known.has(id) && !(opts.anyStateDir && dirs.every(isEmptyCgroup))) continue
    result.cgroups.push(...removeCgroupDirs(dirs))
  }
  // A veth lives exactly as long as its container's network namespace, so no sweep is needed beyond
  // the containers removed above; report any of ours that are left.
  const ours = new Set(result.containers.map(hostVethName))
  result.veths = listHostVeths().filter((v) => ours.has(v))
  for (const veth of result.veths) await deleteLink(veth)
  for (const [ip, owner] of listLeases(stateDir)) {
    // VM leases (owner vm-<id>) belong to `vm prune`.
    if (running.has(owner) || owner.startsWith('vm-')) continue
    releaseAddress(stateDir, ip)
    result.leases.push(ip)
  }
  if (running.size === 0 && bridgePorts().length === 0) await deleteLink(BRIDGE)
  return result
}

/** Live `isobench-nsexec wrap` processes of the OCI arms under this state dir: pid → bundle id. */
export function findOciWrappers(stateDir: string): Map<number, string> {
  const prefix = ociDir(stateDir) + '/'
  const out = new Map<number, string>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8')
      if (!cmdline.includes('isobench-nsexec') || !cmdline.includes(prefix)) continue
      out.set(Number(name), cmdline.slice(cmdline.indexOf(prefix) + prefix.length).split(/[/\0]/)[0]!)
    } catch {
      // exited
    }
  }
  return out
}

function isEmptyCgroup(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() === ''
  } catch {
    return true
  }
}
