import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class VolumeRm extends BaseCommand {
  static override summary = 'Remove named volumes and their data.'
  static override examples = ['<%= config.bin %> volume rm data', '<%= config.bin %> volume rm -f data']
  static override strict = false
  static override args = {name: Args.string({description: 'volume name(s)', required: true})}
  static override flags = {...stateDirFlags, force: Flags.boolean({char: 'f', description: 'remove even if a container refers to it'})}

  async run(): Promise<{removed: string[]}> {
    const {argv, flags} = await this.parse(VolumeRm)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {removeVolume} = await import('../../runtime/container/volumes.js')
    const stateDir = await resolveStateDir(flags)
    const removed: string[] = []
    for (const name of argv as string[]) {
      removeVolume(stateDir, name, flags.force)
      removed.push(name)
      this.log(name)
    }
    return {removed}
  }
}
