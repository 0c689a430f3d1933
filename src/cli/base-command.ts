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

  /**
   * An error's text on stderr, with or without --json (oclif's logToStderr prints nothing under
   * --json, which left bad input as a silent exit 2); under --json, stdout also gets
   * `{"error": {"message", "exitCode"}}` for the program reading it.
   */
  private reportError(text: string, message: string, exitCode: number): void {
    process.stderr.write(`${text}\n`)
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({error: {message, exitCode}})}\n`)
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (err instanceof IsobenchError) {
      // Bad input and remote refusals are one line; internal errors keep their lines (build output).
      if (err.exitCode === 2 || err instanceof RemoteError) this.reportError(`error: ${oneLine(err.message)}`, oneLine(err.message), err.exitCode)
      else
        this.reportError(
          `error: ${terminalText(err.message)}\nhint: rerun with ISOBENCH_DEBUG=1 for details, or see \`isobench doctor\``,
          oneLine(err.message),
          err.exitCode,
        )
      if (process.env.ISOBENCH_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`)
      this.exit(err.exitCode)
    }
    // oclif's own parse errors (unknown flag, bad flag value, missing argument) are usage errors: exit 2, one line.
    if (err instanceof Errors.CLIError && err.oclif?.exit === 2 && !process.env.ISOBENCH_DEBUG) {
      const line = oneLine(parseErrorLine(err.message))
      this.reportError(`error: ${line} (see --help)`, line, 2)
      this.exit(2)
    }
    return super.catch(err)
  }
}
