/** The preflight as terminal text, and the --strict rule (every warning is fatal, exit 1). */
import {IsobenchError} from '../core/errors.js'
import type {PreflightRecord} from '../core/provenance.js'

/**
 * Warnings first (each with its fix), then the notes, then (opts.facts) the facts that matter most.
 * `compact` (what `run` prints before its answer, to keep its output on one screen): a line per
 * warning, and the notes counted by name in one line that points to `isobench preflight`.
 */
export function preflightText(p: PreflightRecord, opts: {facts?: boolean; compact?: boolean} = {}): string {
  const out: string[] = []
  const warn = p.warnings.filter((w) => w.severity === 'warn')
  const info = p.warnings.filter((w) => w.severity === 'info')
  out.push(warn.length ? `preflight: ${warn.length} warning${warn.length > 1 ? 's' : ''}` : 'preflight: nothing that skews benchmarks')
  if (opts.compact) {
    for (const w of warn) out.push(`  warn  ${w.code}: ${w.message} (fix: ${w.fix})`)
    if (info.length)
      out.push(`  ${info.length} note${info.length > 1 ? 's' : ''} (${info.map((w) => w.code).join(', ')}): \`isobench preflight\` explains each`)
    return out.join('\n')
  }
  for (const w of [...warn, ...info]) out.push(`  ${w.severity === 'warn' ? 'warn' : 'info'}  ${w.code.padEnd(11)} ${w.message}\n        fix: ${w.fix}`)
  if (opts.facts) {
    const width = Math.max(...Object.keys(p.facts).map((k) => k.length))
    for (const [k, v] of Object.entries(p.facts)) if (!k.startsWith('vuln.')) out.push(`  ${k.padEnd(width)}  ${v}`)
  }
  return out.join('\n')
}

/** --strict: any warning (not info) fails, exit 1, naming each. */
export function enforceStrict(p: PreflightRecord): void {
  const warn = p.warnings.filter((w) => w.severity === 'warn')
  if (warn.length === 0) return
  throw new IsobenchError(`preflight --strict: ${warn.map((w) => `${w.code} (${w.message}; fix: ${w.fix})`).join('; ')}`, 'preflight-strict', 1)
}
