/**
 * Containerfile/Dockerfile parsing: logical lines (backslash continuations, comment lines dropped),
 * one instruction per logical line with its first physical line number, and the shell-style word
 * splitting with variable substitution ($V, ${V}, ${V:-d}, ${V:+d}) that ENV, LABEL, COPY, … use.
 */
import {InputFileError} from '../../core/errors.js'

export const SUPPORTED = ['FROM', 'COPY', 'ADD', 'RUN', 'ENV', 'WORKDIR', 'USER', 'ENTRYPOINT', 'CMD', 'EXPOSE', 'LABEL', 'ARG'] as const
export type Keyword = (typeof SUPPORTED)[number]

export interface Instruction {
  line: number
  keyword: Keyword
  /** Everything after the keyword, continuations joined with a space. */
  rest: string
  /** The instruction as written (one line), for progress and history. */
  text: string
}

export function parseContainerfile(source: string, file: string): Instruction[] {
  const lines = source.split(/\r?\n/)
  const out: Instruction[] = []
  let i = 0
  while (i < lines.length) {
    const startLine = i + 1
    let raw = lines[i]!
    i++
    if (/^\s*(#.*)?$/.test(raw)) continue
    const parts: string[] = []
    while (/\\\s*$/.test(raw)) {
      parts.push(raw.replace(/\\\s*$/, '').trim())
      // Comment and empty lines inside a continuation are dropped, as Docker does.
      while (i < lines.length && /^\s*(#.*)?$/.test(lines[i]!)) i++
      if (i >= lines.length) {
        raw = ''
        break
      }
      raw = lines[i]!
      i++
    }
    parts.push(raw.trim())
    const joined = parts.join(' ').trim()
    const m = joined.match(/^(\S+)\s*(.*)$/s)!
    const keyword = m[1]!.toUpperCase()
    if (!(SUPPORTED as readonly string[]).includes(keyword)) {
      throw new InputFileError(file, keyword, `unsupported instruction ${keyword}; supported: ${SUPPORTED.join(', ')}`, {line: startLine, col: 1})
    }
    out.push({line: startLine, keyword: keyword as Keyword, rest: m[2]!.trim(), text: joined.length > 200 ? joined.slice(0, 197) + '...' : joined})
  }
  return out
}

/** Exec form `["a","b"]` → argv; anything else → null (shell form). */
export function execForm(rest: string): string[] | null {
  const t = rest.trim()
  if (!t.startsWith('[')) return null
  try {
    const v = JSON.parse(t) as unknown
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null
  } catch {
    return null
  }
}

export type Vars = Record<string, string | undefined>

/** Expand one ${…}/$NAME at text[i] (text[i] === '$'); returns [value, next index]. */
function expandAt(text: string, i: number, vars: Vars): [string, number] {
  if (text[i + 1] === '{') {
    const end = text.indexOf('}', i + 2)
    if (end < 0) return ['$', i + 1]
    const body = text.slice(i + 2, end)
    const m = body.match(/^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])(.*))?$/s)
    if (!m) return [text.slice(i, end + 1), end + 1]
    const v = vars[m[1]!]
    if (m[2] === '-') return [v ? v : substitute(m[3]!, vars), end + 1]
    if (m[2] === '+') return [v ? substitute(m[3]!, vars) : '', end + 1]
    return [v ?? '', end + 1]
  }
  const m = text.slice(i + 1).match(/^[A-Za-z_][A-Za-z0-9_]*/)
  if (!m) return ['$', i + 1]
  return [vars[m[0]] ?? '', i + 1 + m[0].length]
}

/** Substitute variables in a whole string (no word splitting, quotes kept). */
export function substitute(text: string, vars: Vars): string {
  let out = ''
  for (let i = 0; i < text.length; ) {
    const c = text[i]!
    if (c === '\\' && text[i + 1] === '$') {
      out += '$'
      i += 2
    } else if (c === '$') {
      const [v, next] = expandAt(text, i, vars)
      out += v
      i = next
    } else {
      out += c
      i++
    }
  }
  return out
}

/** Split into words like a shell (quotes, backslashes), substituting variables outside single quotes. */
export function shellWords(text: string, vars: Vars): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < text.length; ) {
    const c = text[i]!
    if (quote === "'") {
      if (c === "'") quote = null
      else cur += c
      i++
    } else if (quote === '"') {
      if (c === '"') {
        quote = null
        i++
      } else if (c === '\\' && ['"', '\\', '$'].includes(text[i + 1] ?? '')) {
        cur += text[i + 1]
        i += 2
      } else if (c === '$') {
        const [v, next] = expandAt(text, i, vars)
        cur += v
        i = next
      } else {
        cur += c
        i++
      }
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
      i++
    } else {
      inWord = true
      if (c === '"' || c === "'") {
        quote = c
        i++
      } else if (c === '\\' && i + 1 < text.length) {
        cur += text[i + 1]
        i += 2
      } else if (c === '$') {
        const [v, next] = expandAt(text, i, vars)
        cur += v
        i = next
      } else {
        cur += c
        i++
      }
    }
  }
  if (inWord) words.push(cur)
  return words
}

/** `K=V K2="v 2"` pairs (ENV, LABEL, ARG); the legacy `ENV K some value` form when allowLegacy. */
export function keyValues(rest: string, vars: Vars, allowLegacy: boolean): Array<[string, string]> {
  const first = rest.match(/^(\S+)(\s+(.*))?$/s)
  if (allowLegacy && first && !first[1]!.includes('=')) return [[first[1]!, substitute((first[3] ?? '').trim(), vars)]]
  return shellWords(rest, vars).map((w) => {
    const eq = w.indexOf('=')
    return eq < 0 ? [w, ''] : [w.slice(0, eq), w.slice(eq + 1)]
  })
}

/** Leading `--name=value` flags of COPY/ADD/FROM; returns the flags and the remaining text. */
export function leadingFlags(rest: string): {flags: Record<string, string>; rest: string} {
  const flags: Record<string, string> = {}
  let r = rest
  for (;;) {
    const m = r.match(/^--([a-z-]+)(?:=(\S*))?\s*/)
    if (!m) break
    flags[m[1]!] = m[2] ?? 'true'
    r = r.slice(m[0].length)
  }
  return {flags, rest: r}
}
