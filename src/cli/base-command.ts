/**
 * Every isobench command extends this: `--json` support, and one place that maps errors to exit
 * codes (UsageError → 2 with one line, no stack trace; anything else → 1 with a hint).
 */
import {Command, Errors} from '@oclif/core'
import {IsobenchError, RemoteError} from '../core/errors.js'

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (err instanceof IsobenchError) {
      if (err.exitCode === 2 || err instanceof RemoteError) this.logToStderr(`error: ${err.message}`)
      else this.logToStderr(`error: ${err.message}\nhint: rerun with ISOBENCH_DEBUG=1 for details, or see \`isobench doctor\``)
      if (process.env.ISOBENCH_DEBUG) this.logToStderr(err.stack ?? '')
      this.exit(err.exitCode)
    }
    // oclif's own parse errors (unknown flag, missing arg) are usage errors too: exit 2.
    if (err instanceof Errors.CLIError && !(err as {oclif?: unknown}).oclif) {
      return super.catch(err)
    }
    return super.catch(err)
  }
}
