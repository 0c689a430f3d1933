/**
 * Build-context exclusions: `.dockerignore` / `.containerignore` as Docker (moby/patternmatcher and
 * its ignorefile reader) and buildah read them.
 *
 *  - Which file: `<Containerfile>.dockerignore` next to the Containerfile (Docker's per-file
 *    ignore), else `<context>/.containerignore` (buildah, podman), else `<context>/.dockerignore`.
 *  - Lines: `#` comments and blank lines skipped, blanks trimmed, `!` negates, each pattern is
 *    cleaned like a path (`./a/`, `/a` → `a`). Patterns use Go's filepath.Match (`*`, `?`, `[…]`,
 *    `\x`), and `**` matches any number of directories.
 *  - Order matters: the LAST pattern matching a path (or one of its parent directories) decides.
 *    `!` re-includes, so `*.md` then `!README.md` keeps README.md.
 *
 * Excluded paths are invisible to COPY and ADD. The Containerfile and the ignore file themselves may
 * be excluded (then they are not copied, but still read).
 */
import {existsSync} from 'node:fs'
import {readInputText} from '../../core/read-input.js'
import {basename, dirname, join, posix} from 'node:path'
import {UsageError} from '../../core/errors.js'

interface Pattern {
  source: string
  exclusion: boolean
  dirs: number
  re: RegExp
}

export interface IgnoreRules {
  /** Where the patterns came from (null: no ignore file). */
  file: string | null
  patterns: string[]
  /** Does the context-relative path (no leading `/`, `a/b`) fall under the patterns? */
  excludes(rel: string): boolean
  /** Are there `!` patterns (an excluded directory may then hold included files)? */
  hasExceptions: boolean
}

/** A Go filepath.Match pattern (with Docker's `**`) → an anchored regex over `/`-separated paths. */
function compile(pattern: string, origin: string): RegExp {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++
        if (pattern[i + 1] === '/') i++
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?'
      } else re += '[^/]*'
    } else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) throw new UsageError(`${origin}: bad pattern ${JSON.stringify(pattern)}: unterminated [`, 'bad-ignore-pattern')
      let body = pattern.slice(i + 1, end)
      if (body.startsWith('^') || body.startsWith('!')) body = '^' + body.slice(1)
      re += `[${body.replace(/\\(.)/g, '\\\\$1').replace(/\//g, '')}]`
      i = end
    } else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(re + '$', 's')
}

/** Clean a pattern like Go's filepath.Clean, then drop a leading `/`. */
function cleanPattern(p: string): string {
  const c = posix.normalize(p).replace(/\/+$/, '')
  return c.length > 1 && c.startsWith('/') ? c.replace(/^\/+/, '') : c
}

export function compileIgnore(lines: string[], origin: string): IgnoreRules {
  const patterns: Pattern[] = []
  for (let line of lines) {
    if (line.startsWith('#')) continue
    line = line.trim()
    if (!line) continue
    const exclusion = line.startsWith('!')
    if (exclusion) line = line.slice(1).trim()
    if (!line) throw new UsageError(`${origin}: illegal exclusion pattern "!"`, 'bad-ignore-pattern')
    const source = cleanPattern(line)
    patterns.push({source, exclusion, dirs: source.split('/').length, re: compile(source, origin)})
  }
  return {
    file: origin,
    patterns: patterns.map((p) => (p.exclusion ? '!' : '') + p.source),
    hasExceptions: patterns.some((p) => p.exclusion),
    excludes(rel: string): boolean {
      const path = posix.normalize(rel).replace(/^\/+|\/+$/g, '')
      if (path === '' || path === '.') return false
      const parents = path.split('/').slice(0, -1)
      let matched = false
      for (const p of patterns) {
        if (p.exclusion !== matched) continue
        let hit = p.re.test(path)
        for (let i = 1; !hit && i <= parents.length; i++) hit = p.re.test(parents.slice(0, i).join('/'))
        if (hit) matched = !p.exclusion
      }
      return matched
    },
  }
}

export const NO_IGNORE: IgnoreRules = {file: null, patterns: [], hasExceptions: false, excludes: () => false}

/** The ignore file that applies to a build (see the module comment for the order), compiled. */
export function loadIgnore(context: string, containerfile: string): IgnoreRules {
  const candidates = [
    join(dirname(containerfile), `${basename(containerfile)}.dockerignore`),
    join(context, '.containerignore'),
    join(context, '.dockerignore'),
  ]
  const file = candidates.find((f) => existsSync(f))
  if (!file) return NO_IGNORE
  const text = readInputText(file, {what: 'ignore file'})
  return compileIgnore(text.split(/\r?\n/), file)
}
