/**
 * The command after an image/container argument. oclif re-sorts its argv by first occurrence, which
 * reorders tokens that also appear among the flags (`-p 8080:80 img -- httpd -p 80`), so the words
 * after `--` are taken from the raw argv; without `--`, the parsed rest after the first argument.
 */
export function commandWords(rawArgv: string[], parsedArgv: string[]): string[] {
  const dd = rawArgv.indexOf('--')
  if (dd >= 0) return rawArgv.slice(dd + 1)
  return parsedArgv.slice(1)
}
