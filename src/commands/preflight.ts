import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Preflight extends BaseCommand {
  static override summary =
    'Check this host for what skews benchmarks (governor, turbo, SMT, THP, KSM, swap, isolation, mitigations, entropy, load); each warning with its fix.'
  static override description = `Reads the kernel's own files (cpufreq, SMT control, transparent huge pages, KSM, swap, isolcpus/nohz_full, the command line's mitigations and the CPU vulnerabilities files, clocksource, entropy) and samples the host's load for half a second (busy CPU, steal, run queue, the top CPU consumers). Every run records the same preflight in results.json, and the same facts from inside each arm.

Exit codes: 0 done (warnings printed), 1 with --strict when there is any warning (info lines never fail), 2 bad input.`
  static override examples = ['<%= config.bin %> preflight', '<%= config.bin %> preflight --strict', '<%= config.bin %> preflight --json']
  static override flags = {
    strict: Flags.boolean({description: 'fail (exit 1) when the preflight has any warning'}),
    sample: Flags.integer({description: 'milliseconds of load sampling (busy CPU, steal, top consumers)', default: 500, min: 100, max: 10_000}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Preflight)
    const {hostFacts} = await import('../host/facts.js')
    const {preflight} = await import('../host/preflight.js')
    const {preflightText, enforceStrict} = await import('../cli/preflight-text.js')
    const record = await preflight(await hostFacts(), {sampleMs: flags.sample})
    if (!this.jsonEnabled()) this.log(preflightText(record, {facts: true}))
    if (flags.strict) enforceStrict(record)
    return record
  }
}
