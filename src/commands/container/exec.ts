import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ContainerExec extends BaseCommand {
  static override summary = 'Run a command inside a running container (its namespaces, cgroups and capabilities).'
  static override examples = ['<%= config.bin %> container exec web -- ps', '<%= config.bin %> container exec -e A=1 web -- sh -c "echo $A"']
  static override strict = false
  static override args = {id: Args.string({description: 'container name', required: true})}
  static override flags = {
    ...stateDirFlags,
    env: Flags.string({char: 'e', description: 'KEY=VALUE (repeatable)', multiple: true, multipleNonGreedy: true}),
    workdir: Flags.string({char: 'w', description: 'working directory inside the container'}),
  }

  async run(): Promise<{id: string; exitCode: number | null}> {
    const {args, argv, flags} = await this.parse(ContainerExec)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {Container} = await import('../../runtime/container/container.js')
    const {envRecord} = await import('../../runtime/container/image.js')
    const {UsageError} = await import('../../core/errors.js')
    const {commandWords} = await import('../../cli/command-words.js')
    const command = commandWords(this.argv, argv as string[])
    if (command.length === 0) throw new UsageError('container exec: give the command to run after the container name', 'no-command')
    const child = await Container.open(await resolveStateDir(flags), args.id).exec(command, {
      env: envRecord(flags.env ?? []),
      cwd: flags.workdir,
      output: this.jsonEnabled() ? 'pipe' : 'inherit',
    })
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))))
    if (exitCode) process.exitCode = exitCode
    return {id: args.id, exitCode}
  }
}
