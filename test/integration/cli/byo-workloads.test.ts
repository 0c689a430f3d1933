/**
 * Bring your own workload, end to end through the CLI on real arms: workload files outside scenarios/
 * that build their images with `image build` semantics, run in every arm with the injected init, and
 * give figures read from their own output.
 *   (a) a Debian minbase image (FROM debian:bookworm: debootstrap once per machine, then a cached
 *       archive, test/helpers/debian.ts), a regex figure and exit-time, in process, container, runc,
 *       crun and qemu (TCG here: labelled). Over 128 MiB, so the VM boots it from an ext4 disk;
 *   (b) FROM scratch with one static binary and no shell, its Entrypoint/Cmd/USER/WORKDIR applied, in
 *       container, runc, crun and qemu; the process arm skips it (its binary is the image's own);
 *   (c) a user's HTTP service with http readiness (GET /health → 200) and a wrk load from the host.
 */
import {copyFileSync, cpSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Results, Sample} from '../../../src/core/results.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {isobench, ROOT, tempDir} from '../../helpers/cli.js'
import {ensureDebianBase} from '../../helpers/debian.js'

const isRoot = process.getuid?.() === 0
const base = tempDir('isobench-byo-')
const stateDir = join(base, 'state')
const fixtures = join(ROOT, 'test', 'fixtures', 'byo')

afterAll(async () => {
  await pruneContainers(stateDir, {all: true}).catch(() => {})
  rmSync(base, {recursive: true, force: true})
})

/** Run a scenario text (in the temp dir, next to the copied workload folders) and return its results. */
async function run(name: string, scenario: string, args: string[]): Promise<Results> {
  const file = join(base, `${name}.yaml`)
  writeFileSync(file, scenario)
  const r = await isobench(['run', file, '--state-dir', stateDir, '--out', join(base, 'reports'), '--warmup', '0', '--json', ...args], {cwd: base})
  expect(r.exitCode, r.all?.slice(-4000)).toBe(0)
  const {resultsFile} = JSON.parse(r.stdout) as {resultsFile: string}
  return JSON.parse(readFileSync(resultsFile, 'utf8')) as Results
}

const ok = (results: Results, figure: string) => results.samples.filter((s: Sample) => s.figure === figure && s.ok && !s.warmup)
const armsWith = (samples: Sample[]) => [...new Set(samples.map((s) => s.arm))].sort()

describe.skipIf(!isRoot)('bring your own workload (real arms)', () => {
  beforeAll(async () => {
    for (const d of ['debian', 'scratch', 'web']) cpSync(join(fixtures, d), join(base, d), {recursive: true})
    await execa('cc', ['-static', '-O2', '-o', join(base, 'scratch', 'spin'), join(base, 'scratch', 'spin.c')])
    copyFileSync('/bin/busybox', join(base, 'web', 'busybox'))
    await ensureDebianBase(stateDir)
  }, 600_000)

  it('(a) Debian minbase image: a regex figure and exit-time in process, container, runc, crun and qemu (TCG labelled)', async () => {
    const results = await run(
      'debian',
      'name: debian\nmetrics:\n  - metric: cpu\n    workload: ./debian/workload.yaml\n    params: {settleMs: 0, windowMs: 50}\n',
      ['--arms', 'process,container,runc,crun,qemu', '--reps', '1'],
    )
    const rates = ok(results, 'sha256_mb_s')
    expect(armsWith(rates), JSON.stringify(results.samples.filter((s) => !s.ok).map((s) => [s.arm, s.figure, s.error?.message]))).toEqual(
      ['container', 'crun', 'process', 'qemu', 'runc'].sort(),
    )
    for (const s of rates) expect(s.value).toBeGreaterThan(0)
    expect(armsWith(ok(results, 'runtime_ms'))).toEqual(armsWith(rates))
    const w = results.workloads!.find((x) => x.name === 'debian-sha256')!
    expect(w.origin).toEqual({kind: 'file', label: 'debian/workload.yaml'})
    expect(w.image.source).toMatch(/^containerfile .*debian\/Containerfile$/)
    expect(w.ready).toBe('marker')
    // The same rootfs in every arm that runs the image; the VM boots it from a disk (over 128 MiB) and is labelled TCG.
    const parity = results.parity!.find((p) => p.workload === 'debian-sha256')!
    expect(Object.keys(parity.rootfsDigest!).sort()).toEqual(['container', 'crun', 'qemu', 'runc'])
    expect(new Set(Object.values(parity.rootfsDigest!))).toEqual(new Set([w.image.rootfsDigest]))
    expect(parity.injected!.map((i) => i.path)).toContain('/isobench/init')
    const qemu = results.arms.find((a) => a.name === 'qemu')!
    expect(qemu.notes!.some((n) => n.includes(w.image.rootfsDigest) && n.endsWith('as ext4'))).toBe(true)
    if (qemu.accel === 'tcg') expect(results.warnings.some((x) => x.code === 'tcg')).toBe(true)
  })

  it('(b) FROM scratch, one static binary, no shell: its Entrypoint, Cmd, USER and WORKDIR in container, runc, crun and qemu', async () => {
    const results = await run(
      'scratch',
      'name: scratch\nmetrics:\n  - metric: cpu\n    workload: ./scratch/workload.yaml\n    params: {settleMs: 0, windowMs: 50}\n',
      ['--arms', 'process,container,runc,crun,qemu', '--reps', '1'],
    )
    const rates = ok(results, 'rounds_per_s')
    expect(armsWith(rates), JSON.stringify(results.samples.filter((s) => !s.ok).map((s) => [s.arm, s.figure, s.error?.message]))).toEqual(
      ['container', 'crun', 'qemu', 'runc'].sort(),
    )
    // USER 65534 from the image, applied by the injected init in every arm (the VM included).
    expect(ok(results, 'uid').map((s) => s.value)).toEqual([65534, 65534, 65534, 65534])
    const w = results.workloads!.find((x) => x.name === 'scratch-spin')!
    expect(w.argv).toEqual(['/spin', '20000000'])
    // The process arm cannot run a binary only the image has: it leaves the cell and says why.
    expect(results.warnings.find((x) => x.code === 'arm-not-applicable' && x.arm === 'process')?.message).toMatch(/\/spin is the image's own/)
  })

  it('(c) a user HTTP service: ready by its http rule (after the init marker), driven by wrk from the host', async () => {
    const results = await run(
      'web',
      'name: web\nmetrics:\n  - metric: startup\n    workload: ./web/workload.yaml\n  - metric: cpu\n    workload: ./web/workload.yaml\n',
      ['--arms', 'process,container,qemu', '--reps', '2'],
    )
    const startups = ok(results, 'ready')
    expect(armsWith(startups)).toEqual(['container', 'qemu'])
    for (const s of startups) {
      // Startup of a service is the first successful probe, which comes after the init's marker.
      expect(s.phases!.init).toBeGreaterThan(0)
      expect(s.phases!.ready).toBeGreaterThan(s.phases!.init!)
      expect(s.value).toBeCloseTo(s.phases!.ready!, 6)
    }
    expect(armsWith(ok(results, 'req_per_s'))).toEqual(['container', 'qemu'])
    const w = results.workloads!.find((x) => x.name === 'web')!
    expect(w.ready).toBe('http GET :8080/health → 200')
    expect(w.readyKind).toBe('http')
    expect(w.load).toMatch(/^wrk -t1 -c4 -d2s --latency http:\/\/\{host\}:\{port\}\/$/)
  })
})
