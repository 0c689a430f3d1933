import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class VmPrune extends BaseCommand {
  static override summary = 'Remove what killed runs left: qemu processes, taps, leases, QMP sockets, instance dirs, half-built artefacts.'
  static override description =
    'Finds leftovers by name (qemu -name isobench-vm-*, taps isobench-*, /tmp/isobench-*) and by record (<state-dir>/vm/instances). Running VMs whose owner is alive, and detached VMs, are kept unless --all.'
  static override examples = ['<%= config.bin %> vm prune', '<%= config.bin %> vm prune --all']
  static override flags = {...stateDirFlags, all: Flags.boolean({description: 'also stop running and detached VMs'})}

  async run(): Promise<import('../../vm/prune.js').VmPruneResult> {
    const {flags} = await this.parse(VmPrune)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {pruneVms} = await import('../../vm/prune.js')
    const result = await pruneVms(await resolveStateDir(flags), {all: flags.all})
    for (const k of result.killed) this.log(`killed qemu ${k.pid} (${k.id})`)
    for (const r of result.removed) this.log(`removed ${r}`)
    if (!result.killed.length && !result.removed.length) this.log('nothing to prune')
    return result
  }
}
