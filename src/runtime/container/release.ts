/**
 * Deleting a container that is not running: everything it holds outside its processes — its
 * detached port proxy, its cgroups in every hierarchy, its veth, its address leases and its state
 * dir. Idempotent: what is already gone is skipped. `prune` calls it for every leftover container.
 */
import {rmSync} from 'node:fs'
import {killIfRunning} from '../../host/process.js'
import {hostCgroups, listContainerCgroups, removeCgroupDirs} from '../cgroups/cgroups.js'
import {deleteLink, hostVethName, listLeases, releaseAddress} from '../network/bridge.js'
import {containerDir, readContainer, type ContainerState} from './state.js'

/** Remove everything one (not running) container holds. */
export async function releaseContainerResources(
  stateDir: string,
  id: string,
  state: ContainerState | null = readContainer(stateDir, id),
): Promise<{cgroups: string[]}> {
  killIfRunning(state?.runtime.proxyPid, 'isobench-port-proxy')
  const cgroups = removeCgroupDirs(listContainerCgroups(hostCgroups()).get(id) ?? [])
  await deleteLink(state?.runtime.network?.hostVeth ?? hostVethName(id))
  for (const [ip, owner] of listLeases(stateDir)) if (owner === id) releaseAddress(stateDir, ip)
  rmSync(containerDir(stateDir, id), {recursive: true, force: true})
  return {cgroups}
}
