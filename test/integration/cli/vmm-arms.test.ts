/**
 * The firecracker and cloud-hypervisor arms where they cannot run (isobench's build hosts: no KVM
 * that boots a guest, no binaries — Debian 12 packages neither): `providers`, `doctor` and a run
 * say why, name what to install, say their launch was never run here, and a run skips them with
 * that reason while the other arms run. Their launch itself is checked by the unit tests
 * (test/unit/vm/{firecracker,cloud-hypervisor,vmm-launch,vmlinux}.test.ts); nothing here pretends a boot.
 */
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import type {DoctorReport} from '../../../src/host/doctor/doctor.js'
import type {Results} from '../../../src/core/results.js'
import {isobench, tempDir} from '../../helpers/cli.js'

const VMMS = ['firecracker', 'cloud-hypervisor'] as const
const dir = tempDir('isobench-vmm-arms-')
const env = {ISOBENCH_STATE_DIR: join(dir, 'state')}
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const onPath = async (bin: string) => (await execa('sh', ['-c', `command -v ${bin}`], {reject: false})).stdout.trim() !== ''

describe('the firecracker and cloud-hypervisor arms here', () => {
  it('providers lists both as vm arms, says why they cannot run and that their launch was never run on the build hosts', async () => {
    const r = await isobench(['providers', '--json'], {env})
    expect(r.exitCode, r.all).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<{name: string; isolation: string; description: string; available: boolean; reason?: string}>
    for (const name of VMMS) {
      const row = rows.find((x) => x.name === name)!
      expect(row, name).toBeDefined()
      expect(row.isolation).toBe('vm')
      expect(row.description).toMatch(/not run on isobench's build hosts \(no KVM\)/)
      expect(row.reason).toMatch(/never run on isobench's build hosts/)
      if (!(await onPath(name))) {
        expect(row.available).toBe(false)
        expect(row.reason).toMatch(new RegExp(`^${name} not found: .*not packaged by Debian 12.*release binary`))
      } else if (!row.available) expect(row.reason).toMatch(/needs KVM, which cannot boot a guest here/)
      else expect(row.reason).toMatch(/with KVM; .*unverified/)
    }
  }, 60_000)

  it('doctor has a check for each, with what to read when the binary is missing', async () => {
    const r = await isobench(['doctor', '--json', '--kvm-timeout', '3'], {env})
    expect(r.exitCode, r.all).toBe(0)
    const report = JSON.parse(r.stdout) as DoctorReport
    for (const name of VMMS) {
      const check = report.checks.find((c) => c.name === name)!
      expect(check, name).toBeDefined()
      expect(check.detail).toMatch(/never run on isobench's build hosts|unverified/)
      if (!(await onPath(name))) {
        expect(check.ok).toBe(false)
        expect(check.fix).toMatch(/README section "Firecracker, Cloud Hypervisor and Kata"/)
      }
    }
  }, 60_000)

  it('a run skips them with the reason in results.json and a warning, and runs the other arms', async () => {
    const file = join(dir, 'vmm.yaml')
    writeFileSync(file, 'name: vmm\nreps: 1\nwarmup: 0\nmetrics:\n  - metric: startup\n    workload: idle\n')
    const r = await isobench(['run', file, '--arms', 'process,firecracker,cloud-hypervisor', '--out', join(dir, 'out')], {env})
    expect(r.exitCode, r.all).toBe(0)
    const results = JSON.parse(readFileSync(/results: (.*results\.json)/.exec(r.stdout)![1]!, 'utf8')) as Results
    expect(results.samples.filter((s) => s.arm === 'process' && s.ok).length).toBeGreaterThan(0)
    for (const name of VMMS) {
      const rec = results.arms.find((a) => a.name === name)!
      expect(rec, name).toBeDefined()
      if (rec.available) continue // a KVM host with the binary: the arm ran (its samples are its own)
      expect(rec.reason).toMatch(/never run on isobench's build hosts/)
      expect(results.samples.filter((s) => s.arm === name)).toEqual([])
      expect(results.warnings.some((w) => w.code === 'arm-unavailable' && w.arm === name)).toBe(true)
    }
  }, 180_000)
})
