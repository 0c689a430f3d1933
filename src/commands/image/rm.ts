import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ImageRm extends BaseCommand {
  static override summary = 'Remove image names (by name) or whole images (by id); blobs are freed by `image prune`.'
  static override examples = ['<%= config.bin %> image rm myimage:1.0', '<%= config.bin %> image rm 1a2b3c4d5e6f']
  static override strict = false
  static override args = {image: Args.string({description: 'name[:tag] or id; several may be given', required: true})}
  static override flags = {...stateDirFlags}

  async run(): Promise<{removed: Array<{image: string; removed: string[]; manifestDigest: string}>}> {
    const {argv, flags} = await this.parse(ImageRm)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const store = openImageStore(await resolveStateDir(flags))
    const removed = []
    for (const image of argv as string[]) {
      const r = await store.remove(image)
      for (const n of r.removed) this.log(`removed ${n}`)
      removed.push({image, ...r})
    }
    return {removed}
  }
}
