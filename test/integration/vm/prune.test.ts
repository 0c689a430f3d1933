/**
 * kill -9 of isobench while its VM runs, then `isobench vm prune`: no qemu process, QMP socket,
 * instance dir or half-built artefact is left. One guest boot, through the real CLI.
 */
import {existsSync, mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import {findVmProcesses, readMeta} from '../../../src/vm/instances.js'
import {artefactCacheDir, instanceDir, instancesDir} from '../../../src/vm/paths.js'
import {BIN, isobench, ROOT, tempDir} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64')
const base = tempDir('isobench-vm-prune-')
const stateDir = join(base, 'state')
afterAll(async () => {
  await isobench(['vm', 'prune', '--all', '--state-dir', stateDir])
  rmSync(base, {recursive: true, force: true})
})

const waitFor = async (what: string, ok: () => boolean, ms: number) => {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.skipIf(!isRoot || !hasQemu)('vm prune after kill -9', () => {
  it('leaves no qemu, socket, instance dir or temp file behind', async () => {
    const id = 'vmtest-kill9'
    // The guest command after `--` (with a flag of ours, -p, inside it) runs in the guest; its output is followed.
    const child = execa(
      'node',
      [BIN, 'vm', 'run', '--state-dir', stateDir, '--name', id, '--accel', 'tcg', 'idle', '--', 'sh', '-c', 'echo guest-says-$((6*7)) -p 80; sleep 600'],
      {cwd: ROOT, reject: false, all: true, env: {CI: 'true'}},
    )
    let out = ''
    child.all?.on('data', (d: Buffer) => (out += d.toString()))
    await waitFor('the guest command to print', () => out.includes('guest-says-42 -p 80'), 240_000)
    expect([...findVmProcesses().values()]).toContain(id)
    const meta = readMeta(stateDir, id)!
    expect(meta.pid).toBeGreaterThan(0)
    expect(existsSync(meta.qmpSocket!)).toBe(true)
    // Leftovers of a build interrupted the same way: a half-written artefact and an overlay staging dir of a dead pid.
    const deadPid = 4_000_000
    mkdirSync(artefactCacheDir(stateDir), {recursive: true})
    const halfBuilt = join(artefactCacheDir(stateDir), `initramfs-x.cpio.tmp-${deadPid}-abcdef`)
    writeFileSync(halfBuilt, 'partial')
    const staging = join('/tmp', `isobench-vm-overlay-${deadPid}-test`)
    mkdirSync(staging, {recursive: true})

    child.kill('SIGKILL')
    await child
    const pruned = await isobench(['vm', 'prune', '--state-dir', stateDir, '--json'])
    expect(pruned.exitCode, pruned.all).toBe(0)

    await waitFor('qemu to be gone', () => ![...findVmProcesses().values()].includes(id), 10_000)
    expect(existsSync(`/proc/${meta.pid}/cmdline`) && readMeta(stateDir, id) !== null).toBe(false)
    expect(existsSync(instanceDir(stateDir, id))).toBe(false)
    expect(existsSync(meta.qmpSocket!)).toBe(false)
    expect(existsSync(halfBuilt)).toBe(false)
    expect(existsSync(staging)).toBe(false)
    expect(existsSync(instancesDir(stateDir)) ? readdirSync(instancesDir(stateDir)) : []).toEqual([])
    const ls = await isobench(['vm', 'ls', '--state-dir', stateDir, '--json'])
    expect(JSON.parse(ls.stdout).vms).toEqual([])
    // A second prune finds nothing.
    const again = await isobench(['vm', 'prune', '--state-dir', stateDir, '--json'])
    expect(JSON.parse(again.stdout)).toEqual({killed: [], removed: []})
  })
})
