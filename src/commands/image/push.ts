import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'
import {registryFlags} from '../../images/registry/flags.js'

export default class ImagePush extends BaseCommand {
  static override summary = 'Push a store image to a registry (through skopeo).'
  static override description = `IMAGE is a store image (name or id); REFERENCE is where it goes, normalized as Docker does (default: IMAGE's own name). Layers are gzip-compressed on the way; what the registry already has is skipped. Prints the manifest digest the registry now serves, so \`isobench image pull <repo>@<digest>\` fetches exactly this image.`
  static override examples = [
    '<%= config.bin %> image push hello:1 127.0.0.1:5000/hello:1 --tls-verify=false',
    '<%= config.bin %> image push 127.0.0.1:5000/web:1 --tls-verify=false',
  ]
  static override args = {
    image: Args.string({description: 'store image: name[:tag] or id', required: true}),
    reference: Args.string({description: 'destination: [host[:port]/]name[:tag] (default: IMAGE)'}),
  }
  static override flags = {...stateDirFlags, ...registryFlags}

  async run(): Promise<import('../../images/registry/push.js').PushResult> {
    const {args, flags} = await this.parse(ImagePush)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const {pushImage} = await import('../../images/registry/push.js')
    const {registryOptions} = await import('../../images/registry/flags.js')
    const quiet = this.jsonEnabled()
    const r = await pushImage(openImageStore(await resolveStateDir(flags)), args.image, args.reference ?? args.image, {
      ...registryOptions(flags),
      log: quiet ? undefined : (line) => this.logToStderr(line),
    })
    this.log(`pushed ${r.reference} ${r.digest} (${r.layers} layers)`)
    return r
  }
}
