import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ContainerPrune extends BaseCommand {
  static override summary = 'Remove stopped containers and whatever killed runs left: isobench-runtime processes, cgroups, veths, leases, state dirs.'
  static override description =
    "Finds leftovers by name: isobench-runtime processes working under <state-dir>/containers (and its state under <state-dir>/runtime), cgroups under every hierarchy's isobench/ parent, ib-* veths, address leases, OCI-arm bundles, and the run-labelled dirs of killed runs' chroot, lxc and engine arms (<state-dir>/chroot, lxc, engines: with their daemons, shims, containers, mounts and cgroups). Running containers are kept unless --all."
  static override examples = ['<%= config.bin %> container prune', '<%= config.bin %> container prune --all --json']
  static override flags = {...stateDirFlags, all: Flags.boolean({description: 'also kill and remove running containers'})}

  async run(): Promise<import('../../runtime/prune.js').PruneResult> {
    const {flags} = await this.parse(ContainerPrune)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {pruneContainers} = await import('../../runtime/prune.js')
    const result = await pruneContainers(await resolveStateDir(flags), {all: flags.all})
    for (const id of result.containers) this.log(`removed container ${id}`)
    for (const b of result.bundles) this.log(`removed OCI bundle ${b}`)
    for (const pid of result.processes) this.log(`killed process ${pid}`)
    for (const cg of result.cgroups) this.log(`removed cgroup ${cg}`)
    for (const v of result.veths) this.log(`removed veth ${v}`)
    for (const ip of result.leases) this.log(`released address ${ip}`)
    for (const d of result.runDirs) this.log(`removed run dir ${d}`)
    if (Object.values(result).every((l) => l.length === 0)) this.log('nothing to prune')
    return result
  }
}
