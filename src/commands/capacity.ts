import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Capacity extends BaseCommand {
  static override summary = 'The largest number of concurrent instances per arm that still meets your SLOs on this host (doubling, then bisection).'
  static override description = `For each arm: start N instances of WORKLOAD at once (the scale-out metric) and, with a victim SLO, run a VICTIM workload alone and next to the N instances (the interference metric); N = 1, 2, 4, … until an SLO fails, then bisection. Reports N with its 95% CI (from the CIs of each step's SLO statistics) and what bound it: the first SLO that failed, host memory (the search never starts instances whose memory — a VM's guest RAM at least — would leave less than --memory-reserve of MemAvailable), or --max-instances.

SLOs (repeat --slo): startup.p50, startup.p99 (per-instance start-to-ready time of the N started at once), startup.all (until all N are ready), in ms or s; victim.degradation in %. Every step's samples are kept in results.json, with the report's capacity section.

Exit codes: 0 done, 1 the run failed, 2 bad input, 130/143 interrupted (the steps measured are kept).`
  static override examples = [
    `<%= config.bin %> capacity --slo 'startup.p99<200ms' --slo 'victim.degradation<10%'`,
    `<%= config.bin %> capacity --slo 'startup.p99<2s' --arms container,qemu --max-instances 32`,
  ]
  static override flags = {
    slo: Flags.string({
      description: 'an SLO, KEY<BOUND: startup.p99<200ms, startup.p50<=1s, startup.all<5s, victim.degradation<10%',
      required: true,
      multiple: true,
      multipleNonGreedy: true,
    }),
    arms: Flags.string({description: 'comma-separated arms (default: every available arm)'}),
    workload: Flags.string({char: 'w', description: 'the workload the N instances run', default: 'idle'}),
    victim: Flags.string({description: 'the victim workload of victim.degradation (it must finish and report a figure)', default: 'cpu'}),
    'max-instances': Flags.integer({description: 'never start more than this many at once', default: 64, min: 1, max: 4096}),
    reps: Flags.integer({description: 'repetitions per step (each starts the N instances afresh)', default: 3, min: 1, max: 100}),
    'memory-reserve': Flags.string({description: 'host memory the search leaves free (MemAvailable minus this is the ceiling)', default: '1G'}),
    cpus: Flags.string({description: 'CPU quota per instance (a VM gets whole vCPUs)', default: '1'}),
    memory: Flags.string({description: "memory per instance (a container's limit, a VM's guest RAM)", default: '256M'}),
    budget: Flags.string({description: 'wall-clock budget per step, e.g. 10m'}),
    out: Flags.string({description: 'output folder (default: config outDir, "reports")'}),
    config: Flags.string({description: 'config file (default: ./bench.config.ts)'}),
    'state-dir': Flags.string({description: 'state directory (default: the config stateDir)', env: 'ISOBENCH_STATE_DIR'}),
    quiet: Flags.boolean({char: 'q', description: 'no progress; print the results and paths'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Capacity)
    const {parseSlo} = await import('../engine/capacity/slo.js')
    const {runCapacity} = await import('../engine/capacity/run.js')
    const {loadConfig} = await import('../config/load.js')
    const {createLogger} = await import('../core/log.js')
    const {writeReport} = await import('../report/index.js')
    const {parseDuration, parseList, parseSizeMiB} = await import('../cli/units.js')
    const {resolveWorkloadName} = await import('../workloads/catalog.js')
    const {UsageError} = await import('../core/errors.js')
    const {join} = await import('node:path')
    const slos = flags.slo.map(parseSlo)
    resolveWorkloadName(flags.workload)
    resolveWorkloadName(flags.victim)
    const cpus = Number(flags.cpus)
    if (!(cpus > 0 && cpus <= 1024)) throw new UsageError(`--cpus: expected a CPU count above 0, got "${flags.cpus}"`, 'bad-flag')
    const memoryMiB = parseSizeMiB(flags.memory, '--memory')
    const reserve = parseSizeMiB(flags['memory-reserve'], '--memory-reserve')
    const {config: loaded} = await loadConfig(process.cwd(), flags.config)
    const config = flags['state-dir'] ? {...loaded, stateDir: flags['state-dir']} : loaded
    const quiet = flags.quiet || this.jsonEnabled()
    const {results, resultsFile, dir} = await runCapacity({
      config,
      log: createLogger({quiet}),
      oclifConfig: this.config,
      outDir: flags.out,
      arms: parseList(flags.arms),
      slos,
      workload: flags.workload,
      victim: flags.victim,
      maxInstances: flags['max-instances'],
      stepReps: flags.reps,
      memoryReserveMiB: reserve,
      limits: {cpus, memoryMiB},
      budgetSeconds: flags.budget === undefined ? undefined : parseDuration(flags.budget, '--budget'),
      progress: false,
    })
    const report = await writeReport(results, join(dir, 'report.html'))
    if (!this.jsonEnabled()) {
      for (const r of results.capacity?.results ?? []) this.log(r.text)
      this.log(`results: ${resultsFile}`)
      this.log(`report:  ${report}`)
    }
    return {capacity: results.capacity, resultsFile, report}
  }
}
