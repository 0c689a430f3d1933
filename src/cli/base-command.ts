/**
 * Every isobench command extends this: `--json` support, one place that maps errors to exit codes
 * (UsageError and oclif's own parse errors → 2 with one line, no stack trace; anything else → 1
 * with a hint), and one place where what a command prints is made safe for a terminal
 * (core/text.ts): error lines on one line, log lines with escape sequences made visible.
 */
import {Command, Errors} from '@oclif/core'
import {format} from 'node:util'
import {IsobenchError, RemoteError} from '../core/errors.js'
import {oneLine, terminalText} from '../core/text.js'

/** oclif's parse errors ("Parsing --reps\n\tExpected …\nSee more help with --help") as one line. */
export function parseErrorLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with/.test(l))
    .join(': ')
    .replace(/^Parsing (--[\w-]+):\s*:?\s*/, '$1: ')
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  override log(message = '', ...args: unknown[]): void {
    super.log(terminalText(format(message, ...args)))
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(terminalText(format(message, ...args)))
  }

  override warn(input: string | Error): string | Error {
    return super.warn(typeof input === 'string' ? oneLine(input) : input)
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (err instanceof IsobenchError) {
      // Bad input and remote refusals are one line; internal errors keep their lines (build output).
      if (err.exitCode === 2 || err instanceof RemoteError) this.logToStderr(`error: ${oneLine(err.message)}`)
      else this.logToStderr(`error: ${terminalText(err.message)}\nhint: rerun with ISOBENCH_DEBUG=1 for details, or see \`isobench doctor\``)
      if (process.env.ISOBENCH_DEBUG) this.logToStderr(err.stack ?? '')
      this.exit(err.exitCode)
    }
    // oclif's own parse errors (unknown flag, bad flag value, missing argument) are usage errors: exit 2, one line.
    if (err instanceof Errors.CLIError && err.oclif?.exit === 2 && !process.env.ISOBENCH_DEBUG) {
      this.logToStderr(`error: ${oneLine(parseErrorLine(err.message))} (see --help)`)
      this.exit(2)
    }
    return super.catch(err)
  }
}
