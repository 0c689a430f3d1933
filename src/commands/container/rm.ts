import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ContainerRm extends BaseCommand {
  static override summary = 'Remove containers and everything they held (state dir, cgroups, veth, address lease, port proxy).'
  static override examples = ['<%= config.bin %> container rm web', '<%= config.bin %> container rm -f web']
  static override strict = false
  static override args = {id: Args.string({description: 'container name(s)', required: true})}
  static override flags = {...stateDirFlags, force: Flags.boolean({char: 'f', description: 'kill a running container first'})}

  async run(): Promise<{removed: string[]}> {
    const {argv, flags} = await this.parse(ContainerRm)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {Container} = await import('../../runtime/container/container.js')
    const stateDir = await resolveStateDir(flags)
    const removed: string[] = []
    for (const id of argv as string[]) {
      await Container.open(stateDir, id).delete({force: flags.force})
      removed.push(id)
      this.log(id)
    }
    return {removed}
  }
}
