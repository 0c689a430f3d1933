import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {OCI_RUNTIMES} from '../runtime/oci/runtimes.js'

export default class Doctor extends BaseCommand {
  static override summary = `Report what this host can do: CPU, kernel, memory, cgroups, namespaces, KVM, ${OCI_RUNTIMES.map((r) => r.name).join('/')}.`
  static override description = `Every capability is checked for real and within a bounded time: namespaces by entering them; KVM by a short probe boot of a tiny guest (a /dev/kvm that exists but cannot boot a guest is reported as "present but unusable; VM arm will use TCG"); ${OCI_RUNTIMES.map((r) => r.name).join(' and ')} by running a container. Takes a few seconds.

Exit code 0 even when capabilities are missing (the report says which arms they disable); 1 if the checks themselves fail.`
  static override flags = {
    config: Flags.string({description: 'path to bench.config.ts (default: ./bench.config.ts if present)'}),
    'kvm-timeout': Flags.integer({description: 'seconds the KVM probe boot may take before KVM is declared unusable', default: 3, min: 1, max: 60}),
  }

  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json']

  async run(): Promise<import('../host/doctor/doctor.js').DoctorReport> {
    const {flags} = await this.parse(Doctor)
    const {runDoctor} = await import('../host/doctor/doctor.js')
    const {loadConfig} = await import('../config/load.js')
    const {config} = await loadConfig(process.cwd(), flags.config)
    const report = await runDoctor({kernel: config.vm.kernel, stateDir: config.stateDir, kvmTimeoutMs: flags['kvm-timeout'] * 1000})
    const {host} = report
    this.log(`host     ${host.hostname}: ${host.os}, kernel ${host.kernel}`)
    this.log(`cpu      ${host.cpu.model}, ${host.cpu.cores} logical cores`)
    this.log(`memory   ${(host.memoryBytes / 2 ** 30).toFixed(1)} GiB`)
    this.log(`virt     ${host.virtualization ?? 'bare metal (no hypervisor, no container detected)'}`)
    for (const c of report.checks) {
      this.log(`${c.ok ? 'ok  ' : 'no  '} ${c.name.padEnd(10)} ${c.detail}${c.fix && !c.ok ? `\n                ${c.fix}` : ''}`)
    }
    return report
  }
}
