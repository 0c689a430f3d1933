import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ContainerLogs extends BaseCommand {
  static override summary = "Print a container's output (stdout and stderr, as recorded in its log file)."
  static override examples = ['<%= config.bin %> container logs web', '<%= config.bin %> container logs --tail 20 web']
  static override args = {id: Args.string({description: 'container name', required: true})}
  static override flags = {...stateDirFlags, tail: Flags.integer({description: 'only the last N lines'})}

  async run(): Promise<{id: string; log: string}> {
    const {args, flags} = await this.parse(ContainerLogs)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {Container} = await import('../../runtime/container/container.js')
    let log = Container.open(await resolveStateDir(flags), args.id).logs()
    if (flags.tail !== undefined)
      log = log
        .split('\n')
        .slice(-flags.tail - 1)
        .join('\n')
    process.stdout.write(log)
    return {id: args.id, log}
  }
}
