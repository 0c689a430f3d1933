/** Parsing the units users type: durations (90s, 10m, 1h), percentages (5%), sizes (256M, 1G). */
import {checkBound, type BoundName} from '../core/bounds.js'
import {UsageError} from '../core/errors.js'

const DURATION = {ms: 0.001, s: 1, m: 60, h: 3600} as const

/** Seconds from "90", "90s", "1.5m", "2h", "500ms"; with `bound`, checked against BOUNDS (in seconds). */
export function parseDuration(text: string, field: string, bound?: BoundName): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (!m) throw new UsageError(`${field}: expected a duration like 90s, 10m or 1h, got ${JSON.stringify(text)}`)
  const seconds = Number(m[1]) * DURATION[(m[2] ?? 's') as keyof typeof DURATION]
  return bound ? checkBound(seconds, bound, field, text) : seconds
}

/** A whole number typed on the command line ("10"; not "1e3", "1.5" or "-1"), checked against BOUNDS. */
export function parseCount(text: string, field: string, bound: BoundName): number {
  if (!/^\s*\d+\s*$/.test(text)) return checkBound(Number.NaN, bound, field, text)
  return checkBound(Number(text), bound, field, text.trim())
}

/** A fraction from "5%" or "0.05". */
export function parsePercent(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(text)
  if (!m) throw new UsageError(`${field}: expected a percentage like 5%, got ${JSON.stringify(text)}`)
  const value = m[2] ? Number(m[1]) / 100 : Number(m[1])
  if (!(value > 0 && value < 1)) throw new UsageError(`${field}: expected a percentage between 0% and 100%, got ${JSON.stringify(text)}`)
  return value
}

/** MiB from "256", "256M", "256MiB", "1G", "1GiB", "512k". */
export function parseSizeMiB(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text)
  if (!m) throw new UsageError(`${field}: expected a size like 256M or 1G, got "${text}"`)
  const scale = {'': 1, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024}[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't']
  return Number(m[1]) * scale
}

/** A comma-separated flag value (`--arms a,b`) as its non-empty, trimmed items; undefined when the flag was not given. */
export function parseList(text: string | undefined): string[] | undefined {
  return text
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
