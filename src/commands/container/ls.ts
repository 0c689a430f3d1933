import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export interface ContainerListEntry {
  id: string
  status: string
  image: string
  command: string
  created: string
  network: string
  ip?: string
  pid: number | null
  exitCode: number | null
  /** Killed by the OOM killer for its memory limit (Docker's State.OOMKilled). */
  oomKilled: boolean
  ports: string[]
}

export default class ContainerLs extends BaseCommand {
  static override summary = 'List containers (running ones; --all for exited and dead ones too).'
  static override description =
    'Reads the state on disk (<state-dir>/containers). "dead" means its isobench-runtime is gone without recording an exit (killed with isobench): `isobench container prune` removes those.'
  static override examples = ['<%= config.bin %> container ls', '<%= config.bin %> container ls --all --json']
  static override flags = {...stateDirFlags, all: Flags.boolean({char: 'a', description: 'also list created, exited and dead containers'})}

  async run(): Promise<{containers: ContainerListEntry[]}> {
    const {flags} = await this.parse(ContainerLs)
    const {resolveStateDir, table} = await import('../../cli/flags.js')
    const {Container} = await import('../../runtime/container/container.js')
    const {exitStatusText} = await import('../../core/arm.js')
    const stateDir = await resolveStateDir(flags)
    const containers = Container.list(stateDir)
      .filter((c) => flags.all || c.status === 'running')
      .map((c) => ({
        id: c.id,
        status: c.status === 'exited' ? exitStatusText({code: c.exitCode, oomKilled: c.oomKilled}) : c.status,
        image: c.config.image,
        command: c.config.argv.join(' '),
        created: c.config.createdAt,
        network: c.config.network,
        ip: c.runtime.network?.ip,
        pid: c.initPid,
        exitCode: c.exitCode,
        oomKilled: c.oomKilled,
        ports: c.config.ports.map((p) => `127.0.0.1:${p.host}->${p.container}/tcp`),
      }))
    this.log(
      table(
        ['NAME', 'STATUS', 'IMAGE', 'COMMAND', 'NETWORK', 'PORTS'],
        containers.map((c) => [
          c.id,
          c.status,
          c.image,
          c.command.length > 40 ? c.command.slice(0, 39) + '…' : c.command,
          c.ip ?? c.network,
          c.ports.join(','),
        ]),
      ),
    )
    return {containers}
  }
}
