import {BaseCommand} from '../../cli/base-command.js'

export default class PluginsList extends BaseCommand {
  static override summary = 'List linked plugins.'

  async run(): Promise<Array<{name: string; root?: string}>> {
    await this.parse(PluginsList)
    const {linkedPlugins} = await import('../../arms/user-plugins.js')
    const list = linkedPlugins(this.config.dataDir)
    for (const p of list) this.log(`${p.name}  ${p.root ?? ''}`)
    if (list.length === 0) this.log('no linked plugins')
    return list
  }
}
