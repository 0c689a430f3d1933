import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ImageLs extends BaseCommand {
  static override summary = 'List the images in the store.'
  static override description =
    'Lists every image in the content-addressed store (<state-dir>/images, an OCI image layout): names, manifest id, stored size and layer count.'
  static override examples = ['<%= config.bin %> image ls', '<%= config.bin %> image ls --json', '<%= config.bin %> image ls --state-dir /tmp/isobench-state']
  static override flags = {...stateDirFlags}

  async run(): Promise<{stateDir: string; images: import('../../images/store.js').ImageSummary[]}> {
    const {flags} = await this.parse(ImageLs)
    const {resolveStateDir, humanBytes, table} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const stateDir = await resolveStateDir(flags)
    const images = await openImageStore(stateDir).list()
    this.log(
      table(
        ['NAME', 'ID', 'SIZE', 'LAYERS'],
        images.map((i) => [i.names.join(', ') || '<none>', i.manifestDigest.slice(7, 19), humanBytes(i.size), String(i.layers)]),
      ),
    )
    return {stateDir, images}
  }
}
