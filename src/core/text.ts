/**
 * Text that reaches a terminal or a Markdown file — names, params, paths and messages that came from
 * users, image layers or results files — with everything a terminal would act on made visible
 * instead: ANSI/VT escape sequences (ESC, and the 8-bit CSI/OSC of C1), other C0 controls (BEL,
 * backspace, CR that rewrites a line), DEL, and the bidirectional overrides that reorder what is
 * shown (Trojan Source, CVE-2021-42574). Each becomes `\xNN` / `\u{NNNN}`, so nothing is dropped
 * silently and a reader sees that something was there. The one sanitiser for every such output:
 * the CLI's log and error lines (cli/base-command.ts), the logger, progress, the summary table,
 * text tables and the compare formats.
 */

/** C0 controls but \t and \n, DEL, C1 controls, and the bidi embedding/override/isolate marks. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
const UNSAFE_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g

function visible(ch: string): string {
  const code = ch.codePointAt(0)!
  if (ch === '\n') return '\\n'
  if (ch === '\r') return '\\r'
  if (ch === '\t') return '\\t'
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
}

/** Safe for a terminal, keeping its lines and tabs: for multi-line output (tables, reports). */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, visible)
}

/** Safe for a terminal and on one line: for a name, a value, a table cell or an error message. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_OR_BREAK, visible)
}

/** True when the text holds nothing terminalText would change. */
export function isTerminalSafe(text: string): boolean {
  return !new RegExp(UNSAFE.source).test(text)
}
