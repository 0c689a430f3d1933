/**
 * The error module: user errors exit 2 with one clear line, internal errors exit 1 with a hint.
 * Codes are stable strings so tests and callers can match on them.
 */
export class IsobenchError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode = 1,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** Bad input from the user (scenario, config, flags, arguments): exit code 2, no stack trace. */
export class UsageError extends IsobenchError {
  constructor(message: string, code = 'usage') {
    super(message, code, 2)
  }
}

/** A scenario or config file that does not validate: names the file, line:column, field and expectation. */
export class InputFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
    readonly position?: {line: number; col: number},
  ) {
    const at = position ? `${file}:${position.line}:${position.col}` : file
    super(`${at}: ${field ? `${field}: ` : ''}${expected}`, 'invalid-input')
  }
}

/**
 * A remote operation failed for a reason its message says in full (a registry refused the
 * credentials, a tag does not exist, a host is unreachable): exit 1 with that one line, no hint.
 */
export class RemoteError extends IsobenchError {
  constructor(message: string, code = 'remote-failed') {
    super(message, code, 1)
  }
}

/** An arm could not do what was asked (not ready in time, crashed, unavailable). */
export class ArmError extends IsobenchError {
  constructor(
    message: string,
    /** not-applicable: the cell cannot run as the scenario asks on this arm here (a limit it cannot apply). */
    code: 'not-ready' | 'crashed' | 'unavailable' | 'failed' | 'not-applicable',
    readonly detail?: {lastOutput?: string; stderr?: string},
  ) {
    super(message, code, 1)
  }
}

/** Exit code for a run ended by a signal: 128 + signal number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1
}
