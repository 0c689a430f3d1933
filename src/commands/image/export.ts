import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ImageExport extends BaseCommand {
  static override summary = 'Write an image as an OCI image layout (directory, or a tar if PATH ends in .tar) that skopeo and umoci read.'
  static override examples = [
    '<%= config.bin %> image export isobench/idle ./idle-oci && skopeo inspect oci:./idle-oci:latest',
    '<%= config.bin %> image export isobench/idle idle.tar --tag v1',
  ]
  static override args = {
    image: Args.string({description: 'name[:tag] or id', required: true}),
    path: Args.string({description: 'output directory, or a .tar file', required: true}),
  }
  static override flags = {
    ...stateDirFlags,
    tag: Flags.string({description: "tag inside the layout (org.opencontainers.image.ref.name); default: the image's tag"}),
  }

  async run(): Promise<import('../../images/export.js').ExportResult> {
    const {args, flags} = await this.parse(ImageExport)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const {exportImage} = await import('../../images/export.js')
    const r = await exportImage(openImageStore(await resolveStateDir(flags)), args.image, args.path, {tag: flags.tag})
    this.log(`wrote ${r.path} (${r.format}); read it with: skopeo inspect oci:${r.path.endsWith('.tar') ? '<untarred dir>' : r.path}:${r.tag}`)
    return r
  }
}
