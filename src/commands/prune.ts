import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {stateDirFlags} from '../cli/flags.js'

export default class Prune extends BaseCommand {
  static override summary = 'Remove everything killed runs left in a state dir: processes, containers, VMs, bundles, cgroups, veths, taps, temp dirs.'
  static override description = `One sweep over every kind (\`container prune\` and \`vm prune\` each do one): bare processes of killed runs (found by their run's cgroup) and the runs' scratch dirs (<state-dir>/runs), containers and their helpers, cgroups, veths and address leases, OCI-arm bundles and their cgroups, VMs with their taps, QMP sockets and instance dirs, and the temp dirs of dead builders.

A run is killed when its process is gone (its pid, start time and boot id no longer match). What live runs and detached containers or VMs hold is kept unless --all. Only this state dir's things are touched; --any-state-dir also removes empty container cgroups and unused taps no state dir claims.`
  static override examples = ['<%= config.bin %> prune', '<%= config.bin %> prune --state-dir /tmp/my-state --json', '<%= config.bin %> prune --all']
  static override flags = {
    ...stateDirFlags,
    all: Flags.boolean({description: 'also kill and remove what live runs, running containers and detached VMs hold'}),
    'any-state-dir': Flags.boolean({description: 'also remove empty container cgroups and unused taps that belong to no state dir'}),
  }

  async run(): Promise<import('../arms/prune.js').PruneAllResult> {
    const {flags} = await this.parse(Prune)
    const {resolveStateDir} = await import('../cli/flags.js')
    const {pruneAll, pruneLines} = await import('../arms/prune.js')
    const result = await pruneAll(await resolveStateDir(flags), {all: flags.all, anyStateDir: flags['any-state-dir']})
    const lines = pruneLines(result)
    for (const line of lines) this.log(line)
    if (lines.length === 0) this.log('nothing to prune')
    return result
  }
}
