import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'

export default class ImageLogout extends BaseCommand {
  static override summary = "Remove a registry's credentials from the containers auth file."
  static override examples = ['<%= config.bin %> image logout 127.0.0.1:5000']
  static override args = {registry: Args.string({description: 'registry host[:port]', required: true})}
  static override flags = {authfile: Flags.string({description: 'auth file to edit instead of the default'})}

  async run(): Promise<{registry: string}> {
    const {args, flags} = await this.parse(ImageLogout)
    const {logoutRegistry} = await import('../../images/registry/login.js')
    const r = await logoutRegistry(args.registry, flags.authfile ? {authfile: flags.authfile} : {})
    this.log(`logged out of ${r.registry}`)
    return r
  }
}
