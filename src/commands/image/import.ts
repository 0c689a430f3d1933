import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ImageImport extends BaseCommand {
  static override summary = 'Import an OCI image layout (directory or tar) or a docker-save / skopeo docker-archive tarball.'
  static override description = `Blobs are verified against their digests while copied into the store. Names come from the archive (RepoTags, io.containerd.image.name, or <file name>:<ref.name tag>) unless --name is given.`
  static override examples = [
    '<%= config.bin %> image import ./busybox-oci',
    '<%= config.bin %> image import busybox.tar --name busybox:1.36',
    'skopeo copy oci:DIR:tag docker-archive:x.tar && <%= config.bin %> image import x.tar',
  ]
  static override args = {path: Args.string({description: 'OCI layout dir, OCI layout tar, or docker-archive tar', required: true})}
  static override flags = {
    ...stateDirFlags,
    name: Flags.string({description: 'name[:tag] for the imported image (archives with one image only)'}),
  }

  async run(): Promise<{images: import('../../images/import.js').ImportedImage[]}> {
    const {args, flags} = await this.parse(ImageImport)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const {importImage} = await import('../../images/import.js')
    const images = await importImage(openImageStore(await resolveStateDir(flags)), args.path, {name: flags.name})
    for (const i of images) this.log(`imported ${i.name ?? '<untagged>'} ${i.manifestDigest.slice(7, 19)} (${i.format}, ${i.layers} layers)`)
    return {images}
  }
}
