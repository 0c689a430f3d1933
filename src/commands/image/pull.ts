import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'
import {registryFlags} from '../../images/registry/flags.js'

export default class ImagePull extends BaseCommand {
  static override summary = 'Pull an image from a registry into the store (through skopeo).'
  static override description = `Names are normalized as Docker does: web is docker.io/library/web:latest, host:5000/a/b is kept, name@sha256:… pulls by digest. For a manifest list the linux/amd64 image (the host's platform) is taken, or the one --platform names. Credentials come from \`isobench image login\` or the auth files Docker and podman write. Every blob is verified against its digest; layers are unpacked by the same safe unpack as every image.`
  static override examples = [
    '<%= config.bin %> image pull 127.0.0.1:5000/web:1 --tls-verify=false',
    '<%= config.bin %> image pull busybox',
    '<%= config.bin %> image pull --platform linux/arm64 example.org/tool@sha256:…',
  ]
  static override args = {reference: Args.string({description: 'image reference: [host[:port]/]name[:tag|@sha256:…]', required: true})}
  static override flags = {
    ...stateDirFlags,
    ...registryFlags,
    platform: Flags.string({description: "os/arch[/variant] to take from a manifest list (default: the host's)"}),
    quiet: Flags.boolean({char: 'q', description: 'print only the image id'}),
  }

  async run(): Promise<import('../../images/registry/pull.js').PullResult> {
    const {args, flags} = await this.parse(ImagePull)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const {pullImage} = await import('../../images/registry/pull.js')
    const {registryOptions} = await import('../../images/registry/flags.js')
    const quiet = flags.quiet || this.jsonEnabled()
    const r = await pullImage(openImageStore(await resolveStateDir(flags)), args.reference, {
      ...registryOptions(flags),
      ...(flags.platform ? {platform: flags.platform} : {}),
      log: quiet ? undefined : (line) => this.logToStderr(line),
    })
    if (flags.quiet) this.log(r.manifestDigest)
    else this.log(`pulled ${r.name} ${r.manifestDigest.slice(7, 19)} (${r.layers} layers, ${r.platform}) from ${r.reference}`)
    return r
  }
}
