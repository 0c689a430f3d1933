import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ImageInspect extends BaseCommand {
  static override summary = 'Show an image: manifest, config, and (with --rootfs) its unpacked rootfs digest.'
  static override examples = ['<%= config.bin %> image inspect isobench/idle', '<%= config.bin %> image inspect isobench/idle --rootfs --json']
  static override args = {image: Args.string({description: 'name[:tag], name@sha256:…, or an id prefix', required: true})}
  static override flags = {
    ...stateDirFlags,
    rootfs: Flags.boolean({description: 'unpack the rootfs (cached) and report its directory and rootfs digest'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ImageInspect)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore, unpackRootfs} = await import('../../images/rootfs.js')
    const store = openImageStore(await resolveStateDir(flags))
    const ref = await store.resolve(args.image)
    const manifest = await store.readJson<import('../../images/oci.js').OciManifest>(ref.manifestDigest)
    const config = await store.readJson<import('../../images/oci.js').OciImageConfig>(manifest.config.digest)
    const names = (await store.list()).find((i) => i.manifestDigest === ref.manifestDigest)?.names ?? []
    const rootfs = flags.rootfs ? await unpackRootfs(store, ref) : undefined
    const result = {
      names,
      manifestDigest: ref.manifestDigest,
      manifest,
      config,
      ...(rootfs ? {rootfs: {dir: rootfs.dir, digest: rootfs.digest, warnings: rootfs.warnings}} : {}),
    }
    this.log(JSON.stringify(result, null, 2))
    return result
  }
}
