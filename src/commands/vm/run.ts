import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'
import {DEFAULT_TB_SIZE_MIB, VM_ACCELS} from '../../core/config.js'

export default class VmRun extends BaseCommand {
  static override summary = 'Boot an image as a QEMU VM (KVM where a probe boot works, else TCG) and run its workload.'
  static override description = `The VM boots the SAME rootfs (same digest) the container arms run, as an initramfs (or an ext4 disk for large images), with Debian's cloud kernel. The guest's init prints the readiness markers on the serial console; the phase breakdown (qmp → kernel → init → ready) is printed on the host's clock. In the foreground the workload's output is followed and its exit code becomes ours; with --detach the VM keeps running (isobench vm ls / vm stop). --json gives the same per-run figures as \`container run --json\`: readyMs, exitMs, exitCode and phases, in ms since the start call on the host's clock.

Put the command after \`--\` when it has options of its own. Every figure says which accelerator it ran on: accel: tcg means software emulation.`
  static override examples = [
    '<%= config.bin %> vm run idle -- echo hello',
    '<%= config.bin %> vm run --detach --name web --network user -p 8080:80 myimage',
    '<%= config.bin %> vm run --cpus 2 --memory 512M idle -- sh -c "nproc; free -m"',
  ]
  static override strict = false
  static override args = {image: Args.string({description: 'image name (a store image or a recipe such as idle)', required: true})}
  static override flags = {
    ...stateDirFlags,
    cpus: Flags.integer({description: 'vCPUs', default: 1}),
    memory: Flags.string({description: 'guest RAM, e.g. 256M or 1G', default: '256M'}),
    network: Flags.string({
      description: 'none, user (qemu user-mode, ports published on 127.0.0.1) or bridge (tap on isobench0)',
      options: ['none', 'user', 'bridge'],
      default: 'none',
    }),
    publish: Flags.string({char: 'p', description: '[127.0.0.1:]HOST:GUEST or GUEST (repeatable)', multiple: true, multipleNonGreedy: true}),
    detach: Flags.boolean({char: 'd', description: 'leave the VM running once it is ready'}),
    name: Flags.string({description: 'instance name ([a-z0-9-], ≤ 40); default vm-<random>'}),
    machine: Flags.string({
      description: 'qemu machine; auto = microvm when the kernel supports it, else pc',
      options: ['auto', 'microvm', 'q35', 'pc'],
      default: 'auto',
    }),
    accel: Flags.string({description: 'accelerator; auto = KVM only when a probe boot works', options: [...VM_ACCELS]}),
    artefact: Flags.string({description: 'boot the rootfs as an initramfs or an ext4 disk (default: by size)', options: ['initramfs', 'ext4']}),
    timeout: Flags.integer({description: 'seconds to wait for the ready marker', default: 60}),
    'tb-size': Flags.integer({description: 'TCG translation cache in MiB (the qemu arm uses the same default)', default: DEFAULT_TB_SIZE_MIB}),
  }

  async run(): Promise<import('../../vm/run.js').VmRunResult> {
    // Everything after the first `--` is the guest command, verbatim (oclif would still look for our own flags in it).
    const raw = [...this.argv]
    const dd = raw.indexOf('--')
    const guestCommand = dd >= 0 ? raw.slice(dd + 1) : null
    const {args, argv, flags} = await this.parse(VmRun, dd >= 0 ? raw.slice(0, dd) : raw)
    const command = guestCommand ?? (argv as string[]).slice(1)
    const {loadConfig} = await import('../../config/load.js')
    const {CleanupRegistry} = await import('../../core/cleanup.js')
    const {runVm} = await import('../../vm/run.js')
    const {config} = await loadConfig(process.cwd(), flags.config)
    const stateDir = flags['state-dir'] ?? config.stateDir
    const {checkStateDir} = await import('../../cli/flags.js')
    checkStateDir(stateDir, flags['state-dir'] ? '--state-dir' : 'stateDir')
    const cleanup = new CleanupRegistry()
    cleanup.installSignalHandlers()
    const quiet = this.jsonEnabled()
    let result: import('../../vm/run.js').VmRunResult
    try {
      result = await runVm({
        stateDir,
        image: args.image,
        command,
        cpus: flags.cpus,
        memory: flags.memory,
        network: flags.network as 'none' | 'user' | 'bridge',
        publish: flags.publish ?? [],
        detach: flags.detach,
        name: flags.name,
        machine: flags.machine as 'auto',
        accel: (flags.accel ?? config.vm.accel) as 'auto' | 'kvm' | 'tcg',
        kernel: config.vm.kernel,
        timeoutSeconds: flags.timeout,
        tbSizeMiB: flags['tb-size'],
        artefact: flags.artefact as 'initramfs' | 'ext4' | undefined,
        cleanup,
        log: (m) => {
          if (!quiet) this.logToStderr(m)
        },
        // The guest command's own output, as it wrote it (like a foreground container's): not ours to rewrite.
        onOutput: quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
      })
    } catch (error) {
      const {ArmError, IsobenchError} = await import('../../core/errors.js')
      if (error instanceof IsobenchError) throw error
      throw new ArmError((error as Error).message, 'not-ready')
    } finally {
      await cleanup.runAll()
      cleanup.removeSignalHandlers()
    }
    if (!quiet) {
      const phases = Object.entries(result.phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(' → ')
      this.logToStderr(
        `${result.id}: accel: ${result.accel}, machine: ${result.machine}, ${result.artefact} rootfs ${result.rootfsDigest.slice(0, 19)}, ready in ${result.readyMs} ms (${phases} ms)`,
      )
      if (result.endpoint)
        this.logToStderr(
          `  reach it at ${Object.entries(result.endpoint.ports)
            .map(([g, h]) => `${result.endpoint!.host}:${h} → guest :${g}`)
            .join(', ')}`,
        )
      if (result.detached) this.log(result.id)
    }
    // The workload's exit code becomes ours (foreground runs), as with docker run; --json still prints the result.
    if (!result.detached && result.exitCode) process.exitCode = result.exitCode
    return result
  }
}
