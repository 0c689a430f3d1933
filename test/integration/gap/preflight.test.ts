/**
 * The preflight on this host: its facts and warnings (each with a fix), and --strict failing for a
 * real skew — two busy loops started by the test make the host busy, which the preflight must see.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PreflightRecord} from '../../../src/core/provenance.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const dir = tempDir('isobench-preflight-')
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Busy loops (one per CPU), killed by pid when done. */
function burn(n: number): ChildProcess[] {
  return Array.from({length: n}, () => spawn('/bin/sh', ['-c', 'while :; do :; done'], {stdio: 'ignore'}))
}

describe('isobench preflight', () => {
  it('records what skews benchmarks here, each warning with its fix (--json)', async () => {
    const r = await isobench(['preflight', '--json'])
    expect(r.exitCode, r.all).toBe(0)
    const p = JSON.parse(r.stdout) as PreflightRecord
    for (const k of [
      'cpu.governor',
      'cpu.turbo',
      'cpu.smt',
      'cpu.isolated',
      'mm.thp',
      'mm.ksm',
      'mm.swap',
      'kernel.mitigations',
      'random.entropy_avail',
      'host.load',
      'host.busy_pct',
    ])
      expect(p.facts[k], k).toBeTruthy()
    if (existsSync('/sys/devices/system/cpu/vulnerabilities/spectre_v2')) expect(p.facts['vuln.spectre_v2']).toBeTruthy()
    for (const w of p.warnings) {
      expect(['warn', 'info']).toContain(w.severity)
      expect(w.fix.length).toBeGreaterThan(5)
    }
  })

  it('--strict fails (exit 1) on a busy host, naming the top consumers and the fix; so does run --strict, before measuring anything', async () => {
    const burners = burn(2)
    try {
      await new Promise((r) => setTimeout(r, 300))
      const r = await isobench(['preflight', '--strict', '--sample', '800'])
      expect(r.exitCode, r.all).toBe(1)
      expect(r.stderr).toMatch(/preflight --strict: .*host-load \(host busy before the run: \d+% CPU busy/)
      expect(r.stderr).toMatch(/; top: [^;]+ \(pid \d+\) \d+%/) // a process name may hold spaces ('npm ci')
      expect(r.stderr).toContain('fix: stop the other workloads')
      writeFileSync(join(dir, 's.yaml'), 'name: strict\nreps: 1\nmetrics:\n  - metric: startup\n    workload: idle\n')
      const run = await isobench(['run', join(dir, 's.yaml'), '--arms', 'process', '--strict', '--out', join(dir, 'out')])
      expect(run.exitCode, run.all).toBe(1)
      expect(run.stderr).toContain('preflight --strict')
      expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]) // no run was started
    } finally {
      for (const b of burners) b.kill('SIGKILL')
    }
  })
})
