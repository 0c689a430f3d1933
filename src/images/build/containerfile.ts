/**
 * Containerfile/Dockerfile parsing, following the Dockerfile reference and BuildKit's parser
 * (frontend/dockerfile/parser):
 *
 *  - parser directives at the very top: `# escape=\`` (or `\`) and `# syntax=…` (ignored);
 *  - logical lines: the escape token as the last non-blank character continues the line, unless it
 *    is itself escaped (`ENV C=x\\` ends the instruction); continuation lines keep their leading
 *    blanks; comment lines and blank lines inside a continuation are dropped;
 *  - here-documents for RUN, COPY and ADD in shell form (`<<EOF`, `<<-EOF` strips leading tabs,
 *    `<<"EOF"` / `<<'EOF'` are not expanded), read up to the terminator line;
 *  - leading `--flag[=value]` words, the JSON (exec) form `["a", "b"]` for the instructions that take
 *    one (a JSON array holding a non-string is an error; anything else not JSON is shell form).
 *
 * Semantics (what each instruction does) live in build.ts; word processing in lexer.ts.
 */
import {InputFileError} from '../../core/errors.js'

/** Every instruction of the Dockerfile reference; an unknown keyword is an error naming the line. */
export const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
] as const
export type Keyword = (typeof INSTRUCTIONS)[number]

const JSON_FORM = new Set<Keyword>(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME'])
const HEREDOC_FORM = new Set<Keyword>(['RUN', 'COPY', 'ADD'])
const DIRECTIVE_RE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check'])
const HEREDOC_RE = /^(\d*)<<(-?)([^<]*)$/

export interface Heredoc {
  /** The terminator word, without quotes (also the file name for COPY <<NAME). */
  name: string
  /** Content up to (not including) the terminator line, newlines included. */
  content: string
  /** Unquoted terminator: variables in the content are expanded (COPY/ADD). */
  expand: boolean
  /** `<<-`: leading tabs are stripped from content lines. */
  chomp: boolean
}

export interface Instruction {
  line: number
  endLine: number
  keyword: Keyword
  /** Leading `--name[=value]` words, quotes processed. */
  flags: string[]
  /** The arguments after the flags (one logical line, trimmed). */
  args: string
  /** The exec (JSON) form, for the instructions that have one; null = shell form. */
  json: string[] | null
  heredocs: Heredoc[]
  /** The instruction as written (one line, for progress and history). */
  text: string
}

export interface ParsedContainerfile {
  instructions: Instruction[]
  /** The escape token: `\` or a backtick. */
  escape: string
  warnings: string[]
}

function continuationRe(escape: string): RegExp {
  const e = escape === '\\' ? '\\\\' : escape
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`)
}

const isComment = (raw: string) => /^\s*#/.test(raw)
const isBlank = (raw: string) => /^\s*$/.test(raw)

/** Split `--a=b --c x y` into flags and the rest (BuildKit's extractBuilderFlags). */
export function splitFlags(line: string, escape: string): {flags: string[]; rest: string} {
  const flags: string[] = []
  let i = 0
  for (;;) {
    while (i < line.length && /\s/.test(line[i]!)) i++
    if (!(line[i] === '-' && line[i + 1] === '-')) return {flags, rest: line.slice(i)}
    let word = ''
    let quote: string | null = null
    for (; i < line.length; i++) {
      const c = line[i]!
      if (quote) {
        if (c === quote) quote = null
        else if (c === escape && i + 1 < line.length) word += line[++i]
        else word += c
      } else if (/\s/.test(c)) break
      else if (c === '"' || c === "'") quote = c
      else if (c === escape && i + 1 < line.length) word += line[++i]
      else word += c
    }
    if (word === '--') return {flags, rest: line.slice(i).trimStart()}
    flags.push(word)
  }
}

/** Words of a line with quotes kept, `<< NAME` joined (how BuildKit finds here-document words). */
function rawWords(line: string, escape: string): string[] {
  const words: string[] = []
  let cur = ''
  let quote: string | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      cur += c
      if (c === quote) quote = null
      else if (c === escape && quote === '"' && i + 1 < line.length) cur += line[++i]
    } else if (/\s/.test(c)) {
      if (cur) words.push(cur)
      cur = ''
    } else if (c === '"' || c === "'") {
      quote = c
      cur += c
    } else if (c === escape && i + 1 < line.length) cur += c + line[++i]
    else if (c === '<' && line[i + 1] === '<') {
      cur += '<<'
      i += 2
      while (i < line.length && /[ \t]/.test(line[i]!)) i++
      i--
    } else cur += c
  }
  if (cur) words.push(cur)
  return words
}

/** A here-document word (`<<EOF`, `<<-"EOF"`, `3<<EOF`) → its name and flags; null if not one. */
export function heredocWord(word: string): {name: string; expand: boolean; chomp: boolean} | null {
  const m = HEREDOC_RE.exec(word)
  if (!m || !m[3]) return null
  const rest = m[3]
  const name = rest.replace(/["']/g, '')
  if (!name || /\s/.test(name)) return null
  return {name, expand: !/["']/.test(rest), chomp: m[2] === '-'}
}

function parseJson(args: string): string[] | null | 'non-string' {
  const t = args.trimStart()
  if (!t.startsWith('[')) return null
  let v: unknown
  try {
    v = JSON.parse(t)
  } catch {
    return null
  }
  if (!Array.isArray(v)) return null
  return v.every((x) => typeof x === 'string') ? (v as string[]) : 'non-string'
}

export function parseContainerfile(source: string, file: string): ParsedContainerfile {
  const lines = source
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
  let escape = '\\'
  const warnings: string[] = []
  const seen = new Set<string>()
  let i = 0
  // Parser directives: only before any instruction, comment or blank line.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE_RE.exec(lines[i]!.trimStart())
    if (!m || !KNOWN_DIRECTIVES.has(m[1]!.toLowerCase())) break
    const k = m[1]!.toLowerCase()
    if (seen.has(k)) throw new InputFileError(file, 'directive', `only one ${k} parser directive can be used`, {line: i + 1, col: 1})
    seen.add(k)
    if (k === 'escape') {
      if (m[2] !== '`' && m[2] !== '\\') throw new InputFileError(file, 'escape', `invalid escape token '${m[2]}': expected \` or \\`, {line: i + 1, col: 1})
      escape = m[2]
    }
  }
  const cont = continuationRe(escape)
  const out: Instruction[] = []
  while (i < lines.length) {
    const startLine = i + 1
    const first = lines[i++]!.trimStart()
    if (isComment(first) || isBlank(first)) continue
    let line = first
    let ended = !cont.test(line)
    if (!ended) line = line.replace(cont, '$1')
    let emptyContinuation = false
    while (!ended && i < lines.length) {
      const raw = lines[i++]!
      if (isComment(raw)) continue
      if (isBlank(raw)) {
        emptyContinuation = true
        continue
      }
      ended = !cont.test(raw)
      line += ended ? raw : raw.replace(cont, '$1')
    }
    if (emptyContinuation) warnings.push(`${file}:${startLine}: empty continuation line (Docker will make this an error)`)
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line.trim())!
    const keyword = m[1]!.toUpperCase() as Keyword
    if (!(INSTRUCTIONS as readonly string[]).includes(keyword)) throw new InputFileError(file, m[1]!, `unknown instruction ${m[1]}`, {line: startLine, col: 1})
    const {flags, rest} = splitFlags(m[2]!, escape)
    const args = rest.trim()
    let json: string[] | null = null
    if (JSON_FORM.has(keyword)) {
      const j = parseJson(args)
      if (j === 'non-string')
        throw new InputFileError(file, keyword, 'when using JSON array syntax, arrays must be comprised of strings only', {line: startLine, col: 1})
      json = j
    }
    const heredocs: Heredoc[] = []
    if (HEREDOC_FORM.has(keyword) && json === null) {
      for (const word of rawWords(line, escape)) {
        const h = heredocWord(word)
        if (!h) continue
        let content = ''
        let terminated = false
        while (i < lines.length) {
          const raw = lines[i++]!
          if ((h.chomp ? raw.replace(/^\t+/, '') : raw) === h.name) {
            terminated = true
            break
          }
          content += raw + '\n'
        }
        if (!terminated) throw new InputFileError(file, keyword, `unterminated here-document <<${h.name}`, {line: startLine, col: 1})
        heredocs.push({...h, content: h.chomp ? content.replace(/^\t+/gm, '') : content})
      }
    }
    const text = line.trim()
    out.push({line: startLine, endLine: i, keyword, flags, args, json, heredocs, text: text.length > 200 ? text.slice(0, 197) + '...' : text})
  }
  return {instructions: out, escape, warnings}
}

/**
 * Words of ENV/LABEL/ARG arguments with quotes and escapes kept (BuildKit's parseWords): the values
 * are processed later, so `A="x y"` stays one word.
 */
export function rawKeyValueWords(args: string, escape: string): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  let quote: string | null = null
  let blankOk = false
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!
    if (quote) {
      if (c === quote) quote = null
      else if (c === escape && quote !== "'") {
        if (i + 1 === args.length) continue
        cur += c
        i++
        cur += args[i]
        continue
      }
      cur += c
      continue
    }
    if (/\s/.test(c)) {
      if (inWord && (blankOk || cur)) words.push(cur)
      cur = ''
      inWord = false
      blankOk = false
      continue
    }
    inWord = true
    if (c === '"' || c === "'") {
      quote = c
      blankOk = true
    }
    if (c === escape) {
      if (i + 1 === args.length) continue
      cur += c + args[++i]
      continue
    }
    cur += c
  }
  if (inWord && (blankOk || cur)) words.push(cur)
  return words
}

/** Whitespace-separated words, nothing else processed (FROM, EXPOSE, COPY/ADD and VOLUME shell form). */
export function whitespaceWords(args: string): string[] {
  return args.split(/[\t\v\f\r ]+/).filter(Boolean)
}
