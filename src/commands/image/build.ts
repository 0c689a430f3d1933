import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'
import {registryFlags} from '../../images/registry/flags.js'

export default class ImageBuild extends BaseCommand {
  static override summary = 'Build an image from a Containerfile; RUN steps execute in a container of our own runtime.'
  static override description = `Follows the Dockerfile reference: multi-stage builds (FROM … AS name, COPY --from=stage|image), ARG (also before FROM) and ENV with Docker's expansion rules, here-documents (RUN <<EOF, COPY <<EOF), the escape directive, .dockerignore/.containerignore, COPY/ADD (local files and tars; --chown, --chmod), RUN, WORKDIR (created), USER, ENTRYPOINT, CMD, SHELL, EXPOSE, LABEL, VOLUME, STOPSIGNAL, MAINTAINER. FROM takes scratch, a store image, isobench/<recipe>, debian:<suite> (debootstrap), or any registry reference (pulled once through skopeo). Each COPY/ADD/RUN/WORKDIR that changes files is a layer cached by (parent layers, instruction, input digests): an unchanged rebuild runs nothing and says "cached". ONBUILD and HEALTHCHECK (no place in an OCI image config) and RUN --mount are refused with file:line (exit 2).`
  static override examples = [
    '<%= config.bin %> image build -t hello:1 .',
    '<%= config.bin %> image build -f test/fixtures/images/hello/Containerfile -t hello test/fixtures/images/hello',
    '<%= config.bin %> image build --build-arg GREETING=hi -t hi .',
  ]
  static override args = {context: Args.string({description: 'build context directory', default: '.'})}
  static override flags = {
    ...stateDirFlags,
    ...registryFlags,
    file: Flags.string({char: 'f', description: 'Containerfile (default: <context>/Containerfile, else <context>/Dockerfile)'}),
    tag: Flags.string({char: 't', description: 'name[:tag] for the result (repeatable)', multiple: true, multipleNonGreedy: true}),
    'build-arg': Flags.string({description: 'K=V for an ARG (repeatable)', multiple: true, multipleNonGreedy: true}),
    target: Flags.string({description: 'build this stage (name or index) instead of the last'}),
    platform: Flags.string({description: "os/arch[/variant] of base images pulled from a registry (default: the host's, linux/amd64 here)"}),
    network: Flags.string({description: 'network of RUN steps', options: ['host', 'none'], default: 'host'}),
    'no-cache': Flags.boolean({description: 'run every step even if the build cache has it'}),
    quiet: Flags.boolean({char: 'q', description: 'print only the image id'}),
  }

  async run(): Promise<import('../../images/build/build.js').BuildResult> {
    const {args, flags} = await this.parse(ImageBuild)
    const {existsSync} = await import('node:fs')
    const {join, resolve} = await import('node:path')
    const {UsageError} = await import('../../core/errors.js')
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {openImageStore} = await import('../../images/rootfs.js')
    const {buildImage} = await import('../../images/build/build.js')
    const {buildProgress} = await import('../../images/build/progress.js')
    const {createBuildExecutor} = await import('../../runtime/container/build-executor.js')
    const {CleanupRegistry} = await import('../../core/cleanup.js')
    const context = resolve(args.context)
    const file = flags.file
      ? resolve(flags.file)
      : (['Containerfile', 'Dockerfile'].map((f) => join(context, f)).find((f) => existsSync(f)) ?? join(context, 'Containerfile'))
    const buildArgs: Record<string, string> = {}
    for (const kv of flags['build-arg'] ?? []) {
      const i = kv.indexOf('=')
      if (i <= 0) throw new UsageError(`--build-arg ${JSON.stringify(kv)}: expected K=V`, 'bad-flag')
      buildArgs[kv.slice(0, i)] = kv.slice(i + 1)
    }
    const {normalizeName} = await import('../../images/names.js')
    const {registryOptions} = await import('../../images/registry/flags.js')
    for (const t of flags.tag ?? []) normalizeName(t) // a bad tag is exit 2 before any step runs
    const cleanup = new CleanupRegistry()
    cleanup.installSignalHandlers()
    const quiet = flags.quiet || this.jsonEnabled()
    const progress = quiet ? null : buildProgress()
    const executor = createBuildExecutor()
    try {
      const result = await buildImage(openImageStore(await resolveStateDir(flags)), {
        file,
        context,
        tags: flags.tag ?? [],
        buildArgs,
        network: flags.network as 'host' | 'none',
        executor,
        noCache: flags['no-cache'],
        target: flags.target,
        pull: {...registryOptions(flags), ...(flags.platform ? {platform: flags.platform} : {})},
        onStep: progress?.onStep,
        log: progress?.log ?? (() => {}),
        track: (label, undo) => cleanup.add(label, undo),
      })
      progress?.stop()
      const cachedAll = result.steps.every((s) => s.cached !== false)
      if (flags.quiet) this.log(result.manifestDigest)
      else
        this.log(
          `built ${result.tags.join(', ') || '<untagged>'} ${result.manifestDigest.slice(7, 19)} in ${(result.totalMs / 1000).toFixed(2)}s (${result.layers} layers${cachedAll ? ', all cached' : ''}; RUN via ${result.executor})`,
        )
      return result
    } finally {
      progress?.stop()
      await cleanup.runAll()
      cleanup.removeSignalHandlers()
    }
  }
}
