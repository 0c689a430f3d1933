import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ContainerStop extends BaseCommand {
  static override summary = 'Stop running containers: SIGTERM to their init, SIGKILL after --time seconds.'
  static override examples = ['<%= config.bin %> container stop web', '<%= config.bin %> container stop -t 0 web db']
  static override strict = false
  static override args = {id: Args.string({description: 'container name(s)', required: true})}
  static override flags = {...stateDirFlags, time: Flags.integer({char: 't', description: 'seconds to wait before SIGKILL', default: 10})}

  async run(): Promise<{stopped: string[]}> {
    const {argv, flags} = await this.parse(ContainerStop)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {Container} = await import('../../runtime/container/container.js')
    const stateDir = await resolveStateDir(flags)
    const stopped: string[] = []
    for (const id of argv as string[]) {
      await Container.open(stateDir, id).stop(flags.time * 1000)
      stopped.push(id)
      this.log(id)
    }
    return {stopped}
  }
}
