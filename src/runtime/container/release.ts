/**
 * Deleting a container that is not running: everything it holds outside its processes — its
 * detached port proxy, its cgroups in every hierarchy, its network namespace and veth, its address
 * leases, isobench-runtime's state for it and its state dir. Idempotent: what is already gone is skipped. `prune` calls it for every leftover container.
 */
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {killIfRunning} from '../../host/process.js'
import {hostCgroups, listContainerCgroups, removeCgroupDirs} from '../cgroups/cgroups.js'
import {deleteLink, deleteNetns, hostVethName, listLeases, releaseAddress} from '../network/bridge.js'
import {containerDir, readContainer, type ContainerState} from './state.js'
import {removeContainerEtc} from './etc-files.js'

/** isobench-runtime's state root for the containers of a state dir (its --root). */
export function runtimeStateRoot(stateDir: string): string {
  return join(stateDir, 'runtime')
}

/** Remove everything one (not running) container holds. */
export async function releaseContainerResources(
  stateDir: string,
  id: string,
  state: ContainerState | null = readContainer(stateDir, id),
): Promise<{cgroups: string[]}> {
  killIfRunning(state?.runtime.proxyPid, 'isobench-port-proxy')
  const cgroups = removeCgroupDirs(listContainerCgroups(hostCgroups()).get(id) ?? [])
  await deleteNetns(id)
  await deleteLink(state?.runtime.network?.hostVeth ?? hostVethName(id))
  // the runtime's own state (its run removes it at exit; a killed run leaves it)
  rmSync(join(runtimeStateRoot(stateDir), id), {recursive: true, force: true})
  for (const [ip, owner] of listLeases(stateDir)) if (owner === id) releaseAddress(stateDir, ip)
  rmSync(containerDir(stateDir, id), {recursive: true, force: true})
  removeContainerEtc(stateDir, id)
  return {cgroups}
}
