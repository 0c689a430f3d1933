/**
 * Per-run figures, through the real CLI: `container run --json` and `vm run --json` of the same
 * command give the same fields — readyMs, exitMs, exitCode, phases — on the host's clock in ms since
 * the start call, ready before exit, the exit code passed through (and ours too).
 */
import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {isobench, tempDir} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64')
const base = tempDir('isobench-run-figures-')
const stateDir = join(base, 'state')
afterAll(async () => {
  await isobench(['container', 'prune', '--state-dir', stateDir])
  await isobench(['vm', 'prune', '--all', '--state-dir', stateDir])
  rmSync(base, {recursive: true, force: true})
})

interface Figures {
  readyMs: number | null
  exitMs: number | null
  exitCode: number | null
  phases: Record<string, number>
}

/** The command sleeps 0.3 s after it starts, so exit comes at least 300 ms after ready whatever the load. */
const command = ['sh', '-c', 'sleep 0.3; exit 3']

function check(json: Figures): void {
  expect(json.exitCode).toBe(3)
  expect(json.readyMs).toBeGreaterThan(0)
  expect(json.exitMs! - json.readyMs!).toBeGreaterThanOrEqual(300)
  expect(json.phases.ready).toBe(json.readyMs)
  expect(json.phases.exit).toBe(json.exitMs)
  const marks = Object.values(json.phases)
  expect(marks).toEqual([...marks].sort((a, b) => a - b)) // in order of arrival, all on one clock
}

describe.skipIf(!isRoot)('per-run figures of container run and vm run', () => {
  const keys = ['exitCode', 'exitMs', 'phases', 'readyMs']

  it('container run --json: ready when the container is set up, exit when its command ends', async () => {
    const r = await isobench(['container', 'run', '--json', '--rm', '--network', 'none', '--state-dir', stateDir, 'idle', '--', ...command])
    expect(r.exitCode, r.all).toBe(3)
    const json = JSON.parse(r.stdout) as Figures
    expect(Object.keys(json)).toEqual(expect.arrayContaining(keys))
    check(json)
  })

  it.skipIf(!hasQemu)('vm run --json: the same fields, ready and exit from the guest init markers', async () => {
    const r = await isobench(['vm', 'run', '--json', '--accel', 'tcg', '--state-dir', stateDir, 'idle', '--', ...command])
    expect(r.exitCode, r.all).toBe(3)
    const json = JSON.parse(r.stdout) as Figures & {accel: string}
    expect(Object.keys(json)).toEqual(expect.arrayContaining(keys))
    check(json)
    expect(json.accel).toBe('tcg')
    expect(Object.keys(json.phases)).toEqual(expect.arrayContaining(['kernel', 'init', 'ready', 'exit']))
  })
})
