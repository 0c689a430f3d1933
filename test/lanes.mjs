#!/usr/bin/env node
/**
 * `npm test`: build, then typecheck, lint, unit tests and the integration suites in parallel lanes,
 * then the timing-sensitive suites alone, then a table of every suite's wall time.
 *
 * Why lanes: the integration suites spend most of their time waiting on real processes (QEMU under
 * TCG, the OCI conformance suite's 58 container programs, registries, engines' daemons), so two
 * vitest processes on a 2-core machine finish in about half the serial time. Each suite uses its own
 * state dir and finds its leftovers by its own run ids and tags, so lanes do not see each other's
 * instances. Suites that assert on timing or CPU share (EXCLUSIVE) run after the lanes, with nothing
 * else running.
 *
 * Files are dealt to lanes longest first (WEIGHTS: seconds measured on a 2-core CI machine; a file
 * not listed counts DEFAULT_WEIGHT). Environment: ISOBENCH_TEST_LANES (default 2; 1 = serial).
 * Exit status: 0 when every step passed, else 1. Arguments are passed to every vitest invocation
 * (e.g. `npm test -- -t name`).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const LANES = Math.max(1, Number(process.env.ISOBENCH_TEST_LANES ?? 2) || 2)
const CONFIG = 'test/vitest.config.ts'
const extra = process.argv.slice(2)

/** Seconds per integration file, measured in a fresh-clone `.ci/run` (2 cores); used only for dealing files to lanes. */
const WEIGHTS = {
  'test/integration/runtime/oci-conformance.test.ts': 360,
  'test/integration/hostile/kill.test.ts': 230,
  'test/integration/cli/readme-byo.test.ts': 208,
  'test/integration/hostile/bad-input.test.ts': 208,
  'test/integration/metrics/quick.test.ts': 205,
  'test/integration/cli/byo-workloads.test.ts': 176,
  'test/integration/gap/explain.test.ts': 119,
  'test/integration/gap/calibrate.test.ts': 107,
  'test/integration/gap/capacity.test.ts': 106,
  'test/integration/papers/reproduce.test.ts': 86,
  'test/integration/vm/qemu-arm.test.ts': 60,
  'test/integration/arms/spectrum.test.ts': 53,
  'test/integration/images/build-parity.test.ts': 47,
  'test/integration/report/cli.test.ts': 45,
  'test/integration/cli/plugin-arm.test.ts': 44,
  'test/integration/runtime/auto-remove-race.test.ts': 36,
  'test/integration/cli/services.test.ts': 33,
  'test/integration/cli/run.test.ts': 32,
  'test/integration/runtime/interrupt.test.ts': 29,
  'test/integration/vm/prune.test.ts': 25,
  'test/integration/cli/config-files.test.ts': 22,
  'test/integration/cli/run-figures.test.ts': 20,
}
const DEFAULT_WEIGHT = 8

/** Suites whose assertions read CPU shares or timings: run alone after the lanes. */
const EXCLUSIVE = [/^test\/integration\/metrics\/metrics\.test\.ts$/, /^test\/integration\/validity\//]

function listTests(dir) {
  const out = []
  for (const e of readdirSync(join(root, dir), {withFileTypes: true})) {
    const p = `${dir}/${e.name}`
    if (e.isDirectory()) out.push(...listTests(p))
    else if (e.name.endsWith('.test.ts')) out.push(p)
  }
  return out.sort()
}

/** Deal files to `n` lanes, heaviest first, each to the lightest lane so far. */
function deal(files, n) {
  const lanes = Array.from({length: n}, () => ({files: [], weight: 0}))
  const w = (f) => WEIGHTS[f] ?? DEFAULT_WEIGHT
  for (const f of [...files].sort((a, b) => w(b) - w(a))) {
    const lane = lanes.reduce((a, b) => (b.weight < a.weight ? b : a))
    lane.files.push(f)
    lane.weight += w(f)
  }
  return lanes
}

const steps = []
/** Each file's duration as vitest's default reporter prints it ("✓ … test/x.test.ts (5 tests) 118749ms"): it includes beforeAll/afterAll, which the JSON report's times leave out. */
const reported = new Map()
const DURATION = /\s(test\/\S+\.test\.ts) \((\d+) tests?[^)]*\) (\d+)ms/

function noteDuration(line) {
  const m = DURATION.exec(line.replace(/\x1b\[[0-9;]*m/g, ''))
  if (m) reported.set(m[1], Number(m[3]) / 1000)
}
/** Lines of each failure's message repeated at the end. */
const MESSAGE_LINES = 12

/** Run one command with its output lines prefixed by `name`; resolves with its step record. */
function run(name, cmd, args, env = {}) {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {cwd: root, env: {...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
    const prefix = (stream, out) => {
      let rest = ''
      stream.on('data', (b) => {
        const lines = (rest + b.toString()).split('\n')
        rest = lines.pop()
        for (const l of lines) {
          out.write(`[${name}] ${l}\n`)
          noteDuration(l)
        }
      })
      stream.on('end', () => rest && out.write(`[${name}] ${rest}\n`))
    }
    prefix(child.stdout, process.stdout)
    prefix(child.stderr, process.stderr)
    child.on('close', (code, signal) => {
      const step = {name, ok: code === 0, code: code ?? signal, seconds: (Date.now() - started) / 1000}
      steps.push(step)
      resolve(step)
    })
  })
}

const vitest = join(root, 'node_modules/.bin/vitest')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const reports = mkdtempSync(join(tmpdir(), 'isobench-test-lanes-'))

function vitestRun(name, project, files) {
  const json = join(reports, `${name}.json`)
  const args = ['run', '--config', CONFIG, '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]
  return run(name, vitest, [...args, ...extra, ...files])
}

const t0 = Date.now()
const build = await run('build', npm, ['run', '--silent', 'build'])
if (!build.ok) finish()
else {
  const integration = listTests('test/integration')
  const exclusive = integration.filter((f) => EXCLUSIVE.some((r) => r.test(f)))
  const shared = integration.filter((f) => !exclusive.includes(f))
  const lanes = deal(shared, LANES)
  console.log(`[lanes] ${lanes.map((l, i) => `lane${i + 1}: ${l.files.length} files (~${l.weight} s)`).join(', ')}; alone after: ${exclusive.length}`)
  await Promise.all([
    run('typecheck', npm, ['run', '--silent', 'typecheck']),
    run('lint', npm, ['run', '--silent', 'lint']),
    vitestRun('unit', 'unit', []),
    ...lanes.filter((l) => l.files.length).map((l, i) => vitestRun(`lane${i + 1}`, 'integration', l.files)),
  ])
  if (exclusive.length) await vitestRun('alone', 'integration', exclusive)
  finish()
}

/** A file's wall time: its start to end, or (where vitest leaves them equal) the sum of its tests' durations. */
function suiteSeconds(t) {
  const span = (t.endTime ?? 0) - (t.startTime ?? 0)
  const sum = (t.assertionResults ?? []).reduce((s, a) => s + (a.duration ?? 0), 0)
  return Math.max(span, sum) / 1000
}

/** Per-suite wall times from vitest's JSON reports, the steps' times, and the exit status. */
function finish() {
  const suites = []
  const failures = []
  for (const f of readdirSync(reports)) {
    try {
      const r = JSON.parse(readFileSync(join(reports, f), 'utf8'))
      for (const t of r.testResults ?? []) {
        const file = relative(root, t.name)
        suites.push({file, seconds: Math.max(suiteSeconds(t), reported.get(file) ?? 0), status: t.status, tests: t.assertionResults?.length ?? 0})
        if (t.status !== 'passed' && t.message) failures.push({where: file, message: t.message})
        for (const a of t.assertionResults ?? [])
          if (a.status === 'failed') failures.push({where: `${file} > ${a.fullName}`, message: (a.failureMessages ?? []).join('\n')})
      }
    } catch {
      // a lane that crashed before writing its report: its step line says so
    }
  }
  rmSync(reports, {recursive: true, force: true})
  suites.sort((a, b) => b.seconds - a.seconds)
  console.log('\nper-suite wall time (s), slowest first:')
  for (const s of suites) console.log(`  ${s.seconds.toFixed(1).padStart(7)}  ${s.status === 'passed' ? '  ' : '✗ '}${s.file} (${s.tests} tests)`)
  console.log('\nsteps (wall time, s):')
  for (const s of steps) console.log(`  ${s.seconds.toFixed(1).padStart(7)}  ${s.ok ? 'ok    ' : `FAILED (${s.code})`}  ${s.name}`)
  console.log(`  ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)}  total`)
  // Last, so that a log cut to its tail (CI keeps the end) still says what failed and why.
  if (failures.length) console.log(`\n${failures.length} failure(s):`)
  for (const f of failures) {
    const lines = f.message.split('\n')
    console.log(
      `  ✗ ${f.where}\n${lines
        .slice(0, MESSAGE_LINES)
        .map((l) => `      ${l}`)
        .join('\n')}${lines.length > MESSAGE_LINES ? `\n      … (${lines.length - MESSAGE_LINES} more lines above in the log)` : ''}`,
    )
  }
  process.exit(steps.every((s) => s.ok) ? 0 : 1)
}
