/**
 * The paper pipeline end to end on this host (the brief: CI proves it with at least Felter's CPU
 * claim and Joy's scale-out claim): real cells on the process, container and qemu arms, verdicts,
 * the JSON, the Markdown table and the HTML report's "Paper claims" section. It asserts that the
 * pipeline is right, not that this host agrees with 2015 (a verdict may legitimately be any of them;
 * the exit code must then say so).
 */
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {isobench, tempDir} from '../../helpers/cli.js'

const out = tempDir()
afterAll(() => rmSync(out, {recursive: true, force: true}))

interface ClaimRow {
  id: string
  verdict: string
  outcome: string
  estimate: number | null
  ci: [number, number] | null
  gate: boolean
  accel?: Record<string, string>
  samples?: Record<string, {ok: number; total: number}>
  reason?: string
}

describe('isobench reproduce --quick (real arms)', () => {
  it('felter2015 CPU and joy2015 scale-out get verdicts with CIs; the KVM-only claim is not passed off under TCG', async () => {
    const md = join(out, 'summary.md')
    const r = await isobench([
      'reproduce',
      'felter2015:cpu-container',
      'felter2015:cpu-vm',
      'joy2015:scaleout',
      '--quick',
      '--json',
      '--out',
      out,
      '--markdown',
      md,
    ])
    const doc = JSON.parse(r.stdout) as {claims: ClaimRow[]; runs: Array<{report: string; resultsFile: string}>; exitCode: number}
    const claims = new Map(doc.claims.map((c) => [c.id, c]))
    expect([...claims.keys()].sort()).toEqual(['felter2015:cpu-container', 'felter2015:cpu-vm', 'joy2015:scaleout'])

    // Exit code: 1 exactly when an applicable claim is not reproduced with significance.
    const failed = doc.claims.some((c) => c.gate && c.outcome === 'not reproduced')
    expect(r.exitCode, r.stderr).toBe(failed ? 1 : 0)
    expect(doc.exitCode).toBe(r.exitCode)

    for (const id of ['felter2015:cpu-container', 'joy2015:scaleout']) {
      const c = claims.get(id)!
      expect(['reproduced', 'not reproduced', 'inconclusive'], `${id}: ${c.reason}`).toContain(c.outcome)
      expect(c.estimate).toBeGreaterThan(0)
      expect(c.ci![0]).toBeLessThanOrEqual(c.estimate!)
      expect(c.ci![1]).toBeGreaterThanOrEqual(c.estimate!)
      for (const side of Object.values(c.samples!)) expect(side.ok).toBeGreaterThanOrEqual(3)
    }
    // A container is ready in milliseconds and a VM in about a second (KVM) or more (TCG): the ratio is far above 1.
    expect(claims.get('joy2015:scaleout')!.estimate!).toBeGreaterThan(3)

    const vmAccel = claims.get('joy2015:scaleout')!.accel!.qemu
    const cpuVm = claims.get('felter2015:cpu-vm')!
    if (vmAccel === 'tcg') {
      expect(cpuVm.outcome).toBe('not comparable')
      expect(cpuVm.estimate).toBeNull()
      // A slower (emulated) VM pushes qemu/container up, toward Joy's "at least 10×": the verdict says so.
      const joy = claims.get('joy2015:scaleout')!
      if (joy.outcome === 'reproduced') expect(joy.verdict).toBe('reproduced (TCG — favours the claim)')
    } else expect(vmAccel).toBe('kvm')

    // Parity: the container and the VM ran the same rootfs digest, with matched resources.
    const results = JSON.parse(readFileSync(doc.runs[0]!.resultsFile, 'utf8')) as {
      parity?: Array<{workload: string; rootfsDigest?: Record<string, string>; mismatches: string[]}>
    }
    const idle = results.parity?.find((p) => p.workload === 'idle')
    expect(idle?.rootfsDigest?.container).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(idle?.rootfsDigest?.qemu).toBe(idle?.rootfsDigest?.container)
    expect(idle?.mismatches).toEqual([])

    const html = readFileSync(doc.runs[0]!.report, 'utf8')
    expect(html).toContain('<h2>Paper claims</h2>')
    expect(html).toContain('same rootfs digest, vCPUs ↔ cpus and RAM ↔ memory limit match')
    for (const id of claims.keys()) expect(html).toContain(id)
    if (vmAccel === 'tcg') expect(html).toMatch(/qemu\[tcg\]|TCG/)
    const table = readFileSync(md, 'utf8')
    expect(table).toMatch(/\| *claim *\|/)
    for (const id of claims.keys()) expect(table).toContain(id)
  }, 300_000)
})
