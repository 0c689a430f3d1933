/**
 * The KVM probe boots a real guest kernel. On these machines /dev/kvm exists and guests hang, so
 * the probe must come back "unusable" within its time limit and leave no qemu behind; the TCG
 * control proves the same probe does recognise a kernel that runs.
 */
import {execaSync} from 'execa'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {guestKernelCandidates, probeKvm} from '../../../src/host/kvm.js'

const kernel = process.env.ISOBENCH_TEST_KERNEL ?? guestKernelCandidates()[0]
const stateDir = mkdtempSync(join(tmpdir(), 'isobench-kvm-test-'))
afterAll(() => rmSync(stateDir, {recursive: true, force: true}))

function probeQemus(): string[] {
  const r = execaSync('pgrep', ['-af', 'qemu-system-x86_64.*earlyprintk=serial panic=-1'], {reject: false})
  return r.stdout.split('\n').filter(Boolean)
}

describe.skipIf(!kernel)(`KVM probe (kernel ${kernel ?? 'none: run isobench setup'})`, () => {
  it('recognises a live guest kernel (TCG control)', async () => {
    const r = await probeKvm({kernel, stateDir, accel: 'tcg', timeoutMs: 30_000})
    expect(r.usable, r.reason).toBe(true)
    expect(r.reason).toMatch(/booted under TCG/)
    expect(probeQemus()).toEqual([])
  }, 40_000)

  it('decides within its time limit, says why, caches per boot and leaves no qemu', async () => {
    const t0 = performance.now()
    const first = await probeKvm({kernel, stateDir, force: true, timeoutMs: 3000})
    const took = performance.now() - t0
    expect(took).toBeLessThan(3000 + 2000)
    expect(first.cached).toBe(false)
    expect(first.present).toBe(true)
    expect(first.reason.length).toBeGreaterThan(10)
    if (!first.usable) expect(first.reason).toMatch(/KVM present but unusable; VM arm will use TCG/)
    expect(probeQemus()).toEqual([])
    const second = await probeKvm({kernel, stateDir, timeoutMs: 3000})
    expect(second.cached).toBe(true)
    expect(second.usable).toBe(first.usable)
  }, 20_000)
})

describe('KVM probe without a kernel', () => {
  it('does not claim KVM is usable', async () => {
    const r = await probeKvm({kernel: join(stateDir, 'no-such-vmlinuz'), stateDir})
    expect(r.usable).toBe(false)
    expect(r.probeMs).toBe(0)
  })
})
