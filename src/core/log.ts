/** A tiny logger: progress and notes go to stderr so stdout stays clean for --json; escape sequences in them are made visible (text.ts). */
import {terminalText} from './text.js'

export interface Logger {
  info(msg: string): void
  warn(msg: string): void
  debug(msg: string): void
}

export function createLogger(opts: {quiet?: boolean; verbose?: boolean} = {}): Logger {
  const write = (line: string) => process.stderr.write(terminalText(line) + '\n')
  return {
    info: (m) => {
      if (!opts.quiet) write(m)
    },
    warn: (m) => write(`warning: ${m}`),
    debug: (m) => {
      if (opts.verbose || process.env.ISOBENCH_DEBUG) write(`debug: ${m}`)
    },
  }
}

export const silentLogger: Logger = {info() {}, warn() {}, debug() {}}
