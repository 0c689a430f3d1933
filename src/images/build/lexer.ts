/**
 * Word processing of Containerfile arguments as Docker (BuildKit's frontend/dockerfile/shell) does
 * it: quotes, the escape token (`\` or a backtick from `# escape=`), and variable expansion with
 * `$V`, `${V}`, `${V:-w}`, `${V-w}`, `${V:+w}`, `${V+w}`, `${V:?msg}`, `${V?msg}`, `${V#p}`,
 * `${V##p}`, `${V%p}`, `${V%%p}`, `${V/p/r}` and `${V//p/r}` (patterns: `*` and `?`).
 *
 *   processWord(text, vars)   one word: quotes removed, variables expanded (ENV values, WORKDIR, USER…)
 *   processWords(text, vars)  split into words after expansion; a variable's value is split on
 *                             whitespace unless it is quoted (EXPOSE, FROM, and the like)
 *
 * An unset variable expands to nothing. Errors (`${V?}` on an unset V, a missing `}`, an unknown
 * modifier) are LexErrors; the caller turns them into file:line errors.
 */
export class LexError extends Error {}

export type Vars = ReadonlyMap<string, string> | Record<string, string | undefined>

export interface LexOptions {
  /** `\` (default) or a backtick (`# escape=\``). */
  escape?: string
  /** Keep quote characters and do not treat them as quotes (heredoc contents of COPY). */
  skipQuotes?: boolean
}

function lookup(vars: Vars, name: string): string | undefined {
  return vars instanceof Map ? vars.get(name) : (vars as Record<string, string | undefined>)[name]
}

class Words {
  words: string[] = []
  buf = ''
  inWord = false
  addChar(ch: string): void {
    if (/\s/.test(ch)) {
      if (this.inWord && this.buf.length > 0) {
        this.words.push(this.buf)
        this.buf = ''
        this.inWord = false
      }
    } else this.addRaw(ch)
  }
  addRaw(s: string): void {
    this.buf += s
    this.inWord = true
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch)
  }
  finish(): string[] {
    if (this.buf.length > 0) this.words.push(this.buf)
    this.buf = ''
    return this.words
  }
}

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** Shell pattern (`*`, `?`, `\x`) → regex source; greedy or shortest `*`. */
function patternToRe(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  let out = anchored ? '^' : ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') out += greedy ? '.*' : '.*?'
    else if (c === '?') out += '.'
    else if (c === '\\' && i + 1 < pattern.length) out += reEscape(pattern[++i]!)
    else out += reEscape(c)
  }
  return new RegExp(out, 's')
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = patternToRe(pattern, greedy, true).exec(value)
  return m ? value.slice(m[0].length) : value
}

function reverse(s: string): string {
  return [...s].reverse().join('')
}

/** Reverse a pattern keeping `\x` escapes in front of their character. */
function reversePattern(p: string): string {
  const toks: string[] = []
  for (let i = 0; i < p.length; i++) toks.push(p[i] === '\\' && i + 1 < p.length ? p[i]! + p[++i]! : p[i]!)
  return toks.reverse().join('')
}

class Lexer {
  private pos = 0
  constructor(
    private readonly src: string,
    private readonly vars: Vars,
    private readonly escape: string,
    private readonly skipQuotes: boolean,
  ) {}

  private peek(): string | undefined {
    return this.src[this.pos]
  }

  private next(): string | undefined {
    return this.src[this.pos++]
  }

  /** Process until `stop` (consumed) or the end; returns the processed text and its words. */
  run(stop?: string, rawEscapes = false): {text: string; words: string[]} {
    let text = ''
    const words = new Words()
    for (;;) {
      const ch = this.peek()
      if (ch === undefined) break
      if (stop !== undefined && ch === stop) {
        this.next()
        return {text, words: words.finish()}
      }
      if (ch === '$') {
        const v = this.dollar()
        text += v
        words.addString(v)
      } else if (!this.skipQuotes && (ch === "'" || ch === '"')) {
        const v = this.quoted(ch)
        text += v
        words.addRaw(v)
      } else {
        this.next()
        if (ch === this.escape) {
          if (rawEscapes) {
            text += ch
            words.addRaw(ch)
          }
          const n = this.next()
          if (n === undefined) break
          text += n
          words.addRaw(n)
        } else {
          text += ch
          words.addChar(ch)
        }
      }
    }
    if (stop !== undefined) throw new LexError(`unexpected end of statement while looking for matching ${stop}`)
    return {text, words: words.finish()}
  }

  /**
   * A quoted string, from its opening quote (at pos) to the closing one, both consumed. Inside single
   * quotes every character is literal; inside double quotes `$` expands and the escape character
   * before `"`, `$` or itself stands for that character (the shell's rules, as BuildKit's shell lexer reads them).
   */
  private quoted(quote: "'" | '"'): string {
    this.next()
    let out = ''
    for (;;) {
      const ch = this.peek()
      if (ch === undefined) throw new LexError(`unexpected end of statement while looking for matching ${quote === "'" ? 'single' : 'double'}-quote`)
      if (ch === quote) {
        this.next()
        return out
      }
      if (quote === '"' && ch === '$') {
        out += this.dollar()
        continue
      }
      this.next()
      if (quote === '"' && ch === this.escape) {
        const n = this.peek()
        if (n === undefined) continue
        if (n === '"' || n === '$' || n === this.escape) {
          out += this.next()
          continue
        }
      }
      out += ch
    }
  }

  private name(): string {
    let name = ''
    const first = this.peek()
    if (first !== undefined && /[0-9]/.test(first)) {
      while (this.peek() !== undefined && /[0-9]/.test(this.peek()!)) name += this.next()
      return name
    }
    if (first !== undefined && '@*#?-$!0'.includes(first)) return this.next()!
    while (this.peek() !== undefined && /[\p{L}\p{N}_]/u.test(this.peek()!)) name += this.next()
    return name
  }

  private dollar(): string {
    this.next()
    if (this.peek() !== '{') {
      const name = this.name()
      return name === '' ? '$' : (lookup(this.vars, name) ?? '')
    }
    this.next()
    const first = this.peek()
    if (first === undefined) throw new LexError("syntax error: missing '}'")
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution')
    const name = this.name()
    let op = this.next()
    if (op === '}') return lookup(this.vars, name) ?? ''
    const value = lookup(this.vars, name)
    const set = value !== undefined
    if (op === '/') {
      const all = this.peek() === '/'
      if (all) this.next()
      const pattern = this.sub('/', "missing '/' in ${}")
      const replacement = this.sub('}', "missing '}'")
      if (!set) return ''
      const re = patternToRe(pattern, true, false)
      return all ? value.replace(new RegExp(re.source, 'gs'), () => replacement) : value.replace(re, () => replacement)
    }
    let colon = false
    if (op === ':') {
      colon = true
      op = this.next()
    }
    if (op === undefined || !'+-?#%'.includes(op)) throw new LexError(`unsupported modifier (${colon ? ':' : ''}${op ?? ''}) in substitution`)
    if (colon && (op === '#' || op === '%')) throw new LexError(`unsupported modifier (:${op}) in substitution`)
    let word = this.sub('}', "missing '}'", op === '#' || op === '%')
    const empty = !set || (colon && value === '')
    switch (op) {
      case '-':
        return empty ? word : value!
      case '+':
        return empty ? '' : word
      case '?':
        if (!set) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`)
        if (colon && value === '') throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`)
        return value
      default: {
        const greedy = word.startsWith(op)
        if (greedy) word = word.slice(1)
        const v = value ?? ''
        return op === '#' ? trimPrefix(word, v, greedy) : reverse(trimPrefix(reversePattern(word), reverse(v), greedy))
      }
    }
  }

  private sub(stop: string, missing: string, rawEscapes = false): string {
    try {
      return this.run(stop, rawEscapes).text
    } catch (error) {
      if (error instanceof LexError && this.peek() === undefined) throw new LexError(`syntax error: ${missing}`)
      throw error
    }
  }
}

/** One word: quotes and escapes processed, variables expanded, spaces kept. */
export function processWord(text: string, vars: Vars, opts: LexOptions = {}): string {
  return new Lexer(text, vars, opts.escape ?? '\\', opts.skipQuotes ?? false).run().text
}

/** Words split on unquoted whitespace after expansion (an unquoted variable's value splits too). */
export function processWords(text: string, vars: Vars, opts: LexOptions = {}): string[] {
  return new Lexer(text, vars, opts.escape ?? '\\', opts.skipQuotes ?? false).run().words
}
