/**
 * `isobench doctor --json` on the real host: every check is a real one (namespaces entered, KVM
 * probe-booted, runc/crun run), and the whole report comes back well within 15 s.
 */
import {existsSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {cgroupMode} from '../../../src/host/cgroups.js'
import type {DoctorReport} from '../../../src/host/doctor/doctor.js'
import {isobench} from '../../helpers/cli.js'

describe('isobench doctor', () => {
  it('reports this host as JSON within 15 s, with the cgroup mode and a KVM verdict with its reason', async () => {
    const t0 = performance.now()
    const r = await isobench(['doctor', '--json', '--kvm-timeout', '3'])
    const seconds = (performance.now() - t0) / 1000
    expect(r.exitCode, r.all).toBe(0)
    expect(seconds).toBeLessThan(15)
    const report = JSON.parse(r.stdout) as DoctorReport
    expect(report.cgroupMode).toBe(cgroupMode())
    expect(report.host.cpu.cores).toBeGreaterThan(0)
    expect(report.namespaces.usable).toBe(true) // CI runs as root with namespaces, like this machine
    expect(report.kvm.present).toBe(existsSync('/dev/kvm'))
    expect(typeof report.kvm.usable).toBe('boolean')
    expect(report.kvm.reason).toMatch(/KVM/)
    if (report.kvm.present && !report.kvm.usable) expect(report.kvm.reason).toMatch(/unusable; VM arm will use TCG|not probed/)
    expect(report.qemu.present).toBe(existsSync('/usr/bin/qemu-system-x86_64'))
    for (const name of ['runc', 'crun'] as const) {
      const rt = report.runtimes[name]!
      expect(rt.present).toBe(existsSync(`/usr/sbin/${name}`) || existsSync(`/usr/bin/${name}`))
      if (rt.present) expect(rt.works, rt.reason).toBe(true)
    }
    expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['cgroups', 'namespaces', 'qemu', 'kvm', 'runc', 'crun', 'workloads']))
  }, 30_000)

  it('prints one line per capability for a person', async () => {
    const r = await isobench(['doctor'])
    expect(r.exitCode, r.all).toBe(0)
    expect(r.stdout).toMatch(/^(ok|no)\s+kvm\s+/m)
    expect(r.stdout).toMatch(/^ok\s+namespaces\s+/m)
    expect(r.stdout).toMatch(/cgroup mode: (v1|v2|hybrid)/)
  }, 30_000)
})
