import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'

export default class PluginsLink extends BaseCommand {
  static override summary = 'Link a local plugin folder (e.g. one that adds an arm) into isobench.'
  static override description =
    'The folder must be an npm package with an "oclif" section; a plugin contributes arms by answering the isobench:arms hook. Linked plugins are recorded in <dataDir>/package.json (ISOBENCH_DATA_DIR overrides the data dir).'
  static override examples = ['<%= config.bin %> plugins link ./my-arm-plugin']
  static override args = {path: Args.string({description: 'plugin folder', required: true})}

  async run(): Promise<{name: string; root: string}> {
    const {args} = await this.parse(PluginsLink)
    const {linkPlugin} = await import('../../arms/user-plugins.js')
    const linked = linkPlugin(this.config.dataDir, args.path)
    this.log(`linked ${linked.name} from ${linked.root}`)
    return linked
  }
}
