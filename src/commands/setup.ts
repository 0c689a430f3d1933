import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {UsageError} from '../core/errors.js'

export default class Setup extends BaseCommand {
  static override summary = 'Install the host tools isobench needs (apt) and prepare guest artefacts.'
  static override description = `Installs, through apt, the Debian packages every arm needs: qemu-system-x86, qemu-utils, busybox-static, runc, crun, stress-ng, fio, wrk, e2fsprogs, cpio, iproute2, zstd and chromium (for report tests). Idempotent: packages already installed are skipped, so a second run takes well under a second.

Needs root. Without root it prints the exact apt command and exits 2.`
  static override examples = ['<%= config.bin %> setup', '<%= config.bin %> setup --check']
  static override flags = {
    check: Flags.boolean({description: 'only report what is missing; install nothing (exit 1 if anything is missing)'}),
  }

  async run(): Promise<{installed: string[]; missing: string[]; alreadyPresent: string[]}> {
    const {flags} = await this.parse(Setup)
    const {missingPackages, aptCommand, aptInstall} = await import('../host/apt.js')
    const {HOST_PACKAGES} = await import('../host/doctor/packages.js')
    const missing = await missingPackages(HOST_PACKAGES)
    const alreadyPresent = HOST_PACKAGES.filter((p) => !missing.includes(p)).map((p) => p.pkg)
    const names = missing.map((p) => p.pkg)
    if (missing.length === 0) {
      this.log(`All ${HOST_PACKAGES.length} host packages are installed.`)
    } else if (flags.check) {
      this.log(`Missing: ${names.join(', ')}\nInstall with: ${aptCommand(names)}`)
      this.exit(1)
    } else if (process.getuid?.() !== 0) {
      throw new UsageError(`setup needs root to install ${names.join(', ')}. Run as root:\n  ${aptCommand(names)}`, 'needs-root')
    } else {
      this.logToStderr(`Installing ${names.join(', ')} …`)
      await aptInstall(names)
    }
    const after = missing.length && !flags.check ? await missingPackages(missing) : missing
    if (after.length > 0 && !flags.check) throw new UsageError(`apt did not install: ${after.map((p) => p.pkg).join(', ')}`, 'apt-failed')
    const extras = await import('../host/doctor/setup.js')
    for (const step of extras.setupSteps) {
      this.logToStderr(`${step.name} …`)
      await step.run({log: (m: string) => this.logToStderr(m), check: Boolean(flags.check)})
    }
    return {installed: flags.check ? [] : names, missing: flags.check ? names : [], alreadyPresent}
  }
}
