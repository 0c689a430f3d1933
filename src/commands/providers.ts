import {BaseCommand} from '../cli/base-command.js'

export default class Providers extends BaseCommand {
  static override summary = 'List the arms (built-in and from plugins) and whether each can run on this host.'
  static override description = `Each arm is contributed through the isobench:arms plugin hook — the built-in arms exactly like an external npm plugin's. For each arm: its rung on the isolation ladder (process, container runtime, engine, user-space kernel, vm), the plugin that provides it, and whether it can run here; if not, why not and what to do.`
  static override examples = ['<%= config.bin %> providers', '<%= config.bin %> providers --json']

  async run(): Promise<Array<{name: string; kind: string; isolation: string; plugin: string; description: string; available: boolean; reason?: string}>> {
    await this.parse(Providers)
    const {loadArmProviders} = await import('../arms/registry.js')
    const {loadConfig} = await import('../config/load.js')
    const {CleanupRegistry} = await import('../core/cleanup.js')
    const {silentLogger} = await import('../core/log.js')
    const {isolationOf} = await import('../core/isolation.js')
    const {config} = await loadConfig()
    const cleanup = new CleanupRegistry()
    const providers = (await loadArmProviders(this.config)).filter((p) => !p.hidden)
    const rows = await Promise.all(
      providers.map(async (p) => {
        const arm = p.create({config, cleanup, log: silentLogger, runId: 'providers'})
        const a = await arm.available().catch((e: Error) => ({ok: false, reason: e.message}))
        return {name: p.name, kind: p.kind, isolation: isolationOf(p), plugin: p.plugin, description: p.description, available: a.ok, reason: a.reason}
      }),
    )
    await cleanup.runAll()
    const width = Math.max(...rows.map((r) => r.name.length))
    for (const r of rows) {
      this.log(
        `${r.available ? 'yes' : 'no '}  ${r.name.padEnd(width)}  ${r.isolation.padEnd(17)}  ${r.description}${r.plugin === 'isobench' ? '' : `  [plugin ${r.plugin}]`}`,
      )
      if (r.reason) this.log(`     ${' '.repeat(width)}  ${r.available ? 'note' : 'why not'}: ${r.reason}`)
    }
    return rows
  }
}
