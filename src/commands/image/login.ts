import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {registryFlags} from '../../images/registry/flags.js'

export default class ImageLogin extends BaseCommand {
  static override summary = 'Log in to a registry (credentials kept by skopeo in the containers auth file).'
  static override description = `The credentials are checked against the registry and stored in $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json (or --authfile), where skopeo, podman and buildah read them. Give the password on stdin with --password-stdin; without -p or --password-stdin, skopeo asks for it on the terminal.`
  static override examples = ['echo "$PASS" | <%= config.bin %> image login 127.0.0.1:5000 -u alice --password-stdin --tls-verify=false']
  static override args = {registry: Args.string({description: 'registry host[:port] (docker.io for Docker Hub)', required: true})}
  static override flags = {
    ...registryFlags,
    username: Flags.string({char: 'u', description: 'user name'}),
    password: Flags.string({char: 'p', description: 'password (visible in the process list: prefer --password-stdin)'}),
    'password-stdin': Flags.boolean({description: 'read the password from stdin'}),
  }

  async run(): Promise<{registry: string}> {
    const {args, flags} = await this.parse(ImageLogin)
    const {loginRegistry} = await import('../../images/registry/login.js')
    const {registryOptions} = await import('../../images/registry/flags.js')
    const {UsageError} = await import('../../core/errors.js')
    if (flags.password !== undefined && flags['password-stdin']) throw new UsageError('--password and --password-stdin: give one of them', 'bad-flag')
    let password = flags.password
    if (flags['password-stdin']) {
      if (!flags.username) throw new UsageError('--password-stdin needs --username', 'bad-flag')
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      password = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '')
    }
    const r = await loginRegistry(args.registry, {
      ...registryOptions(flags),
      ...(flags.username !== undefined ? {username: flags.username} : {}),
      ...(password !== undefined ? {password} : {}),
    })
    this.log(`logged in to ${r.registry}`)
    return r
  }
}
