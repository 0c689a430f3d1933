/**
 * Real containers of our runtime (root): isolation facts seen from inside, limits seen from the
 * host's cgroups, state on disk, and nothing left behind.
 */
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {listContainerCgroups, hostCgroups} from '../../../src/runtime/cgroups/cgroups.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {runContainer, type ContainerRunOptions} from '../../../src/runtime/container/run.js'

const root = process.getuid?.() === 0
const stateDir = mkdtempSync(join(tmpdir(), 'isobench-rt-'))

function collect(): {stream: NodeJS.WritableStream; text: () => string} {
  let text = ''
  return {stream: {write: (b: Buffer | string) => ((text += b.toString()), true)} as unknown as NodeJS.WritableStream, text: () => text}
}

async function run(command: string[], extra: Partial<ContainerRunOptions> = {}) {
  const out = collect()
  const cleanup = new CleanupRegistry()
  const result = await runContainer({
    stateDir,
    image: 'idle',
    command,
    rm: true,
    detach: false,
    network: 'none',
    publish: [],
    mounts: [],
    env: [],
    cleanup,
    stdout: out.stream,
    stderr: out.stream,
    ...extra,
  })
  await cleanup.runAll()
  return {...result, output: out.text()}
}

describe.skipIf(!root)('container run (our runtime)', () => {
  beforeAll(async () => {
    await run(['true']) // builds the idle image and the helper once
  }, 120_000)
  afterAll(async () => {
    await pruneContainers(stateDir, {all: true})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it('runs in its own pid, uts, net and mount namespaces over pivot_root, with the exit code passed through', async () => {
    const script = [
      'echo pid=$$',
      'echo host=$(hostname)',
      'echo ifaces=$(ls /sys/class/net | tr "\\n" " ")',
      'echo netdev=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" " ")',
      'echo root=$(grep " / / " /proc/self/mountinfo | cut -d" " -f9)',
      'echo oldroot=$(ls /proc/1/root/ | wc -l)',
      'exit 7',
    ].join('; ')
    const r = await run(['/bin/sh', '-c', script], {name: 'ns-test'})
    expect(r.exitCode).toBe(7)
    expect(r.output).toContain('pid=1\n')
    expect(r.output).toContain('host=ns-test\n')
    // Both views of the network namespace: sysfs (as of its mount) and /proc/net (the process's own).
    expect(r.output).toContain('ifaces=lo\n')
    expect(r.output).toContain('netdev=lo\n')
    expect(r.output).toContain('root=overlay\n')
    expect(existsSync(join(stateDir, 'containers', 'ns-test'))).toBe(false) // --rm
  })

  it("has /proc, read-only /sys, a minimal /dev, masked /proc paths and Docker's default capabilities", async () => {
    const script = [
      'ls /dev | tr "\\n" " "; echo',
      'touch /sys/x 2>/dev/null && echo sys=rw || echo sys=ro',
      'echo timer_list=$(wc -c < /proc/timer_list)',
      'echo sysrq=$(echo h 2>/dev/null > /proc/sysrq-trigger && echo w || echo ro)',
      'grep CapBnd /proc/self/status',
      'mknod /tmp/sda b 8 0 && echo mknod=ok',
      'echo zero=$(head -c 3 /dev/zero | wc -c)',
    ].join('; ')
    const r = await run(['/bin/sh', '-c', script])
    expect(r.exitCode).toBe(0)
    for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm']) expect(r.output).toMatch(new RegExp(`(^| )${d} `))
    expect(r.output).not.toMatch(/(^| )(sda|mem|kmsg) /)
    expect(r.output).toContain('sys=ro')
    expect(r.output).toContain('timer_list=0')
    expect(r.output).toContain('sysrq=ro')
    // Docker's default set: chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service net_raw sys_chroot mknod audit_write setfcap
    expect(r.output).toContain('CapBnd:\t00000000a80425fb')
    expect(r.output).toContain('mknod=ok')
    expect(r.output).toContain('zero=3')
  })

  it("runs as the image's USER 1234:5678, not root (a security bug when ignored); --user overrides; exec follows the container's user", async () => {
    const {buildImage} = await import('../../../src/images/build/build.js')
    const {createBuildExecutor} = await import('../../../src/runtime/container/build-executor.js')
    const {openImageStore} = await import('../../../src/images/rootfs.js')
    const ctx = mkdtempSync(join(tmpdir(), 'isobench-user-ctx-'))
    writeFileSync(join(ctx, 'Containerfile'), 'FROM isobench/idle\nUSER 1234:5678\n')
    await buildImage(openImageStore(stateDir), {
      file: join(ctx, 'Containerfile'),
      context: ctx,
      tags: ['user-test:1'],
      buildArgs: {},
      network: 'none',
      executor: createBuildExecutor(),
    })
    rmSync(ctx, {recursive: true, force: true})
    const ids = ['/bin/sh', '-c', 'echo $(id -u):$(id -g); grep CapEff /proc/self/status']
    const asImage = await run(ids, {image: 'user-test:1'})
    expect(asImage.output).toMatch(/^1234:5678\nCapEff:\s+0+\n$/)
    expect((await run(ids, {image: 'user-test:1', user: '0'})).output).toMatch(/^0:0\n/)
    expect((await run(ids, {image: 'user-test:1', user: 'nobody'})).output).toMatch(/^65534:65534\n/) // name → passwd uid and primary gid
    expect((await run(ids, {image: 'user-test:1', user: '4321'})).output).toMatch(/^4321:0\n/) // an unlisted uid gets gid 0 (runc's rule)
    await expect(run(ids, {image: 'user-test:1', user: 'nosuchuser'})).rejects.toThrow(/unable to find user nosuchuser/)
    const {execInContainer} = await import('../../../src/runtime/container/lifecycle.js')
    const cleanup = new CleanupRegistry()
    const detached = await runContainer({
      stateDir,
      image: 'user-test:1',
      command: ['sleep', '30'],
      rm: true,
      detach: true,
      network: 'none',
      publish: [],
      mounts: [],
      env: [],
      cleanup,
    })
    const child = await execInContainer(stateDir, detached.id, ['id', '-u'])
    let out = ''
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
    await new Promise((r) => child.once('exit', r))
    expect(out.trim()).toBe('1234')
    const {stopContainer} = await import('../../../src/runtime/container/lifecycle.js')
    await stopContainer(stateDir, detached.id, 0)
    await cleanup.runAll()
  })

  it("CLI: -e NAME passes the host's value, as Docker does, and leaves it out when the host has none; -u sets the user", async () => {
    const {isobench} = await import('../../helpers/cli.js')
    const script = 'echo "[$ISOBENCH_TEST_HOST_VAR] [${ISOBENCH_TEST_UNSET_VAR-unset}] [$EXPLICIT] $(id -u)"'
    const r = await isobench(
      [
        'container',
        'run',
        '--rm',
        '--network',
        'none',
        '-e',
        'ISOBENCH_TEST_HOST_VAR',
        '-e',
        'ISOBENCH_TEST_UNSET_VAR',
        '-e',
        'EXPLICIT=x=y',
        '-u',
        '42',
        '--state-dir',
        stateDir,
        'idle',
        '--',
        'sh',
        '-c',
        script,
      ],
      {env: {ISOBENCH_TEST_HOST_VAR: 'from the host'}},
    )
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('[from the host] [unset] [x=y] 42')
  })

  it('applies memory, cpu and pids limits in cgroups under isobench/<id>, removed at exit', async () => {
    const layout = hostCgroups()
    const probe = layout.mode === 'v2' ? 'cat /proc/self/cgroup' : 'cat /proc/self/cgroup'
    const r = await run(['/bin/sh', '-c', `${probe}; sleep 0.3`], {name: 'limits-test', memory: '48m', cpus: 0.5, pids: 20, detach: false})
    expect(r.exitCode).toBe(0)
    // The cgroup namespace: the container sees itself at its cgroup root.
    for (const line of r.output
      .trim()
      .split('\n')
      .filter((l) => /memory|^0::/.test(l)))
      expect(line).toMatch(/:\/$/)
    expect(listContainerCgroups(layout).has('limits-test')).toBe(false)
  })

  it('reads the limits back from the host while it runs', async () => {
    const layout = hostCgroups()
    const cleanup = new CleanupRegistry()
    const r = await runContainer({
      stateDir,
      image: 'idle',
      command: ['sleep', '30'],
      name: 'limits-live',
      rm: false,
      detach: true,
      memory: '48m',
      cpus: 0.5,
      pids: 20,
      network: 'none',
      publish: [],
      mounts: [],
      env: [],
      cleanup,
    })
    try {
      const dirs = listContainerCgroups(layout).get(r.id) ?? []
      const read = (file: string) => {
        for (const d of dirs) if (existsSync(join(d, file))) return readFileSync(join(d, file), 'utf8').trim()
        return null
      }
      if (layout.mode === 'v2') {
        expect(read('memory.max')).toBe(String(48 * 1024 * 1024))
        expect(read('cpu.max')).toBe('50000 100000')
        expect(read('pids.max')).toBe('20')
      } else {
        expect(read('memory.limit_in_bytes')).toBe(String(48 * 1024 * 1024))
        expect(read('cpu.cfs_quota_us')).toBe('50000')
        expect(read('pids.max')).toBe('20')
        // Usage is charged as the container touches memory after it joined: poll briefly.
        let usage = 0
        for (let i = 0; i < 200 && usage === 0; i++) {
          usage = Number(read('memory.usage_in_bytes'))
          await new Promise((res) => setTimeout(res, 10))
        }
        expect(usage).toBeGreaterThan(0)
      }
    } finally {
      await pruneContainers(stateDir, {all: true})
      await cleanup.runAll()
    }
    expect(listContainerCgroups(layout).has(r.id)).toBe(false)
    expect(existsSync(join(stateDir, 'containers', r.id))).toBe(false)
  })

  it('bind mounts (ro and rw) and named volumes that outlive the container', async () => {
    const host = mkdtempSync(join(tmpdir(), 'isobench-bind-'))
    writeFileSync(join(host, 'in.txt'), 'from host\n')
    try {
      const r = await run(['/bin/sh', '-c', 'cat /in/in.txt; echo x > /in/w 2>/dev/null && echo ro=no || echo ro=yes; echo kept > /vol/f'], {
        mounts: [`type=bind,src=${host},dst=/in,ro`, 'type=volume,src=rt-test-vol,dst=/vol'],
      })
      expect(r.output).toContain('from host')
      expect(r.output).toContain('ro=yes')
      expect(existsSync(join(host, 'w'))).toBe(false)
      const again = await run(['cat', '/vol/f'], {mounts: ['type=volume,src=rt-test-vol,dst=/vol']})
      expect(again.output).toBe('kept\n')
      expect(readdirSync(join(stateDir, 'volumes'))).toContain('rt-test-vol')
    } finally {
      rmSync(host, {recursive: true, force: true})
    }
  })

  it('writes go to the per-container upper dir, never to the shared image rootfs', async () => {
    await run(['/bin/sh', '-c', 'echo x > /etc/written-by-container'])
    const rootfs = readdirSync(join(stateDir, 'rootfs')).filter((d) => /^[0-9a-f]{64}$/.test(d))
    for (const d of rootfs) expect(existsSync(join(stateDir, 'rootfs', d, 'etc', 'written-by-container'))).toBe(false)
    const r = await run(['/bin/sh', '-c', 'test -e /etc/written-by-container && echo leaked || echo clean'])
    expect(r.output).toBe('clean\n')
  })

  it('keeps the writable layer in a tmpfs of its own when asked (the arm does for workloads that do not measure their rootfs)', async () => {
    const script = [
      'echo x > /etc/in-memory && cat /etc/in-memory',
      'echo root=$(grep " / / " /proc/self/mountinfo | cut -d" " -f9)',
      'echo upper=$(grep " / / " /proc/self/mountinfo | grep -o "upperdir=[^,]*")',
      'echo entries=$(ls / | tr "\n" " ")',
    ].join('; ')
    const r = await run(['/bin/sh', '-c', script], {name: 'mem-layer', rm: false, writableLayer: 'memory'})
    expect(r.exitCode).toBe(0)
    expect(r.output).toContain('x\nroot=overlay\n')
    // The overlay's upper dir is inside the tmpfs mounted over the OCI bundle dir (the rootfs mount point) of the container dir, not a host dir…
    expect(r.output).toMatch(/upper=upperdir=\S*\/containers\/mem-layer\/oci\/upper\n/)
    // …and the state files under that dir (config.json, log) are hidden from the container.
    expect(r.output).not.toMatch(/entries=.*(config\.json|state\.json|upper|work)/)
    const dir = join(stateDir, 'containers', 'mem-layer')
    expect(readdirSync(dir).sort()).not.toContain('upper')
    expect(existsSync(join(dir, 'root'))).toBe(false)
    const again = await run(['/bin/sh', '-c', 'test -e /etc/in-memory && echo kept || echo gone'], {writableLayer: 'memory'})
    expect(again.output).toBe('gone\n')
    await pruneContainers(stateDir, {all: true})
    expect(existsSync(dir)).toBe(false)
  })
})
