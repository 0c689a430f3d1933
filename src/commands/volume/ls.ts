import {BaseCommand} from '../../base-command.js'
import {stateDirFlags} from '../../images/cli.js'

export default class VolumeLs extends BaseCommand {
  static override summary = 'List named volumes (<state-dir>/volumes) and the containers that mount them.'
  static override examples = ['<%= config.bin %> volume ls', '<%= config.bin %> volume ls --json']
  static override flags = {...stateDirFlags}

  async run(): Promise<{volumes: import('../../runtime/volumes.js').VolumeInfo[]}> {
    const {flags} = await this.parse(VolumeLs)
    const {resolveStateDir, table} = await import('../../images/cli.js')
    const {listVolumes} = await import('../../runtime/volumes.js')
    const volumes = listVolumes(await resolveStateDir(flags))
    this.log(table(['NAME', 'PATH', 'USED BY'], volumes.map((v) => [v.name, v.path, v.usedBy.join(',')])))
    return {volumes}
  }
}
