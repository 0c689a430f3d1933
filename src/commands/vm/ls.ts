import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class VmLs extends BaseCommand {
  static override summary = 'List the VMs isobench started (running, exited, or orphaned by a killed run).'
  static override examples = ['<%= config.bin %> vm ls', '<%= config.bin %> vm ls --json']
  static override flags = {...stateDirFlags}

  async run(): Promise<{vms: Array<import('../../vm/instances.js').VmMeta & {status: string}>}> {
    const {flags} = await this.parse(VmLs)
    const {resolveStateDir, table} = await import('../../cli/flags.js')
    const {listInstanceIds, readMeta} = await import('../../vm/instances.js')
    const {vmStatus} = await import('../../vm/prune.js')
    const stateDir = await resolveStateDir(flags)
    const vms = listInstanceIds(stateDir)
      .map((id) => readMeta(stateDir, id))
      .filter((m) => m !== null)
      .map((m) => ({...m, status: vmStatus(m)}))
    this.log(
      table(
        ['NAME', 'STATUS', 'PID', 'ACCEL', 'MACHINE', 'CPUS', 'MEMORY', 'IMAGE', 'PORTS'],
        vms.map((v) => [
          v.id,
          v.status,
          String(v.pid),
          v.accel,
          v.machine,
          String(v.cpus),
          `${v.memoryMiB}M`,
          v.image ?? '',
          v.forwards.map((f) => `127.0.0.1:${f.hostPort}->${f.guestPort}`).join(',') || (v.ip ?? ''),
        ]),
      ),
    )
    return {vms}
  }
}
