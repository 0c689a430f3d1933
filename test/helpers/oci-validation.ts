/**
 * The OCI runtime-tools validation suite (../shared/oci-validation: runtime-tools at 260e151b with
 * vendored modules, built with Debian's Go) for the conformance test: build it once per source
 * (cached under build/oci-validation/<hash>), run every test against a runtime binary, and read
 * each test's TAP counts. A runtime runs with its own --root; the suite's bundles go to a private
 * TMPDIR; everything runs in a private mount namespace, so a test that mounts into the runtime's
 * namespace (no mount namespace in its config, shared rootfs propagation) cannot reach the host.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {PACKAGE_ROOT} from '../../src/runtime/native/build.js'

export const SUITE_SOURCE = join(PACKAGE_ROOT, '..', 'shared', 'oci-validation')

export interface TapCounts {
  ok: number
  notOk: number
  skip: number
  /** The test program's exit code (non-zero: it failed as a whole, e.g. util.Fatal). */
  rc: number
}

/** Build (or reuse) the suite; returns the directory holding runtime-tools/. */
export async function buildSuite(): Promise<string> {
  const tarball = readdirSync(SUITE_SOURCE).find((f) => f.endsWith('.tar.gz'))
  if (!tarball) throw new Error(`${SUITE_SOURCE}: no runtime-tools tarball`)
  const h = createHash('sha256')
  for (const f of [tarball, 'build.sh', 'run.sh']) h.update(readFileSync(join(SUITE_SOURCE, f)))
  const out = join(PACKAGE_ROOT, 'build', 'oci-validation', h.digest('hex').slice(0, 12))
  if (existsSync(join(out, 'runtime-tools', 'runtimetest')) && existsSync(join(out, 'runtime-tools', 'rootfs-amd64.tar.gz'))) return out
  mkdirSync(out, {recursive: true})
  const r = await execa('bash', [join(SUITE_SOURCE, 'build.sh'), out], {reject: false, all: true, timeout: 600_000})
  if (r.exitCode !== 0) throw new Error(`building the validation suite failed: ${(r.all ?? '').slice(-3000)}`)
  return out
}

/** Every test the suite built (validation/<name>/<name>.t). */
export function suiteTests(out: string): string[] {
  const dir = join(out, 'runtime-tools', 'validation')
  return readdirSync(dir)
    .filter((t) => existsSync(join(dir, t, `${t}.t`)))
    .sort()
}

function countTap(text: string): Omit<TapCounts, 'rc'> {
  const lines = text.split('\n')
  return {
    ok: lines.filter((l) => l.startsWith('ok')).length,
    notOk: lines.filter((l) => l.startsWith('not ok')).length,
    skip: lines.filter((l) => /^ok .*# SKIP/.test(l)).length,
  }
}

/**
 * Run tests against a runtime (name: a label; argv: the runtime and its global flags, e.g.
 * ['/usr/sbin/runc', '--root', dir]). Each test runs on its own with a 120 s deadline, as run.sh.
 */
export async function runSuite(out: string, name: string, argv: string[], tests: string[]): Promise<Record<string, TapCounts>> {
  const work = mkdtempSync(join(tmpdir(), `isobench-ocival-${name}-`))
  try {
    const wrapper = join(work, name)
    writeFileSync(wrapper, `#!/bin/sh\nexec ${argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} "$@"\n`, {mode: 0o755})
    const tmp = join(work, 'tmp')
    mkdirSync(tmp)
    const results: Record<string, TapCounts> = {}
    for (const t of tests) {
      const bin = join(out, 'runtime-tools', 'validation', t, `${t}.t`)
      const r = await execa('unshare', ['--mount', '--propagation', 'private', 'timeout', '-s', 'KILL', '120', bin], {
        cwd: join(out, 'runtime-tools'),
        env: {...process.env, RUNTIME: wrapper, TMPDIR: tmp},
        reject: false,
        all: true,
        maxBuffer: 64 * 1024 * 1024,
      })
      results[t] = {...countTap(r.all ?? ''), rc: r.exitCode ?? 1}
      writeFileSync(join(work, `${t}.tap`), r.all ?? '')
    }
    return results
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}
