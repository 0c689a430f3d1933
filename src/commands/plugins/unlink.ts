import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {UsageError} from '../../core/errors.js'

export default class PluginsUnlink extends BaseCommand {
  static override summary = 'Unlink a plugin linked with `isobench plugins link`.'
  static override args = {name: Args.string({description: 'plugin name or folder', required: true})}

  async run(): Promise<{unlinked: string}> {
    const {args} = await this.parse(PluginsUnlink)
    const {unlinkPlugin} = await import('../../arms/user-plugins.js')
    if (!unlinkPlugin(this.config.dataDir, args.name)) throw new UsageError(`no linked plugin named ${args.name}`)
    this.log(`unlinked ${args.name}`)
    return {unlinked: args.name}
  }
}
