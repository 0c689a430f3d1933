/**
 * isobench-launch, the process arm's workload parent (src/runtime/native/launch.c): when the
 * isobench process that spawned it dies — SIGKILL included — it exits at once and takes its whole
 * subtree with it (also what left its process group with setsid), without spinning: 100 launchers
 * orphaned at once must all be gone within seconds, each having used little CPU (an earlier version
 * walked all of /proc per round; 300 of them orphaned together loaded the machine for minutes).
 * Its own exit says how the workload ended; a launcher whose parent died before it could arm the
 * parent-death signal never starts the workload.
 */
import {execa} from 'execa'
import {readFileSync, readdirSync} from 'node:fs'
import {beforeAll, describe, expect, it} from 'vitest'
import {ensureLauncher} from '../../../src/runtime/native/build.js'

let launcher = ''
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Processes whose environment carries this tag, with their CPU time so far (s) and state. */
function tagged(tag: string): Array<{pid: number; comm: string; cpu: number; state: string}> {
  const out = []
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`LAUNCH_TEST_TAG=${tag}`)) continue
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.push({pid: Number(p), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), state: f[0]!, cpu: (Number(f[11]) + Number(f[12])) / 100})
    } catch {
      // gone
    }
  }
  return out
}

describe('isobench-launch', () => {
  beforeAll(async () => {
    launcher = await ensureLauncher()
  })

  it('100 launchers whose parent is SIGKILLed all exit within seconds, taking every descendant, without spinning', async () => {
    const tag = `orphans-${process.pid}-${Date.now()}`
    // A parent shell starts 100 launchers, each with a tree: two children, one grandchild, one that left with setsid.
    const tree = 'sleep 300 & (sleep 300 & sleep 300) & setsid sleep 300 & sleep 300'
    const parent = execa('bash', ['-c', `for i in $(seq 1 100); do ${launcher} --parent $$ -- /bin/sh -c '${tree}' & done; wait`], {
      reject: false,
      env: {LAUNCH_TEST_TAG: tag},
    })
    const deadline = Date.now() + 30_000
    while (tagged(tag).filter((p) => p.comm === 'sleep').length < 500 && Date.now() < deadline) await sleep(50)
    expect(tagged(tag).filter((p) => p.comm === 'sleep').length).toBeGreaterThanOrEqual(500)
    const before = new Map(tagged(tag).map((p) => [p.pid, p.cpu]))
    parent.kill('SIGKILL')
    await parent
    let left = tagged(tag).filter((p) => p.state !== 'Z')
    const cpuAfter = new Map<number, number>()
    for (const end = Date.now() + 10_000; left.length > 0 && Date.now() < end; left = tagged(tag).filter((p) => p.state !== 'Z')) {
      for (const p of left) cpuAfter.set(p.pid, p.cpu - (before.get(p.pid) ?? 0))
      await sleep(100)
    }
    expect(left.map((p) => `${p.pid} ${p.comm} ${p.state}`)).toEqual([])
    // Each launcher's work after its parent died: killing and reaping a few children, well under a second of CPU.
    expect(Math.max(0, ...cpuAfter.values())).toBeLessThan(0.5)
  })

  it('SIGTERM (how the arm stops an instance) takes the subtree and ends the launcher by that signal', async () => {
    const tag = `term-${process.pid}-${Date.now()}`
    const child = execa(launcher, ['--parent', String(process.pid), '--', '/bin/sh', '-c', 'setsid sleep 300 & sleep 300'], {
      reject: false,
      env: {LAUNCH_TEST_TAG: tag},
    })
    while (tagged(tag).filter((p) => p.comm === 'sleep').length < 2) await sleep(20)
    child.kill('SIGTERM')
    const r = await child
    expect(r.signal).toBe('SIGTERM')
    await sleep(100)
    expect(tagged(tag).filter((p) => p.state !== 'Z')).toEqual([])
  })

  it("exits with the workload's status, and takes what the workload left behind when it ends", async () => {
    const tag = `exit-${process.pid}-${Date.now()}`
    const ok = await execa(launcher, ['--parent', String(process.pid), '--', '/bin/sh', '-c', 'setsid sleep 300 & exit 7'], {
      reject: false,
      env: {LAUNCH_TEST_TAG: tag},
    })
    expect(ok.exitCode).toBe(7)
    expect(tagged(tag).filter((p) => p.state !== 'Z')).toEqual([])
    const killed = await execa(launcher, ['--parent', String(process.pid), '--', '/bin/sh', '-c', 'kill -9 $$'], {reject: false})
    expect(killed.signal).toBe('SIGKILL')
    const missing = await execa(launcher, ['--parent', String(process.pid), '--', '/no/such/binary'], {reject: false})
    expect(missing.exitCode).toBe(127)
  })

  it('never starts the workload when its parent is already gone (it could not arm the parent-death signal in time)', async () => {
    const r = await execa(launcher, ['--parent', '1', '--', '/bin/sh', '-c', 'echo started'], {reject: false, all: true})
    expect(r.exitCode).toBe(125)
    expect(r.all).toMatch(/parent 1 already gone/)
    expect(r.all).not.toMatch(/started/)
  })
})
