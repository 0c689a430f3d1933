/**
 * isobench-runtime's own command line, on real containers (root): the lifecycle verbs and their
 * errors as runtime.md words them, exec (--process, --detach, --pid-file), ps, kill --all,
 * features, the terminal over a console socket, hooks in order with the state on stdin, a user
 * namespace with mappings, config fields refused by name, --systemd-cgroup refused, and nothing
 * left behind (state dirs, cgroups).
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CGROUP_PARENT} from '../../../src/runtime/cgroups/cgroups.js'
import {resolveImage} from '../../../src/runtime/container/image.js'
import {cgroupsBelow} from '../../../src/runtime/engines/host-traces.js'
import {ensureRuntime} from '../../../src/runtime/native/build.js'
import {ociConfig, overlayAnnotations} from '../../../src/runtime/oci/bundle.js'
import {dockerDefaultSeccomp} from '../../../src/runtime/seccomp/seccomp-default.js'

const root = process.getuid?.() === 0
const base = mkdtempSync(join(tmpdir(), 'isobench-rt-'))
const state = join(base, 'root')
let rt: string
let lower: string
let n = 0

beforeAll(async () => {
  if (!root) return
  rt = await ensureRuntime()
  lower = (await resolveImage(join(base, 'images'), 'idle')).lowerDirs[0]!
}, 300_000)

afterAll(() => {
  rmSync(base, {recursive: true, force: true})
})

interface Run {
  status: number
  stdout: string
  stderr: string
}

/**
 * One runtime command. detached: its stdout/stderr go to a file, as clients give them to create and
 * run --detach (the container init keeps them open after the runtime exits: a pipe would not close).
 */
function run(args: string[], opts: {detached?: boolean} = {}): Run {
  if (!opts.detached) {
    const r = spawnSync(rt, ['--root', state, ...args], {encoding: 'utf8', timeout: 30_000})
    return {status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
  }
  const log = join(base, `out-${n++}.log`)
  const fd = openSync(log, 'w')
  const r = spawnSync(rt, ['--root', state, ...args], {stdio: ['ignore', fd, fd], timeout: 30_000})
  closeSync(fd)
  const out = readFileSync(log, 'utf8')
  return {status: r.status ?? -1, stdout: out, stderr: out}
}

/** A bundle like the container arm's (overlay, tmpfs writable layer); edit(config) changes it. */
function bundle(argv: string[], edit: (c: any) => void = () => {}): {dir: string; id: string} {
  const id = `t${process.pid}-${n++}`
  const dir = join(base, id)
  mkdirSync(join(dir, 'rootfs'), {recursive: true})
  const c = ociConfig({
    rootPath: join(dir, 'rootfs'),
    argv,
    env: {},
    cwd: '/',
    hostname: id,
    network: 'none',
    limits: {pids: 64},
    id,
    cgroups: true,
    seccomp: dockerDefaultSeccomp(),
  }) as any
  c.annotations = overlayAnnotations([lower], 'memory')
  edit(c)
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c))
  return {dir, id}
}

function status(id: string): string {
  return JSON.parse(run(['state', id]).stdout).status
}

async function until(f: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe.skipIf(!root)('isobench-runtime', () => {
  it('create leaves the init waiting; start runs it; state follows; delete refuses until stopped', async () => {
    const b = bundle(['sh', '-c', 'echo started > /dev/shm/x; sleep 60'])
    const pidFile = join(base, `${b.id}.pid`)
    expect(run(['create', '--bundle', b.dir, '--pid-file', pidFile, b.id], {detached: true}).status).toBe(0)
    const st = JSON.parse(run(['state', b.id]).stdout)
    expect(st).toMatchObject({ociVersion: '1.1.0', id: b.id, status: 'created', bundle: b.dir})
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(st.pid)
    // the init is not the runtime's child any more: create has exited
    expect(readFileSync(`/proc/${st.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]).not.toBe(String(process.pid))
    expect(run(['create', '--bundle', b.dir, b.id], {detached: true}).stderr).toMatch(/already exists/)
    expect(run(['delete', b.id]).stderr).toMatch(/not stopped: created/)
    expect(run(['start', b.id]).status).toBe(0)
    expect(status(b.id)).toBe('running')
    expect(run(['start', b.id]).stderr).toMatch(/already running/)
    expect(run(['delete', b.id]).stderr).toMatch(/not stopped: running/)
    expect(run(['kill', b.id, 'KILL']).status).toBe(0)
    await until(() => status(b.id) === 'stopped')
    expect(run(['kill', b.id, 'KILL']).stderr).toMatch(/not running/)
    expect(run(['start', b.id]).stderr).toMatch(/stopped/)
    expect(run(['delete', b.id]).status).toBe(0)
    expect(run(['state', b.id]).stderr).toMatch(/does not exist/)
    expect(cgroupsBelow(`/${CGROUP_PARENT}/${b.id}`)).toEqual([])
  })

  it('run propagates the exit code (128+n for a signal) and cleans up', async () => {
    const b = bundle(['sh', '-c', 'exit 3'])
    expect(run(['run', '--bundle', b.dir, b.id]).status).toBe(3)
    // killed from outside (pid 1 of a pid namespace ignores its own SIGKILL from inside)
    const k = bundle(['sleep', '60'])
    const child = spawn(rt, ['--root', state, 'run', '--bundle', k.dir, k.id], {stdio: 'ignore'})
    const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
    // running, not just created: a kill between create and start is a start that failed (125)
    const running = () => {
      const r = run(['state', k.id])
      return r.status === 0 && (JSON.parse(r.stdout) as {status: string}).status === 'running'
    }
    await until(running)
    process.kill(JSON.parse(readFileSync(join(state, k.id, 'state.json'), 'utf8')).pid, 'SIGKILL')
    expect(await code).toBe(137)
    expect(readdirSync(state).filter((e) => !e.startsWith('.'))).toEqual([])
    expect(cgroupsBelow(`/${CGROUP_PARENT}/${b.id}`)).toEqual([])
  })

  it('state is "creating" until the init is set up (runtime.md State): start and exec refuse it, and run then reads running', async () => {
    // a createRuntime hook holds the create in progress: the init exists, its setup is not finished
    const held = join(base, 'held')
    const b = bundle(['sleep', '60'], (c) => {
      c.hooks = {createRuntime: [{path: '/bin/sh', args: ['sh', '-c', `touch ${held}; sleep 1.5`]}]}
    })
    const child = spawn(rt, ['--root', state, 'run', '--bundle', b.dir, b.id], {stdio: 'ignore'})
    const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
    await until(() => existsSync(held))
    expect(status(b.id)).toBe('creating')
    expect(run(['start', b.id]).stderr).toMatch(/still being created/)
    expect(run(['exec', b.id, 'true']).stderr).toMatch(/still being created/)
    expect(run(['delete', b.id]).stderr).toMatch(/not stopped: creating/)
    await until(() => status(b.id) === 'running')
    process.kill(JSON.parse(readFileSync(join(state, b.id, 'state.json'), 'utf8')).pid, 'SIGKILL')
    expect(await code).toBe(137)
  })

  it('a missing command fails at create (127 for run), with the words clients match', () => {
    const b = bundle(['/no/such/thing'])
    const r = run(['create', '--bundle', b.dir, b.id])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/no such file or directory/)
    expect(existsSync(join(state, b.id))).toBe(false)
    const b2 = bundle(['no-such-thing'])
    const r2 = run(['run', '--bundle', b2.dir, b2.id])
    expect(r2.status).toBe(127)
    expect(r2.stderr).toMatch(/executable file not found in \$PATH/)
  })

  it('exec joins the container: command line, --process, --detach with --pid-file; ps and kill --all', async () => {
    const b = bundle(['sleep', '60'])
    expect(run(['run', '--detach', '--bundle', b.dir, b.id], {detached: true}).status).toBe(0)
    const e = run(['exec', b.id, 'sh', '-c', 'cat /proc/1/comm; hostname; exit 4'])
    expect(e.status).toBe(4)
    expect(e.stdout).toBe(`sleep\n${b.id}\n`)
    const proc = join(base, `${b.id}-process.json`)
    writeFileSync(proc, JSON.stringify({args: ['sleep', '61'], cwd: '/tmp', env: ['PATH=/bin'], user: {uid: 1, gid: 1}}))
    const pidFile = join(base, `${b.id}-exec.pid`)
    expect(run(['exec', '--process', proc, '--detach', '--pid-file', pidFile, b.id], {detached: true}).status).toBe(0)
    const pid = Number(readFileSync(pidFile, 'utf8'))
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\s+1\s/m)
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Seccomp:\s+2$/m)
    const ps = JSON.parse(run(['ps', '--format', 'json', b.id]).stdout) as number[]
    expect(ps).toContain(pid)
    expect(ps.length).toBe(2)
    expect(run(['kill', '--all', b.id, 'KILL']).status).toBe(0)
    await until(() => status(b.id) === 'stopped')
    expect(run(['delete', b.id]).status).toBe(0)
  })

  it('hooks run in order with the state on stdin; a failing poststop hook only warns', () => {
    const log = join(base, 'hooks.log')
    const hook = (name: string, code = 0) => ({path: '/bin/sh', args: ['sh', '-c', `read s; echo "${name} $s" >> ${log}; exit ${code}`]})
    const b = bundle(['true'], (c) => {
      c.hooks = {
        prestart: [hook('prestart')],
        createRuntime: [hook('createRuntime')],
        createContainer: [hook('createContainer')],
        startContainer: [{path: '/bin/sh', args: ['sh', '-c', 'true']}],
        poststart: [hook('poststart')],
        poststop: [hook('poststop', 1)],
      }
    })
    expect(run(['create', '--bundle', b.dir, b.id], {detached: true}).status).toBe(0)
    expect(run(['start', b.id]).status).toBe(0)
    const del = (): Run => run(['delete', '--force', b.id])
    const d = del()
    expect(d.status).toBe(0)
    expect(d.stderr).toMatch(/warning: hooks.poststop\[0\]/)
    const lines = readFileSync(log, 'utf8').trim().split('\n')
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop'])
    for (const l of lines) expect(JSON.parse(l.slice(l.indexOf(' ') + 1))).toMatchObject({ociVersion: '1.1.0', id: b.id, bundle: b.dir})
  })

  it('a user namespace with mappings: root inside is a host uid outside', () => {
    const b = bundle(['sh', '-c', 'id -u; cat /proc/self/uid_map'], (c) => {
      c.linux.namespaces.push({type: 'user'})
      c.linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
      c.linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
      delete c.linux.resources.devices // no mknod in a user namespace: devices are bind-mounted instead
    })
    // the container's root is host uid 200000: it must be able to enter the bundle
    for (const d of [base, b.dir, join(b.dir, 'rootfs'), lower]) chmodSync(d, 0o755)
    const r = run(['run', '--bundle', b.dir, b.id])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('0')
    expect(r.stdout).toMatch(/^\s+0\s+200000\s+65536$/m)
  })

  it('the terminal: the pty master reaches the console socket, the process has a tty', async () => {
    const sock = join(base, 'console.sock')
    const got = new Promise<boolean>((resolve) => {
      const srv = createServer((c) => {
        c.once('data', () => {
          resolve(true)
          c.destroy()
          srv.close()
        })
      }).listen(sock)
      setTimeout(() => resolve(false), 10_000)
    })
    const b = bundle(['sh', '-c', 'test -t 0 && sleep 2'], (c) => (c.process.terminal = true))
    const r = run(['create', '--bundle', b.dir, '--console-socket', sock, b.id], {detached: true})
    expect(r.stderr).toBe('')
    expect(await got).toBe(true)
    expect(run(['delete', '--force', b.id]).status).toBe(0)
  })

  it('refuses what it does not implement, by name; ignores what the spec does not define; refuses --systemd-cgroup', () => {
    const refused = bundle(['true'], (c) => (c.linux.intelRdt = {closID: 'x'}))
    expect(run(['create', '--bundle', refused.dir, refused.id]).stderr).toBe(
      'isobench-runtime: config.json: linux.intelRdt is not supported by isobench-runtime\n',
    )
    const bad = bundle(['true'], (c) => (c.process.user.uid = 'root'))
    expect(run(['create', '--bundle', bad.dir, bad.id]).stderr).toMatch(/config.json: process.user.uid: expected an integer/)
    const unknown = bundle(['true'], (c) => (c.somethingNew = {x: 1}))
    expect(run(['run', '--bundle', unknown.dir, unknown.id]).status).toBe(0)
    const s = run(['--systemd-cgroup', 'state', 'x'])
    expect(s.status).toBe(1)
    expect(s.stderr).toMatch(/--systemd-cgroup: the systemd cgroup manager is not supported/)
    expect(readdirSync(state).filter((e) => !e.startsWith('.'))).toEqual([])
  })

  it('features lists what it implements (runtime-spec features.md)', () => {
    const f = JSON.parse(execFileSync(rt, ['features'], {encoding: 'utf8'}))
    expect(f.ociVersionMax).toBe('1.1.0')
    expect(f.hooks).toEqual(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'])
    expect(f.linux.namespaces).toContain('user')
    expect(f.linux.cgroup).toMatchObject({v1: true, v2: true, systemd: false})
    expect(f.linux.seccomp.enabled).toBe(true)
    expect(f.linux.capabilities).toContain('CAP_SYS_ADMIN')
  })
})
