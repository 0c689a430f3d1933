import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Calibrate extends BaseCommand {
  static override summary = "A/A calibration: each arm against itself, the verdict rule's false-positive rate on this host and each figure's noise floor."
  static override description = `Runs SCENARIO (default scenarios/calibrate.yaml) with every arm twice — the arm and its twin, the same arm in the same randomized blocks — so every difference the verdict rule finds is a false positive. Reports, per figure and arm: the A/A verdict, how many A/A tests (the whole run and consecutive chunks of blocks) called a difference, and the noise floor: the smallest change the rule detects in 80% of simulated runs with N samples per side, drawn from this host's own A/A samples.

The calibration is stored per host in the state dir (calibration/<host key>.json, keyed by hostname, kernel, CPU, memory and hypervisor). \`run --detect 3%\` uses it to say how many samples a 3% difference needs; every inconclusive verdict of a later run says how many more samples would decide it; \`compare\` without --threshold uses the noise floor as threshold.

Exit codes: 0 done, 1 the run failed, 2 bad input, 130/143 interrupted.`
  static override examples = [
    '<%= config.bin %> calibrate',
    '<%= config.bin %> calibrate --arms process,container --reps 20',
    '<%= config.bin %> calibrate scenarios/startup.yaml --arms qemu',
  ]
  static override args = {
    scenario: Args.string({description: 'scenario YAML file (default scenarios/calibrate.yaml)'}),
  }
  static override flags = {
    arms: Flags.string({description: 'comma-separated arms to calibrate (default: the scenario, then every available arm)'}),
    reps: Flags.integer({description: 'A/A repetitions per cell and side (overrides the scenario)', min: 4}),
    warmup: Flags.integer({description: 'unmeasured warm-up repetitions per cell', min: 0}),
    out: Flags.string({description: 'output folder for the A/A run (default: config outDir, "reports")'}),
    config: Flags.string({description: 'config file (default: ./bench.config.ts)'}),
    'state-dir': Flags.string({description: 'state directory the calibration is stored in (default: the config stateDir)', env: 'ISOBENCH_STATE_DIR'}),
    budget: Flags.string({description: 'wall-clock budget, e.g. 10m'}),
    trials: Flags.integer({description: 'simulated runs per step of the noise-floor search (more: finer, slower)', default: 60, min: 20, max: 1000}),
    quiet: Flags.boolean({char: 'q', description: 'no progress; print the table and the paths'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Calibrate)
    const {loadConfig} = await import('../config/load.js')
    const {loadScenarioFile} = await import('../scenario/load.js')
    const {runCalibration} = await import('../engine/calibrate/run.js')
    const {createLogger} = await import('../core/log.js')
    const {writeReport} = await import('../report/index.js')
    const {calibrationTable} = await import('../cli/calibration-text.js')
    const {parseDuration, parseList} = await import('../cli/units.js')
    const {join} = await import('node:path')
    const {config: loaded} = await loadConfig(process.cwd(), flags.config)
    const config = flags['state-dir'] ? {...loaded, stateDir: flags['state-dir']} : loaded
    const scenario = loadScenarioFile(args.scenario ?? 'scenarios/calibrate.yaml')
    const quiet = flags.quiet || this.jsonEnabled()
    const run = await runCalibration({
      loaded: scenario,
      config,
      log: createLogger({quiet}),
      oclifConfig: this.config,
      outDir: flags.out,
      arms: parseList(flags.arms),
      reps: flags.reps,
      warmup: flags.warmup,
      budgetSeconds: flags.budget === undefined ? undefined : parseDuration(flags.budget, '--budget'),
      progress: !quiet,
      stateDir: config.stateDir,
      trials: flags.trials,
    })
    const report = await writeReport(run.results, join(run.dir, 'report.html'))
    if (!this.jsonEnabled()) {
      this.log(calibrationTable(run.calibration))
      this.log(`calibration: ${run.file}`)
      this.log(`results:     ${run.resultsFile}`)
      this.log(`report:      ${report}`)
    }
    return {calibration: run.calibration, file: run.file, resultsFile: run.resultsFile, report}
  }
}
