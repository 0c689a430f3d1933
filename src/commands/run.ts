import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Run extends BaseCommand {
  static override summary = 'Run benchmark scenarios across arms and write results.json (and an HTML report).'
  static override description = `Runs each SCENARIO_FILE (default: scenarios/quick.yaml) on every arm it names that can run on this host, interleaving the arms in randomized blocks. Every raw sample is written to <out>/<runId>/results.json as it arrives (atomically), so an interrupted run keeps what it measured; <out>/latest points to the newest run.

It prints the plan and the budget, a live progress line on a terminal (plain lines otherwise), and at the end the headline: one block per metric, the arms in registry order (process, container, runc, crun, …, qemu), each with its median ± 95% CI and its ratio to the reference arm (--reference, default container) with that ratio's 95% CI; warnings counted in one line. --verbose adds every summary, comparison and warning.

Arms that cannot run here are skipped with the reason (see \`isobench providers\`). VM figures measured under software emulation are labelled TCG.

Before the run a preflight checks the host (see \`isobench preflight\`) and each arm is probed for the same facts from inside; both are recorded in results.json, and a material difference marks the comparisons it affects "not comparable". Next to every sample, attribution counters record what the instance and the host were doing (the report's "where the time and memory go").

Exit codes: 0 done, 1 the run failed (or --strict and the preflight warned), 2 bad input (scenario, config or flags), 130/143 interrupted (samples kept).`
  static override examples = [
    '<%= config.bin %> run',
    "<%= config.bin %> run --image debian:bookworm --figure 'rate: (?<value>[0-9]+) MB/s' -- bash -c 'echo rate: 42 MB/s'",
    '<%= config.bin %> run --image my-web:1 --ready http:8080/health -- /srv/web --port 8080',
    '<%= config.bin %> run --workload ./web/workload.yaml --arms process,container,qemu',
    '<%= config.bin %> run scenarios/startup.yaml --arms process,container --reps 30',
    '<%= config.bin %> run --json > run.json',
    '<%= config.bin %> run scenarios/startup.yaml --precision 5% --budget 10m',
    '<%= config.bin %> run --reference process --verbose',
  ]
  static override strict = false
  static override args = {
    scenario: Args.string({description: 'scenario YAML file(s); default scenarios/quick.yaml. With --image: the command to measure, after --'}),
  }
  static override flags = {
    arms: Flags.string({description: 'comma-separated arms to run (overrides the scenario), e.g. process,container'}),
    reps: Flags.string({description: 'measured repetitions per cell, 1–100000 (overrides scenario and config)'}),
    warmup: Flags.string({description: 'unmeasured warm-up repetitions per cell, 0–1000'}),
    out: Flags.string({description: 'output folder for runs (default: config outDir, "reports")'}),
    config: Flags.string({description: 'config file (default: ./bench.config.ts)'}),
    'state-dir': Flags.string({
      description: 'state directory (images, containers, VMs, run scratch dirs); default: ISOBENCH_STATE_DIR, else the config stateDir (/var/lib/isobench)',
      env: 'ISOBENCH_STATE_DIR',
    }),
    workload: Flags.string({char: 'w', description: 'run every metric on this workload: a name (see `isobench workloads`) or a workload file (./web.yaml)'}),
    image: Flags.string({
      description:
        'the one-liner: measure startup, memory and cpu of the command after -- in this image (a store name, isobench/<recipe> or a registry reference), on every available arm; no file to write',
    }),
    ready: Flags.string({
      description: 'with --image: when the command is ready: marker (default), exit, log:TEXT, tcp:PORT or http:PORT[/PATH] (answered 200)',
    }),
    figure: Flags.string({
      description:
        "with --image: a figure read from the command's output: a regex with a named group value, e.g. 'rate: (?<value>[0-9.]+) MB/s', or NAME=REGEX (repeatable)",
      multiple: true,
      multipleNonGreedy: true,
    }),
    budget: Flags.string({
      description: 'wall-clock budget for the run from its start, preparation included, e.g. 90s, 10m, 1h (default: scenario, then config)',
    }),
    precision: Flags.string({
      description:
        "adaptive sampling: keep sampling each cell until every comparison's 95% CI half-width is below this (e.g. 5%), or its share of --budget is spent; results say which",
    }),
    reference: Flags.string({
      description: 'the arm every other arm is compared with in the headline (ratio with its 95% CI); default container, else the first arm that ran',
    }),
    verbose: Flags.boolean({char: 'v', description: 'after the headline, every summary (median, CI, p90, CoV), comparison, slope and warning'}),
    quiet: Flags.boolean({char: 'q', description: 'no progress or summary; print only the results path'}),
    'engine-socket': Flags.string({
      description:
        "ARM=PATH: let an engine arm use a running daemon instead of its own private one (docker=/run/docker.sock, ctr=/run/containerd/containerd.sock); only this run's containers and image tag are removed after (repeatable)",
      multiple: true,
      multipleNonGreedy: true,
    }),
    detect: Flags.string({
      description:
        "before the run, say how many samples per cell this change needs for each metric and arm, from this host's calibration (`isobench calibrate`), e.g. 3%",
    }),
    strict: Flags.boolean({description: 'fail (exit 1) before running anything when the preflight has a warning (see `isobench preflight`)'}),
    'arm-facts': Flags.boolean({
      description: 'probe each arm for its facts from inside (kernel, clocksource, limits in force) before the run',
      default: true,
      allowNo: true,
    }),
    attribution: Flags.boolean({description: 'record the attribution counters next to every sample', default: true, allowNo: true}),
  }

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(Run)
    const {loadConfig} = await import('../config/load.js')
    const {loadScenarioFile} = await import('../scenario/load.js')
    const {checkRunInput, runScenario} = await import('../engine/run.js')
    const {createLogger} = await import('../core/log.js')
    const {headlineLines, verboseLines} = await import('../report/terminal.js')
    const {writeReport} = await import('../report/index.js')
    const {join} = await import('node:path')
    const {checkStateDir} = await import('../cli/flags.js')
    const {ensureOutputDir} = await import('../core/output-dir.js')
    const {config, file: configFile} = await loadConfig(process.cwd(), flags.config)
    if (flags['state-dir']) config.stateDir = flags['state-dir']
    if (flags['engine-socket']?.length) {
      const {parseEngineSockets} = await import('../cli/engine-socket.js')
      config.engineSockets = {...config.engineSockets, ...parseEngineSockets(flags['engine-socket'])}
    }
    const {parseCount, parseDuration, parseList, parsePercent} = await import('../cli/units.js')
    const reps = flags.reps === undefined ? undefined : parseCount(flags.reps, '--reps', 'reps')
    const warmup = flags.warmup === undefined ? undefined : parseCount(flags.warmup, '--warmup', 'warmup')
    const arms = parseList(flags.arms)
    const budgetSeconds = flags.budget === undefined ? undefined : parseDuration(flags.budget, '--budget', 'budgetSeconds')
    const precision = flags.precision === undefined ? undefined : parsePercent(flags.precision, '--precision')
    const detect = flags.detect === undefined ? undefined : parsePercent(flags.detect, '--detect')
    const {UsageError} = await import('../core/errors.js')
    if (!flags.image && (flags.ready || flags.figure))
      throw new UsageError('--ready and --figure go with --image (the one-liner); a workload file says both for a scenario', 'bad-flag')
    let loaded
    if (flags.image) {
      if (flags.workload) throw new UsageError('--image and --workload both name the workload: give one', 'bad-flag')
      const {oneLinerScenario} = await import('../scenario/one-liner.js')
      loaded = [oneLinerScenario({image: flags.image, command: argv as string[], ready: flags.ready, figures: flags.figure})]
    } else {
      const files = (argv as string[]).length > 0 ? (argv as string[]) : ['scenarios/quick.yaml']
      loaded = files.map((f) => loadScenarioFile(f)) // validate every file before running any
    }
    // Where results and state go must be folders we can make: refused here, never a hang in a mkdir.
    checkStateDir(config.stateDir, flags['state-dir'] ? '--state-dir' : 'stateDir')
    ensureOutputDir(flags.out ?? config.outDir, flags.out === undefined ? `outDir${configFile ? ` (${configFile})` : ''}` : '--out')
    // Every workload (built-in, plugin, file, inline) is resolved before any scenario runs: a bad one is exit 2 first.
    const {WorkloadTable} = await import('../workloads/table.js')
    const {loadPluginWorkloads} = await import('../workloads/hook.js')
    const {resolveScenarioWorkloads} = await import('../scenario/workloads.js')
    const workloads = new WorkloadTable(await loadPluginWorkloads(this.config))
    loaded = loaded.map((l) => resolveScenarioWorkloads(l, workloads))
    // …and so are unknown arms, params and plans too large, before the preflight's host checks print
    for (const l of loaded) await checkRunInput(l, {arms, config, configFile, reference: flags.reference, oclifConfig: this.config}, workloads)
    const quiet = flags.quiet || this.jsonEnabled()
    const log = createLogger({quiet})
    const {hostFacts} = await import('../host/facts.js')
    const {preflight} = await import('../host/preflight.js')
    const {preflightText, enforceStrict} = await import('../cli/preflight-text.js')
    const host = await hostFacts()
    const preflightRecord = await preflight(host)
    const {loadCalibration} = await import('../engine/calibrate/store.js')
    const {detectText} = await import('../cli/calibration-text.js')
    const calibration = loadCalibration(config.stateDir, host)
    if (!quiet) this.logToStderr(preflightText(preflightRecord, {compact: !flags.verbose}))
    if (flags.strict) enforceStrict(preflightRecord)
    const runs = []
    for (const scenario of loaded) {
      const {results, resultsFile, dir} = await runScenario({
        loaded: scenario,
        config,
        log,
        oclifConfig: this.config,
        outDir: flags.out,
        configFile,
        arms,
        reps,
        warmup,
        workload: flags.workload,
        workloads,
        budgetSeconds,
        precision,
        progress: !quiet,
        preflight: preflightRecord,
        calibration,
        detect,
        onDetect: (plan) => {
          if (!this.jsonEnabled()) this.log(detectText(plan))
        },
        armFacts: flags['arm-facts'],
        attribution: flags.attribution,
        reference: flags.reference,
      })
      const report = await writeReport(results, join(dir, 'report.html'))
      if (!quiet) {
        const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
        if (flags.verbose) this.log(verboseLines(results).join('\n') + '\n')
        this.log(headlineLines(results, {color}).join('\n'))
      }
      if (!this.jsonEnabled()) {
        this.log(`results: ${resultsFile}`)
        if (report) this.log(`report:  ${report}`)
      }
      // --json carries the figures too (hyperfine's --export-json does): each cell's summary and each comparison, as stored in results.json
      runs.push({
        runId: results.runId,
        status: results.status,
        resultsFile,
        report,
        samples: results.samples.length,
        reference: results.reference,
        summaries: results.summaries,
        comparisons: results.comparisons,
        warnings: results.warnings,
      })
    }
    return runs.length === 1 ? runs[0] : runs
  }
}
