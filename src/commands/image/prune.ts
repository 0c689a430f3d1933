import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ImagePrune extends BaseCommand {
  static override summary = 'Delete blobs, rootfs trees and temp files no image needs (and with --all the build cache).'
  static override examples = ['<%= config.bin %> image prune', '<%= config.bin %> image prune --all --json']
  static override flags = {
    ...stateDirFlags,
    all: Flags.boolean({description: 'also clear the build cache (the next build runs every step)'}),
  }

  async run(): Promise<import('../../images/prune.js').PruneResult> {
    const {flags} = await this.parse(ImagePrune)
    const {resolveStateDir, humanBytes} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const {pruneStore} = await import('../../images/prune.js')
    const r = await pruneStore(openImageStore(await resolveStateDir(flags)), {all: flags.all})
    this.log(
      `removed ${r.blobsRemoved} blobs (${humanBytes(r.bytesFreed)}), ${r.rootfsRemoved.length} rootfs trees, ${r.tempRemoved.length} temp files${r.buildCacheCleared ? '; build cache cleared' : ''}`,
    )
    return r
  }
}
