import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class VolumeLs extends BaseCommand {
  static override summary = 'List named volumes (<state-dir>/volumes) and the containers that mount them.'
  static override examples = ['<%= config.bin %> volume ls', '<%= config.bin %> volume ls --json']
  static override flags = {...stateDirFlags}

  async run(): Promise<{volumes: import('../../runtime/container/volumes.js').VolumeInfo[]}> {
    const {flags} = await this.parse(VolumeLs)
    const {resolveStateDir, table} = await import('../../cli/flags.js')
    const {listVolumes} = await import('../../runtime/container/volumes.js')
    const volumes = listVolumes(await resolveStateDir(flags))
    this.log(
      table(
        ['NAME', 'PATH', 'USED BY'],
        volumes.map((v) => [v.name, v.path, v.usedBy.join(',')]),
      ),
    )
    return {volumes}
  }
}
