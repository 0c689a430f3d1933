/**
 * Container runtime figures, all measured in the same run (root): `npm run bench:runtime`
 * (options: `-- --runs 40 --scale 100 --client-runs 20`). Every figure is printed as a ratio with
 * its target and met/MISSED, whatever the result; the load average is printed first (the machine
 * may be shared: compare ratios from quiet runs).
 *
 * 1. Start-to-exit of a `true` container, interleaved shuffled rounds, spawn-timer (C): ours is
 *    `isobench-runtime run` on the container arm's bundle (the config.json runc and crun get, plus
 *    the overlay annotations: writable layer in a tmpfs, Docker's seccomp profile, device
 *    allowlist, masks, capabilities, 6 namespaces) vs bare `unshare` with the same namespaces
 *    (chroot into the same rootfs) and runc/crun on the same bundle. Targets: ours ÷ unshare ≤ 1.25,
 *    ours ÷ crun ≤ 0.30. Security defaults' cost, same run: without seccomp, seccomp compiled at
 *    every start (no cache), without the device cgroup; and the writable layer on disk.
 * 2. create + start + delete as three separate calls, as clients make them (plain rootfs dir, the
 *    same bundle for both): ours ÷ runc ≤ 0.5 (sum of the three calls' medians).
 * 3. Through the clients: `podman run --rm true` and `ctr run --rm true` with ours vs runc,
 *    medians of 20 interleaved runs each (client wall time), as ratios.
 * 4. N idle containers of the container arm started concurrently: all ready < 1 s; PSS per idle
 *    container (every host process it has) < 0.5 MiB.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg, cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {median} from 'simple-statistics'
import {rootfsMedium, type Arm, type Instance, type WorkloadSpec} from '../../src/core/arm.js'
import {ContainerArm} from '../../src/arms/container.js'
import {ProcessArm} from '../../src/arms/process.js'
import {configSchema} from '../../src/core/config.js'
import {CleanupRegistry} from '../../src/core/cleanup.js'
import {silentLogger} from '../../src/core/log.js'
import {sampleProcesses} from '../../src/host/procfs.js'
import {resolveImage} from '../../src/runtime/container/image.js'
import {ensureRuntime} from '../../src/runtime/native/build.js'
import {ociConfig, overlayAnnotations} from '../../src/runtime/oci/bundle.js'
import {probeOciRuntime} from '../../src/runtime/oci/probe.js'
import {prepareOciRun, removeBundle} from '../../src/runtime/oci/run.js'
import {pruneContainers} from '../../src/runtime/prune.js'
import {dockerDefaultSeccomp} from '../../src/runtime/seccomp/seccomp-default.js'
import type {OciSeccomp} from '../../src/runtime/seccomp/seccomp-profile.js'
import {benchClients} from './runtime-clients.js'
import {buildSpawnTimer, fmt, interleave, printArms, printCost, printRatio, timeRun, type TimedArm} from './lib/timing.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const RUNS = Math.max(30, arg('runs', 40))
const SCALE = arg('scale', 100)
const CLIENT_RUNS = arg('client-runs', 20)
const stateDir = process.env.ISOBENCH_BENCH_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'isobench-bench-runtime-'))
const work = join(stateDir, 'bench-oci')
const cleanup = new CleanupRegistry()
cleanup.installSignalHandlers()
let n = 0

interface BundleOptions {
  lowerDirs: string[]
  argv: string[]
  /** overlay: the arm's rootfs (annotations); a plain dir otherwise (read-only, for runc too). */
  rootfs: {overlay: 'memory' | 'disk'} | {dir: string}
  seccomp?: OciSeccomp | null
  devices?: boolean
}

/** A bundle as the container arm writes it; returns its dir and id. */
function writeBundle(o: BundleOptions): {dir: string; id: string} {
  const id = `bench-${process.pid}-${n++}`
  const dir = join(work, id)
  mkdirSync(join(dir, 'rootfs'), {recursive: true})
  const rootPath = 'dir' in o.rootfs ? o.rootfs.dir : join(dir, 'rootfs')
  const seccomp = o.seccomp === undefined ? dockerDefaultSeccomp() : o.seccomp
  const config = ociConfig({rootPath, argv: o.argv, env: {}, cwd: '/', hostname: id, network: 'none', limits: {}, id, cgroups: true, seccomp}) as Record<
    string,
    any
  >
  if (o.devices === false) delete config.linux.resources.devices
  if ('dir' in o.rootfs) config.root.readonly = true
  else {
    const layer = o.rootfs.overlay === 'memory' ? ('memory' as const) : {upperDir: join(dir, 'upper'), workDir: join(dir, 'work')}
    if (layer !== 'memory') for (const d of [layer.upperDir, layer.workDir]) mkdirSync(d)
    config.annotations = overlayAnnotations(o.lowerDirs, layer)
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
  return {dir, id}
}

async function startToExit(timer: string, runtime: string, lowerDirs: string[]): Promise<void> {
  const rootfs = lowerDirs[0]!
  const [runc, crun] = await Promise.all([probeOciRuntime('runc'), probeOciRuntime('crun')])
  const root = join(work, '.root')
  const cold = join(work, '.cold-roots')
  const spawnArm = (argv: () => {argv: string[]; after: () => void}): TimedArm => ({
    sample: async () => {
      const a = argv()
      const r = await timeRun(timer, a.argv)
      a.after()
      return r
    },
  })
  const ours = (o: Partial<BundleOptions> & {rootDir?: () => string}) =>
    spawnArm(() => {
      const b = writeBundle({lowerDirs, argv: ['/bin/true'], rootfs: {overlay: rootfsMedium({})}, ...o})
      const r = o.rootDir ? o.rootDir() : root
      return {argv: [runtime, '--root', r, 'run', '--bundle', b.dir, b.id], after: () => rmSync(b.dir, {recursive: true, force: true})}
    })
  const arms: Record<string, TimedArm> = {
    // the harness's floor: spawning and reaping /bin/true (printed, not a reference)
    true: spawnArm(() => ({argv: ['/bin/true'], after: () => {}})),
    unshare: spawnArm(() => ({
      argv: ['unshare', '--pid', '--fork', '--mount', '--uts', '--ipc', '--net', '--cgroup', `--root=${rootfs}`, '/bin/true'],
      after: () => {},
    })),
    ours: ours({}),
    'ours/disk': ours({rootfs: {overlay: 'disk'}}),
    'ours/unconfined': ours({seccomp: null}),
    // a fresh --root each time: no compiled filter to reuse
    'ours/seccomp-compile': ours({rootDir: () => join(cold, String(n))}),
    'ours/no-devices': ours({devices: false}),
  }
  for (const probe of [runc, crun]) {
    if (!probe.works) {
      console.log(`${probe.name}: not measured: ${probe.reason}`)
      continue
    }
    // prepareOciRun writes the same config.json (ociConfig) and the wrapper mounts the same overlay
    arms[probe.name] = {
      sample: async () => {
        const id = `bench-${probe.name}-${process.pid}-${n++}`
        const {argv} = await prepareOciRun({
          stateDir,
          runtime: probe,
          id,
          lowerDirs,
          argv: ['/bin/true'],
          env: {},
          network: 'none',
          writableLayer: rootfsMedium({}),
          limits: {},
        })
        const r = await timeRun(timer, argv)
        removeBundle(stateDir, id)
        return r
      },
    }
  }
  const r = await interleave(arms, RUNS)
  rmSync(cold, {recursive: true, force: true})
  console.log(`\n1. Start-to-exit of a \`true\` container (${RUNS} interleaved rounds; spawn-timer: posix_spawn → waitpid, monotonic clock)`)
  printArms(r)
  console.log('Ratios (medians, same run):')
  printRatio('ours (isobench-runtime run) ÷ unshare', r.med.ours, r.med.unshare, 1.25)
  printRatio('ours ÷ crun', r.med.ours, r.med.crun, 0.3)
  printRatio('ours ÷ runc', r.med.ours, r.med.runc)
  printRatio('ours with the writable layer on disk ÷ unshare', r.med['ours/disk'], r.med.unshare)
  console.log('What the security defaults cost (same run):')
  printCost(r, "seccomp, Docker's profile (compiled once per runtime root, then read back)", 'ours', 'ours/unconfined')
  printCost(r, 'seccomp compiled by libseccomp at this start (fresh --root)', 'ours/seccomp-compile', 'ours/unconfined')
  printCost(r, 'device cgroup', 'ours', 'ours/no-devices')
}

/** create, start, delete as three calls; the sum of the three medians per runtime. */
async function lifecycle(timer: string, runtime: string, lowerDirs: string[]): Promise<void> {
  const runc = await probeOciRuntime('runc')
  const rt: Record<string, string> = {ours: runtime}
  if (runc.works && runc.path) rt.runc = runc.path
  const calls: Record<string, number[]> = {}
  const failures: string[] = []
  for (let round = 0; round <= RUNS; round++) {
    for (const name of Object.keys(rt)) {
      const root = join(work, `.lifecycle-${name}`)
      const b = writeBundle({lowerDirs, argv: ['/bin/true'], rootfs: {dir: lowerDirs[0]!}})
      const step = async (label: string, args: string[]) => {
        // -n: create's init keeps the runtime's stdio open until it exits (a pipe to us would never close)
        const r = await timeRun(timer, ['-n', rt[name]!, '--root', root, ...args])
        if (r.ms === null) failures.push(`${name} ${label}: ${r.error}`)
        else if (round > 0) (calls[`${name} ${label}`] ??= []).push(r.ms) // round 0 warms up
        return r.ms !== null
      }
      const created = await step('create', ['create', '--bundle', b.dir, b.id])
      if (created && (await step('start', ['start', b.id]))) {
        // `true` exits at once; delete needs it stopped (reaped or a zombie)
        for (let i = 0; i < 200; i++) {
          const s = await timeRun(timer, ['-n', 'sh', '-c', `${rt[name]} --root ${root} state ${b.id} | grep -q '"status": "stopped"'`])
          if (s.ms !== null) break
        }
        await step('delete', ['delete', b.id])
      } else if (created) {
        await timeRun(timer, ['-n', rt[name]!, '--root', root, 'delete', '--force', b.id]) // never leave a created container behind
      }
      rmSync(b.dir, {recursive: true, force: true})
    }
  }
  console.log(`\n2. create + start + delete as separate calls (${RUNS} rounds, plain rootfs dir, same bundle; spawn-timer per call)`)
  const sums: Record<string, number> = {}
  for (const name of Object.keys(rt)) {
    const parts = ['create', 'start', 'delete'].map((c) => calls[`${name} ${c}`])
    if (parts.some((p) => !p?.length)) {
      console.log(`  ${name}: not measured (${failures.find((f) => f.startsWith(name)) ?? 'no samples'})`)
      continue
    }
    sums[name] = parts.reduce((s, p) => s + median(p!), 0)
    console.log(
      `  ${name.padEnd(5)} create ${fmt(median(parts[0]!))}  start ${fmt(median(parts[1]!))}  delete ${fmt(median(parts[2]!))}  sum ${fmt(sums[name]!)}`,
    )
  }
  if (failures.length) console.log(`  ${failures.length} calls failed, first: ${failures[0]}`)
  printRatio('ours ÷ runc (sum of the three)', sums.ours, sums.runc, 0.5)
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
  console.log(`\n4. ${SCALE} idle containers (init + sleep) started concurrently by the container arm`)
  console.log(
    `  all ready after ${ours.allReadyMs.toFixed(0)} ms (${ours.failed} failed); ÷ 1000 ms = ${(ours.allReadyMs / 1000).toFixed(3)}   target < 1: ${ours.failed === 0 && ours.allReadyMs < 1000 ? 'met' : 'MISSED'}`,
  )
  console.log(`  same with the process arm (no isolation): ${bare.allReadyMs.toFixed(0)} ms (${bare.failed} failed)`)
  const pssRatio = ours.pssPer / (0.5 * 1024 * 1024)
  console.log(
    `  PSS per idle container, all its host processes (${ours.procsPer.toFixed(1)} per container): ${mib(ours.pssPer)}; ÷ 0.5 MiB = ${pssRatio.toFixed(3)}   target < 1: ${pssRatio < 1 ? 'met' : 'MISSED'}`,
  )
  console.log(`  PSS per bare process instance (init + sleep): ${mib(bare.pssPer)}; added by the container: ${mib(ours.pssPer - bare.pssPer)}`)
  console.log(`  cgroup memory usage per container (kernel-side charge incl. page cache): ${mib(ours.cgroupPer)}; RSS per container: ${mib(ours.rssPer)}`)
}

try {
  console.log(
    `bench:runtime: state dir ${stateDir}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs`,
  )
  mkdirSync(work, {recursive: true})
  const [timer, runtime, image] = await Promise.all([buildSpawnTimer(), ensureRuntime(), resolveImage(stateDir, 'idle')])
  await startToExit(timer, runtime, image.lowerDirs)
  await lifecycle(timer, runtime, image.lowerDirs)
  if (CLIENT_RUNS > 0) await benchClients({stateDir, work, runtime, runs: CLIENT_RUNS})
  if (SCALE > 0) await scaleOut()
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
} finally {
  await cleanup.runAll()
  await pruneContainers(stateDir, {all: true})
  rmSync(work, {recursive: true, force: true})
  if (!process.env.ISOBENCH_BENCH_STATE_DIR) rmSync(stateDir, {recursive: true, force: true})
  cleanup.removeSignalHandlers()
}
