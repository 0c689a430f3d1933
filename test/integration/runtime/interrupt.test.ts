/**
 * Reliability: `kill -9` isobench while it starts a container, 20 times, at different moments
 * (image resolution, create, helper spawn, bridge setup, running); then `isobench container prune`
 * must leave no process, mount, cgroup, veth, lease or state file behind.
 */
import {execa} from 'execa'
import {existsSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import {listContainerCgroups, hostCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {hostVethName, listLeases} from '../../../src/runtime/network/bridge.js'
import {BIN, ROOT, tempDir} from '../../helpers/cli.js'

const root = process.getuid?.() === 0
const stateDir = tempDir('isobench-kill-')
const KILLS = 20

function processesMentioning(text: string): string[] {
  const out: string[] = []
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (cmd.includes(text)) out.push(`${pid}: ${cmd.replaceAll('\0', ' ').slice(0, 120)}`)
    } catch {
      // exited
    }
  }
  return out
}

function mountsMentioning(text: string): string[] {
  const out: string[] = []
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) if (line.includes(text)) out.push(`${pid}: ${line}`)
    } catch {
      // exited
    }
  }
  return out
}

describe.skipIf(!root || !existsSync(BIN))('kill -9 during container start, then prune', () => {
  afterAll(async () => {
    await execa('node', [BIN, 'container', 'prune', '--all', '--state-dir', stateDir], {reject: false})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it(`leaves nothing after ${KILLS} SIGKILLs and one prune`, async () => {
    // Warm: the image and helper exist, so kills land in the container start itself.
    const warm = await execa('node', [BIN, 'container', 'run', '--rm', '--network', 'none', '--state-dir', stateDir, 'idle', '--', 'true'], {
      cwd: ROOT,
      reject: false,
      all: true,
    })
    expect(warm.exitCode, warm.all).toBe(0)
    const names: string[] = []
    const outcomes: string[] = []
    for (let i = 0; i < KILLS; i++) {
      const name = `kill-${i}`
      names.push(name)
      const network = i % 2 === 0 ? 'bridge' : 'none'
      const child = execa(
        'node',
        [
          BIN,
          'container',
          'run',
          '--name',
          name,
          '--network',
          network,
          '--memory',
          '32m',
          '--cpus',
          '0.5',
          '--state-dir',
          stateDir,
          'idle',
          '--',
          'sleep',
          '30',
        ],
        {cwd: ROOT, reject: false},
      )
      // Spread the kills over the start: most land after the container's state dir appears (create,
      // helper spawn, cgroups, bridge setup, running), every fifth one while the CLI is still loading.
      const dir = `${stateDir}/containers/${name}`
      const delay = i % 5 === 4 ? -1 : (i * 7) % 45
      if (delay >= 0) {
        const deadline = Date.now() + 20_000
        while (!existsSync(dir) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 1))
        await new Promise((r) => setTimeout(r, delay))
      } else {
        await new Promise((r) => setTimeout(r, 100))
      }
      child.kill('SIGKILL')
      const r = await child
      outcomes.push(`${name}@${delay}ms: ${r.signal ?? r.exitCode}`)
    }
    const prune = await execa('node', [BIN, 'container', 'prune', '--state-dir', stateDir], {cwd: ROOT, reject: false, all: true})
    expect(prune.exitCode, prune.all).toBe(0)
    // The kills must have hit started containers, not only node loading: prune found their remains.
    expect(prune.all).toMatch(/removed container kill-/)
    expect(prune.all).toMatch(/removed cgroup .*isobench\/kill-/)
    if (process.env.ISOBENCH_TEST_VERBOSE) console.log(outcomes.join('\n') + '\n' + prune.all)
    // Processes die with their parent asynchronously; give the kernel a moment.
    await new Promise((r) => setTimeout(r, 300))
    expect(processesMentioning(stateDir), outcomes.join('\n')).toEqual([])
    expect(mountsMentioning(stateDir)).toEqual([])
    const cgroups = listContainerCgroups(hostCgroups())
    expect(names.filter((n) => cgroups.has(n))).toEqual([])
    const veths = readdirSync('/sys/class/net')
    expect(names.map(hostVethName).filter((v) => veths.includes(v))).toEqual([])
    expect([...listLeases(stateDir).keys()]).toEqual([])
    expect(existsSync(`${stateDir}/containers`) ? readdirSync(`${stateDir}/containers`) : []).toEqual([])
  })
})
