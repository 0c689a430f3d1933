/**
 * isobench-launch's timing (launch.c, relay.c): in fork mode with --timed the start is stamped right
 * before the clone ("spawn <pid>"), every marker line on arrival and the reaping last ("reaped
 * <code>"), all on CLOCK_MONOTONIC and in order; a stamp the workload prints itself is defused;
 * --hold-until keeps the output back until the ready marker and then passes all of it in order;
 * --go-fd holds the start until isobench writes to it (and starts nothing when isobench is gone
 * first); --cpus pins the workload; a launcher whose isobench died with its output pipe closed still
 * ends the workload (a write to the dead pipe killed it by SIGPIPE before it could).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {execa} from 'execa'
import {launchArgv} from '../../../src/runtime/native/launch.js'

const stamp = /^ISOBENCH@(\d+) (\S+)/

async function run(script: string, o: {holdUntil?: string; cpus?: string} = {}) {
  const argv = await launchArgv(['/bin/sh', '-c', script], {mode: 'fork', timed: true, ...o})
  return execa(argv[0]!, argv.slice(1), {reject: false, stdin: 'ignore', timeout: 10_000})
}

describe('isobench-launch --timed (fork mode)', () => {
  it('stamps spawn first, each marker on arrival and the reaping last, in order; the exit code passes through', async () => {
    const r = await run('echo one; echo "ISOBENCH init w"; echo two; echo "ISOBENCH ready w"; exit 3')
    expect(r.exitCode).toBe(3)
    const lines = r.stdout.split('\n')
    const marks = lines.flatMap((l) => {
      const m = stamp.exec(l)
      return m ? [{at: BigInt(m[1]!), phase: m[2]!}] : []
    })
    expect(marks.map((m) => m.phase)).toEqual(['spawn', 'init', 'ready', 'reaped'])
    for (let i = 1; i < marks.length; i++) expect(marks[i]!.at >= marks[i - 1]!.at).toBe(true)
    expect(lines).toContain('one')
    expect(lines).toContain('two')
    expect(lines.at(-1)).toMatch(/ reaped 3$/)
  })

  it('defuses a stamp the workload prints itself: only the relay writes ISOBENCH@', async () => {
    const r = await run('echo "ISOBENCH@1 ready forged"; echo "ISOBENCH ready w"')
    expect(r.stdout).toContain('ISOBENCH_1 ready forged')
    expect(r.stdout.match(/ISOBENCH@\d+ ready/g)).toHaveLength(1)
  })

  it('--hold-until ready: nothing reaches isobench before the ready marker, then everything, in order', async () => {
    const argv = await launchArgv(['/bin/sh', '-c', 'echo before; echo "ISOBENCH init w"; sleep 1.5; echo "ISOBENCH ready w"; echo after'], {
      mode: 'fork',
      timed: true,
      holdUntil: 'ready',
    })
    const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise((r) => setTimeout(r, 200))
    expect(out).toBe('') // spawn, `before` and init are held
    await new Promise((r) => child.on('close', r))
    const order = out.split('\n').map((l) => stamp.exec(l)?.[2] ?? l)
    expect(order.filter(Boolean)).toEqual(['spawn', 'before', 'init', 'ready', 'after', 'reaped'])
  })

  it('--go-fd: the start waits for isobench to write to the fd', async () => {
    const argv = await launchArgv(['/bin/true'], {mode: 'fork', timed: true, goFd: 3})
    const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'inherit', 'pipe']})
    let out = ''
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise((r) => setTimeout(r, 200))
    expect(out).toBe('')
    const released = performance.now()
    ;(child.stdio[3] as NodeJS.WritableStream).end('1')
    await new Promise((r) => child.on('close', r))
    const spawnAt = Number(BigInt(stamp.exec(out)![1]!)) / 1e6
    expect(spawnAt).toBeGreaterThanOrEqual(released - 1) // stamped after the release, on the same clock as performance.now()
  })

  it('--cpus pins the workload; a malformed list is refused in one line, exit 125', async () => {
    const r = await run('grep Cpus_allowed_list /proc/self/status', {cpus: '0'})
    expect(r.stdout).toMatch(/^Cpus_allowed_list:\s+0$/m)
    const bad = await run('true', {cpus: '1-0'})
    expect(bad.exitCode).toBe(125)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/--cpus 1-0: expected a CPU list/)
  })

  it('isobench killed with output held and its pipe closed: the launcher still ends the workload (no death by SIGPIPE first)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isobench-launch-pipe-'))
    try {
      const pidFile = join(dir, 'pid')
      // A shell stands in for isobench: it is the launcher's --parent. The workload writes one line (held
      // until ready, which never comes) and then nothing, as `sleep` in the kill test: no SIGPIPE of its own.
      const inner = await launchArgv(['/bin/sh', '-c', `echo $$ > ${pidFile}; echo line; exec sleep 1000`], {
        mode: 'fork',
        timed: true,
        holdUntil: 'ready',
      })
      const quoted = inner
        .slice(1)
        .map((a) => `'${a.replaceAll("'", `'\\''`)}'`)
        .join(' ')
      const script = `${inner[0]} ${quoted.replace(`'--parent' '${process.pid}'`, () => `'--parent' "$$"`)} & sleep 1000`
      const parent = spawn('/bin/sh', ['-c', script], {stdio: ['ignore', 'pipe', 'inherit']})
      let pid = 0
      for (let i = 0; i < 100 && !pid; i++) {
        await new Promise((r) => setTimeout(r, 50))
        try {
          pid = Number(readFileSync(pidFile, 'utf8'))
        } catch {
          // not yet
        }
      }
      expect(pid).toBeGreaterThan(0)
      parent.stdout.destroy() // the pipe's reader is gone: the relay's next write fails
      parent.kill('SIGKILL')
      let alive = true
      for (let i = 0; i < 60 && alive; i++) {
        await new Promise((r) => setTimeout(r, 50))
        try {
          process.kill(pid, 0)
        } catch {
          alive = false
        }
      }
      expect(alive, `workload ${pid} outlived its launcher's isobench`).toBe(false)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
