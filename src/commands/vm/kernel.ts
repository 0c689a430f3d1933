import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class VmKernel extends BaseCommand {
  static override summary = "Fetch Debian's cloud kernel for the VM arm (apt-get download + dpkg -x; nothing is installed on the host)."
  static override description =
    'Keeps the bzImage, an uncompressed vmlinux (microvm boots it directly), the .config and only the virtio modules the guest needs under <state-dir>/vm/kernel. Idempotent: quick when the current version is there. A kernel named in bench.config.ts (vm.kernel) is used instead when set.'
  static override examples = ['<%= config.bin %> vm kernel', '<%= config.bin %> vm kernel --check']
  static override flags = {...stateDirFlags, check: Flags.boolean({description: 'only say whether the current kernel is there'})}

  async run(): Promise<{kernel: import('../../vm/kernel.js').GuestKernel | null; fetched: boolean}> {
    const {flags} = await this.parse(VmKernel)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {fetchCloudKernel} = await import('../../vm/kernel.js')
    const r = await fetchCloudKernel(await resolveStateDir(flags), {log: (m) => this.logToStderr(m), check: flags.check})
    if (r.kernel) this.log(`${r.kernel.version} ${r.kernel.vmlinuz}${r.fetched ? ' (fetched)' : ''}`)
    else if (flags.check) this.exit(1)
    return r
  }
}
