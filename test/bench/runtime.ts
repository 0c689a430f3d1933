/**
 * Container runtime figures, all measured in the same run (root): `npm run bench:runtime`
 * (options: `-- --runs 40 --scale 100`).
 *
 * 1. Start-to-exit of a `true` container, interleaved in shuffled rounds, median of ≥ 30 runs each:
 *    ours (isobench-nsexec, exactly the arm's command line: overlay rootfs, cgroups, 6 namespaces,
 *    /proc, /sys, /dev, masks, caps, device cgroup, Docker's seccomp filter from its compiled cache)
 *    vs bare `unshare` with the same namespaces (chroot into the same
 *    rootfs, no overlay, no mounts) vs runc and crun on the same image (OCI bundle, overlay rootfs via
 *    the helper's wrap, as the runc/crun arms run them). Targets: ours/unshare ≤ 1.5, ours/runc ≤ 0.1,
 *    ours/crun ≤ 0.33. Each sample is timed by spawn-timer (posix_spawn → waitpid, in C), not by node:
 *    node's own spawn cost (≈ 4 ms here) would be added to every arm and flatten the ratios. A bare
 *    /bin/true is timed too, as the harness's floor. What the security defaults cost, same run: ours
 *    without seccomp (unconfined), with the filter compiled at every start instead of cached, without
 *    the device cgroup, and with the device allowlist as a cgroup2 BPF program instead of v1 files
 *    (where the host has both); plus the helper's own compile time of Docker's profile.
 * 2. N idle containers of the container arm started concurrently: time until all are ready (< 2 s),
 *    and host memory per idle container: PSS of all its processes (< 2 MiB), next to the process arm.
 * Every figure is printed, met or not.
 */
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {median, shuffle} from 'simple-statistics'
import {rootfsMedium, type Arm, type Instance, type WorkloadSpec} from '../../src/core/arm.js'
import {ContainerArm} from '../../src/arms/container.js'
import {ProcessArm} from '../../src/arms/process.js'
import {configSchema} from '../../src/core/config.js'
import {CleanupRegistry} from '../../src/core/cleanup.js'
import {silentLogger} from '../../src/core/log.js'
import {sampleProcesses} from '../../src/host/procfs.js'
import {planFor} from '../../src/runtime/container/lifecycle.js'
import {cgroupPlan, hostCgroups} from '../../src/runtime/cgroups/cgroups.js'
import {DEVICE_CGROUP_ENV, deviceCgroupMode} from '../../src/runtime/cgroups/devices.js'
import {compiledSeccomp, defaultSeccompChoice, seccompCacheDir, type SeccompFilter} from '../../src/runtime/seccomp/seccomp.js'
import {resolveImage} from '../../src/runtime/container/image.js'
import {execa} from 'execa'
import {compileC, ensureNsexec, PACKAGE_ROOT} from '../../src/runtime/native/build.js'
import {containerPaths, nsexecArgs} from '../../src/runtime/container/nsexec-args.js'
import {probeOciRuntime} from '../../src/runtime/oci/probe.js'
import {prepareOciRun, removeBundle} from '../../src/runtime/oci/run.js'
import {pruneContainers} from '../../src/runtime/prune.js'
import {containerDir, type ContainerConfig, type WritableLayer} from '../../src/runtime/container/state.js'
import {overlaySupported} from '../../src/host/filesystems.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const RUNS = Math.max(30, arg('runs', 40))
const SCALE = arg('scale', 100)
const stateDir = process.env.ISOBENCH_BENCH_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'isobench-bench-runtime-'))
const cleanup = new CleanupRegistry()
cleanup.installSignalHandlers()

/** The timer every start-to-exit sample goes through (test/bench/native/spawn-timer.c), built on first use. */
async function buildSpawnTimer(): Promise<string> {
  const source = join(PACKAGE_ROOT, 'test', 'bench', 'native', 'spawn-timer.c')
  const binary = join(PACKAGE_ROOT, 'build', 'native', 'spawn-timer')
  mkdirSync(dirname(binary), {recursive: true})
  const r = await compileC(source, binary)
  if (r.exitCode !== 0) throw new Error(`building ${source} failed:\n${r.all ?? r.message}`)
  return binary
}

/** Time argv from spawn to exit with the timer (no node spawn cost in the figure); null + error when it fails. */
function timeRun(timer: string, argv: string[]): Promise<{ms: number | null; error?: string}> {
  return new Promise((resolve) => {
    const child = spawn(timer, argv, {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()))
    child.once('error', (e) => resolve({ms: null, error: e.message}))
    child.once('close', (code) => {
      // The timed command's own stdout goes to the same pipe: the timer's line is the last one.
      const [ns, status] = out.trim().split('\n').slice(-1)[0]!.split(' ').map(Number)
      if (code !== 0 || ns === undefined || Number.isNaN(ns)) return resolve({ms: null, error: `timer failed: ${err.trim()}`})
      resolve(status === 0 ? {ms: ns / 1e6} : {ms: null, error: `exit ${status}: ${err.trim().split('\n').slice(-1)[0]}`})
    })
  })
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`

async function startToExit(): Promise<void> {
  const image = await resolveImage(stateDir, 'idle')
  const rootfs = image.lowerDirs[0]!
  const helper = await ensureNsexec()
  const [runc, crun] = await Promise.all([probeOciRuntime('runc'), probeOciRuntime('crun')])
  const timer = await buildSpawnTimer()
  let n = 0
  // Each arm: prepare (untimed) → argv (timed) → after (untimed).
  const arms: Record<string, {prepare: () => Promise<{argv: string[]; after: () => void}>}> = {
    // The harness's floor: spawning and reaping a bare /bin/true (printed, not a reference).
    true: {prepare: async () => ({argv: ['/bin/true'], after: () => {}})},
    unshare: {
      prepare: async () => ({
        argv: ['unshare', '--pid', '--fork', '--mount', '--uts', '--ipc', '--net', '--cgroup', `--root=${rootfs}`, '/bin/true'],
        after: () => {},
      }),
    },
  }
  // Ours exactly as the container arm runs an idle workload (writable layer in memory: rootfsMedium,
  // Docker's seccomp filter from the compiled cache, the device allowlist where the host has the
  // devices controller), and variants that each leave out or change one thing.
  const seccomp = (await compiledSeccomp(defaultSeccompChoice()))!
  const layout = hostCgroups()
  type Variant = {layer?: WritableLayer; seccomp?: SeccompFilter | null | 'json'; devices?: 'v1' | 'v2' | null}
  const ourRuntime = (v: Variant) => async () => {
    const id = `bench-${process.pid}-${n++}`
    const config: ContainerConfig = {
      id,
      image: 'idle',
      lowerDirs: image.lowerDirs,
      rootfsMode: overlaySupported() ? 'overlay' : 'copy',
      writableLayer: v.layer ?? rootfsMedium({}),
      argv: ['/bin/true'],
      env: {},
      cwd: '/',
      hostname: id,
      network: 'none',
      limits: {},
      mounts: [],
      ports: [],
      autoRemove: true,
      createdAt: '',
    }
    const plan = v.devices === undefined ? planFor(config) : cgroupPlan(layout, id, {}, v.devices)
    const filter = v.seccomp === undefined ? seccomp : v.seccomp === 'json' ? null : v.seccomp
    const args = nsexecArgs(config, containerPaths(containerDir(stateDir, id)), plan, {
      bindSources: [],
      tiedToParent: true,
      removeDir: true,
      stateFiles: false,
      seccomp: filter,
    })
    // Compiling at every start: the helper reads the OCI JSON and runs libseccomp before the clone.
    if (v.seccomp === 'json') args.splice(args.indexOf('--'), 0, '--seccomp-json', join(seccompCacheDir(), `${seccomp.digest}.json`))
    return {argv: [helper, ...args], after: () => rmSync(containerDir(stateDir, id), {recursive: true, force: true})}
  }
  arms.ours = {prepare: ourRuntime({})}
  arms['ours/disk'] = {prepare: ourRuntime({layer: 'disk'})}
  arms['ours/unconfined'] = {prepare: ourRuntime({seccomp: null})}
  arms['ours/seccomp-json'] = {prepare: ourRuntime({seccomp: 'json'})}
  arms['ours/no-devices'] = {prepare: ourRuntime({devices: null})}
  const defaultDevices = deviceCgroupMode(layout, process.env[DEVICE_CGROUP_ENV])
  if (defaultDevices === 'v1' && layout.v2Mount) arms['ours/devices-v2'] = {prepare: ourRuntime({devices: 'v2'})}
  for (const probe of [runc, crun]) {
    if (!probe.works) {
      console.log(`${probe.name}: not measured: ${probe.reason}`)
      continue
    }
    arms[probe.name] = {
      prepare: async () => {
        const id = `bench-${probe.name}-${process.pid}-${n++}`
        const {argv} = await prepareOciRun({
          stateDir,
          runtime: probe,
          id,
          lowerDirs: image.lowerDirs,
          argv: ['/bin/true'],
          env: {},
          network: 'none',
          writableLayer: rootfsMedium({}),
          limits: {},
        })
        return {argv, after: () => removeBundle(stateDir, id)}
      },
    }
  }
  const names = Object.keys(arms)
  const samples: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]))
  const failures: Record<string, string[]> = Object.fromEntries(names.map((k) => [k, []]))
  // Warm-up round (page cache, helper binary, cgroup parents), not recorded.
  for (const name of names) {
    const {argv, after} = await arms[name]!.prepare()
    const r = await timeRun(timer, argv)
    after()
    if (r.ms === null) console.log(`warm-up ${name} failed: ${r.error}`)
  }
  const rounds: Array<Record<string, number>> = []
  for (let round = 0; round < RUNS; round++) {
    const inRound: Record<string, number> = {}
    for (const name of shuffle(names)) {
      const {argv, after} = await arms[name]!.prepare()
      const r = await timeRun(timer, argv)
      after()
      if (r.ms === null) failures[name]!.push(r.error ?? 'failed')
      else samples[name]!.push((inRound[name] = r.ms))
    }
    rounds.push(inRound)
  }
  console.log(
    `\nStart-to-exit of a \`true\` container (${RUNS} interleaved rounds, shuffled order per round; spawn-timer: posix_spawn → waitpid on the host's monotonic clock)`,
  )
  const med: Record<string, number> = {}
  for (const name of names) {
    const v = samples[name]!
    if (v.length === 0) {
      console.log(`  ${name.padEnd(17)} no successful run: ${failures[name]![0]}`)
      continue
    }
    med[name] = median(v)
    const fails = failures[name]!.length ? `, ${failures[name]!.length} failed: ${failures[name]![0]}` : ''
    console.log(`  ${name.padEnd(17)} median ${fmt(med[name]!).padStart(10)}  min ${fmt(Math.min(...v))}  max ${fmt(Math.max(...v))}  (n=${v.length}${fails})`)
  }
  const ratio = (ref: string, target: number) => {
    if (med.ours === undefined || med[ref] === undefined) return console.log(`  ours ÷ ${ref}: not measured`)
    const r = med.ours / med[ref]!
    console.log(`  ours ÷ ${ref.padEnd(7)} = ${r.toFixed(3)}   target ≤ ${target}: ${r <= target ? 'met' : 'MISSED'}`)
  }
  console.log('Ratios (medians, same run):')
  ratio('unshare', 1.5)
  ratio('runc', 0.1)
  ratio('crun', 0.33)
  if (med['ours/disk'] !== undefined && med.unshare !== undefined)
    console.log(
      `  (ours with the writable layer on disk ÷ unshare = ${(med['ours/disk']! / med.unshare).toFixed(3)}; the targets are for the arm's default, in memory)`,
    )
  // Ratio of medians, and the median of the per-round differences (both arms in the same round:
  // less sensitive to the load drifting between rounds on a shared machine).
  const cost = (label: string, a: string, b: string) => {
    if (med[a] === undefined || med[b] === undefined) return console.log(`  ${label}: not measured`)
    const paired = rounds.filter((r) => r[a] !== undefined && r[b] !== undefined).map((r) => r[a]! - r[b]!)
    const d = median(paired)
    console.log(
      `  ${label}: ${a} ÷ ${b} = ${(med[a]! / med[b]!).toFixed(3)}; per-round difference median ${d >= 0 ? '+' : ''}${d.toFixed(2)} ms (n=${paired.length})`,
    )
  }
  console.log('What the security defaults cost (same run):')
  cost("seccomp, Docker's profile from the compiled cache", 'ours', 'ours/unconfined')
  cost('seccomp compiled by libseccomp at every start instead', 'ours/seccomp-json', 'ours/unconfined')
  cost(`device cgroup (${defaultDevices ?? 'none'})`, 'ours', 'ours/no-devices')
  cost('device allowlist as a cgroup2 BPF program instead of v1 files', 'ours/devices-v2', 'ours')
  // The helper's own timer around libseccomp's compile of the same profile (what the cache saves).
  const compileUs: number[] = []
  for (let i = 0; i < 9; i++) {
    const out = join(stateDir, 'seccomp-bench.bpf')
    const r = await execa(helper, ['seccomp-compile', join(seccompCacheDir(), `${seccomp.digest}.json`), out])
    compileUs.push((JSON.parse(r.stdout) as {compileUs: number}).compileUs)
  }
  console.log(`  libseccomp compile of Docker's profile inside the helper (seccomp-compile's own timer, median of 9): ${fmt(median(compileUs) / 1000)}`)
}

async function scaleOut(): Promise<void> {
  const ctx = {config: configSchema.parse({stateDir}), cleanup, log: silentLogger, runId: 'bench-runtime'}
  const workload: WorkloadSpec = {name: 'idle', argv: ['sleep', '3600'], ready: {kind: 'marker'}}
  const measure = async (arm: Arm, label: string) => {
    await arm.prepare([workload])
    const specs = Array.from({length: SCALE}, (_, i) => ({id: `bench-${label}-${i}`, workload, limits: {}, network: 'none' as const, readyTimeoutMs: 30_000}))
    const t0 = performance.now()
    const instances: Instance[] = await Promise.all(specs.map((s) => arm.start(s)))
    const ready = await Promise.allSettled(instances.map((i) => arm.waitReady(i)))
    const allReadyMs = Math.max(...ready.map((r) => (r.status === 'fulfilled' ? r.value.readyAt : Number.NaN))) - t0
    const failed = ready.filter((r) => r.status === 'rejected').length
    await new Promise((r) => setTimeout(r, 500)) // let the shells settle before reading memory
    const pids = instances.flatMap((i) => i.pids())
    const mem = sampleProcesses(pids)
    const samples = await Promise.all(instances.map((i) => arm.sample(i)))
    const cgroupTotal = samples.reduce((a, s) => a + (s.cgroupMemoryBytes ?? 0), 0)
    await Promise.all(instances.map((i) => arm.stop(i)))
    return {allReadyMs, failed, pssPer: mem.pssBytes! / SCALE, rssPer: mem.rssBytes! / SCALE, procsPer: pids.length / SCALE, cgroupPer: cgroupTotal / SCALE}
  }
  const ours = await measure(new ContainerArm(ctx), 'container')
  const bare = await measure(new ProcessArm(ctx), 'process')
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MiB`
  console.log(`\n${SCALE} idle containers (init + sleep) started concurrently by the container arm`)
  console.log(
    `  all ready after ${ours.allReadyMs.toFixed(0)} ms (${ours.failed} failed)   target < 2000 ms: ${ours.failed === 0 && ours.allReadyMs < 2000 ? 'met' : 'MISSED'}`,
  )
  console.log(`  same with the process arm (no isolation): ${bare.allReadyMs.toFixed(0)} ms (${bare.failed} failed)`)
  console.log(
    `  PSS per idle container, all its host processes (shim + init + sleep, ${ours.procsPer.toFixed(1)} per container): ${mib(ours.pssPer)}   target < 2 MiB: ${ours.pssPer < 2 * 1024 * 1024 ? 'met' : 'MISSED'}`,
  )
  console.log(`  PSS per bare process instance (init + sleep): ${mib(bare.pssPer)}; added by the container: ${mib(ours.pssPer - bare.pssPer)}`)
  console.log(`  cgroup memory usage per container (kernel-side charge incl. page cache): ${mib(ours.cgroupPer)}; RSS per container: ${mib(ours.rssPer)}`)
}

try {
  console.log(
    `bench:runtime: state dir ${stateDir}; load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${(await import('node:os')).cpus().length} CPUs`,
  )
  await startToExit()
  if (SCALE > 0) await scaleOut()
} finally {
  await cleanup.runAll()
  await pruneContainers(stateDir, {all: true})
  if (!process.env.ISOBENCH_BENCH_STATE_DIR) rmSync(stateDir, {recursive: true, force: true})
  cleanup.removeSignalHandlers()
}
