import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ImageTag extends BaseCommand {
  static override summary = 'Give an image another name:tag.'
  static override examples = ['<%= config.bin %> image tag isobench/idle mine/idle:v1']
  static override args = {
    source: Args.string({description: 'existing image (name[:tag] or id)', required: true}),
    target: Args.string({description: 'new name[:tag]', required: true}),
  }
  static override flags = {...stateDirFlags}

  async run(): Promise<{name: string | null; manifestDigest: string}> {
    const {args, flags} = await this.parse(ImageTag)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const ref = await openImageStore(await resolveStateDir(flags)).tag(args.source, args.target)
    this.log(`${ref.name} → ${ref.manifestDigest.slice(7, 19)}`)
    return ref
  }
}
