/**
 * Bad input never hangs or eats the host: every row of the corpus (bad-inputs.ts) runs the real CLI
 * and is "handled cleanly" when
 *   - it ends within 30 s (never hangs) with a 384 MiB heap (never eats the host: a loader that
 *     reads without a bound dies of the heap limit, with a stack trace);
 *   - it exits with the row's code (2 for bad input);
 *   - it says so in one line on stderr, `error: …`, naming the file, flag or field (row.mentions);
 *   - no stack trace, and no raw control character (ANSI escapes, CR, BEL, C1) in anything it prints,
 *     and no line that hostile text injected.
 * One named test per row; the last test prints the totals (tried, clean) by surface.
 */
import {spawnSync} from 'node:child_process'
import {execa} from 'execa'
import {existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, ROOT, tempDir} from '../../helpers/cli.js'
import {CASES, type BadInput} from './bad-inputs.js'
import {isRoot} from './helpers.js'

const base = tempDir('isobench-hostile-input-')
const stateDir = join(base, 'state')
const DEADLINE_MS = 30_000
const CONCURRENCY = 4
const INJECTED = 'INJECTED'
const HOSTILE = `\x1b[31mevil\x1b]0;pwned\x07\r\n${INJECTED} | cell\u009b2J`

interface Outcome {
  exit: number | null
  timedOut: boolean
  stdout: string
  stderr: string
  ms: number
}

/** The compare fixtures with arm and workload names made hostile, written as hostile-{base,new}.json. */
function hostileResults(file: string): string {
  const rename: Record<string, string> = {container: `container${HOSTILE}`, idle: `idle${HOSTILE}`}
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key && ['arm', 'name', 'workload', 'baseline'].includes(key) ? (rename[v] ?? v) : v
    if (Array.isArray(v)) return v.map((x) => walk(x, key))
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]))
    return v
  }
  const r = walk(JSON.parse(readFileSync(file, 'utf8'))) as {scenario: {name: string}}
  r.scenario.name = `scenario${HOSTILE}`
  return JSON.stringify(r)
}

function prepare(c: BadInput, dir: string): void {
  mkdirSync(dir, {recursive: true})
  const fixtures = join(ROOT, 'test', 'fixtures', 'results')
  writeFileSync(join(dir, 'base.json'), readFileSync(join(fixtures, 'compare-base.json')))
  writeFileSync(join(dir, 'new.json'), readFileSync(join(fixtures, 'compare-new.json')))
  writeFileSync(join(dir, 'hostile-base.json'), hostileResults(join(fixtures, 'compare-base.json')))
  writeFileSync(join(dir, 'hostile-new.json'), hostileResults(join(fixtures, 'compare-new.json')))
  for (const [name, content] of Object.entries(c.files ?? {})) {
    const path = join(dir, name)
    mkdirSync(join(path, '..'), {recursive: true})
    if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(path, content)
    else if ('fifo' in content) execaSync('mkfifo', [path])
    else if ('size' in content) {
      writeFileSync(path, '')
      truncateSync(path, content.size)
    } else symlinkSync(content.symlink, path)
  }
}

function execaSync(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args)
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`)
}

async function runCase(c: BadInput, dir: string): Promise<Outcome> {
  const started = Date.now()
  const r = await execa('node', ['--max-old-space-size=384', BIN, ...c.args], {
    cwd: dir,
    reject: false,
    timeout: DEADLINE_MS,
    killSignal: 'SIGKILL',
    stdin: 'ignore',
    env: {CI: 'true', ISOBENCH_STATE_DIR: stateDir, NO_COLOR: '1'},
  })
  return {exit: r.exitCode ?? null, timedOut: Boolean(r.timedOut), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), ms: Date.now() - started}
}

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/

/** Why an outcome is not clean; [] when it is. */
function problems(c: BadInput, o: Outcome): string[] {
  const out: string[] = []
  if (o.timedOut) return [`hung: killed after ${DEADLINE_MS / 1000} s`]
  const exits = c.exit === undefined ? [2] : Array.isArray(c.exit) ? c.exit : [c.exit]
  if (!exits.includes(o.exit ?? -1)) out.push(`exit ${o.exit}, expected ${exits.join(' or ')}`)
  const lines = o.stderr.split('\n').filter((l) => l.trim() && !/update available|^warning: /.test(l))
  if (c.mentions) {
    if (lines.length !== 1) out.push(`${lines.length} lines on stderr, expected one`)
    if (!lines.some((l) => l.startsWith('error: '))) out.push('no "error: …" line')
    if (!c.mentions.test(lines.join('\n'))) out.push(`does not name ${c.mentions}`)
  }
  if (c.stdout && !c.stdout.test(o.stdout)) out.push(`stdout does not match ${c.stdout}`)
  if (/^\s+at .+[(:]\d+/m.test(o.stderr) || /FATAL ERROR|heap limit/i.test(o.stderr)) out.push('stack trace or heap exhaustion')
  if (CONTROL.test(o.stdout) || CONTROL.test(o.stderr)) out.push('raw control characters in the output')
  if ([...o.stdout.split('\n'), ...o.stderr.split('\n')].some((l) => l.replace(/^[|\s]+/, '').startsWith(INJECTED) || l.startsWith('warning: fake')))
    out.push('hostile text started a line of its own')
  return out
}

const outcomes = new Map<string, Outcome>()

describe.skipIf(!existsSync(BIN))('bad input never hangs or eats the host', () => {
  beforeAll(async () => {
    mkdirSync(stateDir, {recursive: true})
    // A stopped container whose command carries escape sequences, for `container ls`.
    if (isRoot)
      await execa('node', [BIN, 'container', 'run', '--network', 'none', '--name', 'esc-cmd', 'idle', '--', 'echo', `\x1b[2J\x1b]0;pwned\x07\n${INJECTED}`], {
        cwd: ROOT,
        reject: false,
        env: {CI: 'true', ISOBENCH_STATE_DIR: stateDir},
      })
    const queue = CASES.filter((c) => isRoot || (c.surface !== 'container' && c.surface !== 'image')).map((c, i) => ({c, dir: join(base, `case-${i}`)}))
    const names = new Set<string>()
    for (const {c} of queue) {
      if (names.has(c.name)) throw new Error(`two cases named ${c.name}`)
      names.add(c.name)
    }
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        prepare(next.c, next.dir)
        outcomes.set(next.c.name, await runCase(next.c, next.dir))
      }
    }
    await Promise.all(Array.from({length: CONCURRENCY}, worker))
  }, 900_000)

  afterAll(async () => {
    await execa('node', [BIN, 'prune', '--all', '--state-dir', stateDir], {cwd: ROOT, reject: false})
    rmSync(base, {recursive: true, force: true})
  })

  for (const c of CASES) {
    it.skipIf(!isRoot && (c.surface === 'container' || c.surface === 'image'))(`${c.surface}: ${c.name}`, () => {
      const o = outcomes.get(c.name)
      expect(o, 'not run').toBeDefined()
      expect(problems(c, o!), `stderr: ${JSON.stringify(o!.stderr.slice(0, 800))}\nstdout: ${JSON.stringify(o!.stdout.slice(0, 400))}`).toEqual([])
    })
  }

  it('totals', () => {
    const bySurface = new Map<string, {tried: number; clean: number}>()
    for (const c of CASES) {
      const o = outcomes.get(c.name)
      if (!o) continue
      const t = bySurface.get(c.surface) ?? {tried: 0, clean: 0}
      t.tried++
      if (problems(c, o).length === 0) t.clean++
      bySurface.set(c.surface, t)
    }
    const tried = [...bySurface.values()].reduce((n, t) => n + t.tried, 0)
    const clean = [...bySurface.values()].reduce((n, t) => n + t.clean, 0)
    console.log(`bad inputs: ${tried} tried, ${clean} clean\n${[...bySurface.entries()].map(([s, t]) => `  ${s}: ${t.clean}/${t.tried}`).join('\n')}`)
    expect(tried).toBeGreaterThanOrEqual(isRoot ? 140 : 100)
  })
})
