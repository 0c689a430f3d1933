import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Reproduce extends BaseCommand {
  static override summary =
    "Check the VM-vs-container papers' claims on this host: reproduced, not reproduced or inconclusive, with the paper's figure beside ours."
  static override description = `Each paper in scenarios/papers/ lists its claims as data: the cell a claim reads, the arms it compares, the range our estimate must fall in, and when it does not apply. reproduce runs the cells the selected claims need (each once, with the ordinary engine), estimates each claim with a bootstrap 95% CI and prints: claim | paper figure | our figure [CI] | verdict.

  reproduced       the CI lies inside the paper's range
  not reproduced   the CI lies entirely outside it (significant at 95%)
  inconclusive     the CI straddles an edge, or too few samples succeeded
  not applicable   an arm or workload it needs is unavailable here (with the reason); no number is made up
  not comparable   the claim needs KVM and the VM arm runs under TCG (emulated)

The claims are written into results.json and its HTML report ("Paper claims").

Exit codes: 0 nothing refuted, 1 a gating claim that applies is not reproduced, 2 bad input.`
  static override examples = [
    '<%= config.bin %> reproduce all --quick',
    '<%= config.bin %> reproduce felter2015 joy2015',
    '<%= config.bin %> reproduce felter2015:cpu joy2015:scaleout --quick',
    '<%= config.bin %> reproduce all --quick --markdown "$GITHUB_STEP_SUMMARY"',
  ]
  static override strict = false
  static override args = {
    papers: Args.string({description: 'all (default), a paper id (felter2015, joy2015, sharma2016, agache2020, manco2017) or <paper>:<claim>'}),
  }
  static override flags = {
    quick: Flags.boolean({description: "fewer repetitions and smaller cells (each paper's quick: overrides); all papers in ≤ 10 minutes on 2 cores"}),
    out: Flags.string({description: 'output folder for runs (default: config outDir, "reports")'}),
    config: Flags.string({description: 'config file (default: ./bench.config.ts)'}),
    markdown: Flags.string({description: 'also append the table as GitHub Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)'}),
    papers: Flags.string({description: 'folder of paper files (default: the shipped scenarios/papers)', hidden: true}),
    quiet: Flags.boolean({char: 'q', description: 'no progress; print only the table'}),
  }

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(Reproduce)
    const {loadConfig} = await import('../config/load.js')
    const {createLogger} = await import('../core/log.js')
    const {reproduce} = await import('../papers/reproduce.js')
    const {claimsMarkdown, claimsText} = await import('../papers/table.js')
    const {config} = await loadConfig(process.cwd(), flags.config)
    const quiet = flags.quiet || this.jsonEnabled()
    const result = await reproduce({
      selectors: argv as string[],
      quick: flags.quick,
      config,
      log: createLogger({quiet}),
      oclifConfig: this.config,
      outDir: flags.out,
      papersDir: flags.papers,
      progress: !quiet,
    })
    if (flags.markdown) {
      const {appendFileSync} = await import('node:fs')
      appendFileSync(
        flags.markdown,
        `## Paper claims${flags.quick ? ' (--quick)' : ''}\n\n${claimsMarkdown(result.claims)}\n\n${result.runs.map((r) => `results: \`${r.resultsFile}\``).join('\n')}\n`,
      )
    }
    if (!this.jsonEnabled()) {
      this.log(claimsText(result.claims))
      for (const r of result.runs) this.log(`results: ${r.resultsFile}${r.report ? `\nreport:  ${r.report}` : ''}`)
      this.log(`wall time: ${result.wallSeconds.toFixed(0)} s`)
    }
    process.exitCode = result.exitCode
    return result
  }
}
