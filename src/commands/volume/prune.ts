import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class VolumePrune extends BaseCommand {
  static override summary = 'Remove every named volume no container refers to.'
  static override examples = ['<%= config.bin %> volume prune']
  static override flags = {...stateDirFlags}

  async run(): Promise<{removed: string[]}> {
    const {flags} = await this.parse(VolumePrune)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {pruneVolumes} = await import('../../runtime/container/volumes.js')
    const removed = pruneVolumes(await resolveStateDir(flags))
    for (const v of removed) this.log(`removed volume ${v}`)
    if (removed.length === 0) this.log('nothing to prune')
    return {removed}
  }
}
