import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {stateDirFlags} from '../../cli/flags.js'

export default class ContainerRun extends BaseCommand {
  static override summary = "Run a command in a new container of isobench's own runtime."
  static override description = `The container gets its own pid, mount, uts, ipc, net and cgroup namespaces over an overlay of the image (a copy where overlayfs is unavailable), pivot_root, /proc, read-only /sys, a minimal /dev, masked /proc paths, Docker's default capabilities, Docker's default device allowlist (device cgroup) and Docker's default seccomp profile. Limits become cgroups (v1, v2 or hybrid hosts).

In the foreground the container's output is streamed and its exit code becomes ours; with --detach it keeps running (isobench container ls|logs|exec|stop|rm). Put the command after \`--\` when it has options of its own.

--json gives the same per-run figures as \`vm run --json\`: readyMs (the OCI runtime's --pid-file: create done, start follows), exitMs, exitCode and phases, in ms since the start call on the host's clock.`
  static override examples = [
    '<%= config.bin %> container run --rm idle -- echo hello',
    '<%= config.bin %> container run --rm --cpus 0.5 --memory 64m --network none idle -- sh -c "cat /proc/self/cgroup"',
    '<%= config.bin %> container run -d --name web -p 8080:80 idle -- httpd -f -p 80',
    '<%= config.bin %> container run --rm --mount type=volume,src=data,dst=/data idle -- sh -c "echo hi > /data/f"',
  ]
  static override strict = false
  static override args = {image: Args.string({description: 'image: a store image, a recipe such as idle, or an absolute rootfs directory', required: true})}
  static override flags = {
    ...stateDirFlags,
    rm: Flags.boolean({description: 'remove the container when it exits'}),
    detach: Flags.boolean({char: 'd', description: 'leave the container running in the background'}),
    name: Flags.string({description: 'container name ([a-z0-9-], ≤ 40); default c-<random>'}),
    cpus: Flags.string({description: 'CPU quota in cores, e.g. 0.5 or 2'}),
    memory: Flags.string({char: 'm', description: 'memory limit, e.g. 64m or 1g'}),
    pids: Flags.integer({description: 'maximum number of processes'}),
    cpuset: Flags.string({description: 'host CPUs to run on, e.g. 0 or 0-1'}),
    network: Flags.string({
      description: 'none (loopback only), host, or bridge (veth on isobench0, 198.18.0.0/15)',
      options: ['none', 'host', 'bridge'],
      default: 'bridge',
    }),
    publish: Flags.string({
      char: 'p',
      description: 'publish a port on 127.0.0.1: HOST:CONTAINER (repeatable; bridge network)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    mount: Flags.string({
      description: 'type=bind,src=/host,dst=/ctr[,ro] or type=volume,src=NAME,dst=/ctr[,ro] (repeatable)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    volume: Flags.string({
      char: 'v',
      description: 'NAME:/ctr[:ro] (a named volume) or /host:/ctr[:ro] (a bind mount)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    env: Flags.string({char: 'e', description: "KEY=VALUE, or KEY to pass the host's value (repeatable)", multiple: true, multipleNonGreedy: true}),
    user: Flags.string({char: 'u', description: "run as name|uid[:group|gid], resolved in the image's /etc/passwd and /etc/group (default: the image's USER)"}),
    workdir: Flags.string({char: 'w', description: 'working directory inside the container'}),
    'security-opt': Flags.string({
      description:
        "Docker's security options: seccomp=unconfined (no filter), seccomp=default (Docker's default profile, the default) or seccomp=FILE (a profile in Docker's JSON format)",
      multiple: true,
      multipleNonGreedy: true,
    }),
    'writable-layer': Flags.string({
      description:
        "where the container's writes to its rootfs go: disk (overlay upper dir in the state dir, like Docker) or memory (a tmpfs of the container's own, charged to its memory limit, gone when it exits; starts ≈ 1.5 ms faster here)",
      options: ['disk', 'memory'],
      default: 'disk',
    }),
  }

  async run(): Promise<import('../../runtime/container/run.js').ContainerRunResult> {
    const {args, argv, flags} = await this.parse(ContainerRun)
    const {resolveStateDir} = await import('../../cli/flags.js')
    const {CleanupRegistry} = await import('../../core/cleanup.js')
    const {runContainer} = await import('../../runtime/container/run.js')
    const {exitStatusText} = await import('../../core/arm.js')
    const {commandWords} = await import('../../cli/command-words.js')
    const {volumeFlagToMount} = await import('../../runtime/container/mount-spec.js')
    const {checkBound} = await import('../../core/bounds.js')
    const cpus = flags.cpus === undefined ? undefined : checkBound(Number(flags.cpus.trim() || Number.NaN), 'cpus', '--cpus', flags.cpus)
    const cleanup = new CleanupRegistry()
    cleanup.installSignalHandlers()
    const quiet = this.jsonEnabled()
    try {
      const result = await runContainer({
        stateDir: await resolveStateDir(flags),
        image: args.image,
        command: commandWords(this.argv, argv as string[]),
        name: flags.name,
        rm: flags.rm,
        detach: flags.detach,
        cpus,
        memory: flags.memory,
        pids: flags.pids,
        cpuset: flags.cpuset,
        network: flags.network as 'none' | 'host' | 'bridge',
        publish: flags.publish ?? [],
        mounts: [...(flags.mount ?? []), ...(flags.volume ?? []).map(volumeFlagToMount)],
        env: flags.env ?? [],
        user: flags.user,
        workdir: flags.workdir,
        writableLayer: flags['writable-layer'] as 'disk' | 'memory',
        securityOpt: flags['security-opt'] ?? [],
        cleanup,
        stdout: quiet ? devNull() : undefined,
        stderr: quiet ? devNull() : undefined,
      })
      if (result.detached && !quiet) this.log(result.id)
      if (!result.detached && result.exitCode) process.exitCode = result.exitCode
      // The container's own output is its; that its end was the OOM killer's is ours to say (Docker's State.OOMKilled).
      if (!result.detached && result.oomKilled && !quiet)
        this.logToStderr(
          `warning: container ${result.id} ${exitStatusText({code: result.exitCode ?? null, oomKilled: true})}: a process went beyond its memory limit`,
        )
      return result
    } finally {
      await cleanup.runAll()
      cleanup.removeSignalHandlers()
    }
  }
}

function devNull(): NodeJS.WritableStream {
  return {write: () => true} as unknown as NodeJS.WritableStream
}
