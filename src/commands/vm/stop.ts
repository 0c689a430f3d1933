import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class VmStop extends BaseCommand {
  static override summary = 'Stop VMs (QMP quit, then SIGKILL) and remove their tap, socket and files.'
  static override examples = ['<%= config.bin %> vm stop web', '<%= config.bin %> vm stop vm-1a2b3c4d vm-5e6f7a8b']
  static override strict = false
  static override args = {name: Args.string({description: 'VM name (see vm ls); several may be given', required: true})}
  static override flags = {...stateDirFlags}

  async run(): Promise<{stopped: string[]}> {
    const {argv, flags} = await this.parse(VmStop)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {UsageError} = await import('../../core/errors.js')
    const {readMeta} = await import('../../vm/instances.js')
    const {stopVm} = await import('../../vm/stop.js')
    const stateDir = await resolveStateDir(flags)
    const names = argv as string[]
    const unknown = names.filter((n) => !readMeta(stateDir, n))
    if (unknown.length) throw new UsageError(`no VM named ${unknown.join(', ')} (see isobench vm ls)`, 'not-found')
    for (const n of names) {
      await stopVm(stateDir, n)
      this.log(n)
    }
    return {stopped: names}
  }
}
