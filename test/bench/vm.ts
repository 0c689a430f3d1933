/**
 * VM arm figures, all measured in the same run (root): `npm run bench:vm`
 * (options: `-- --runs 20 --n 8 --memory 256 --tb-size 64`; the TCG translation cache defaults to the
 * arm's, config vm.tbSizeMiB).
 *
 * 1. Boot-to-ready of the idle image: our qemu arm (spawn → `ISOBENCH ready` on the serial console,
 *    host monotonic clock; microvm where the kernel allows, the arm's accelerator) against the
 *    reference the issue names, measured here in interleaved shuffled rounds: plain
 *    `qemu-system-x86_64 -M pc` + the same cloud kernel + a busybox initramfs whose /init prints a
 *    line (spawn → that line). Target: ours ÷ reference ≤ 0.65 (and ≤ 2.5 s median under TCG).
 * 2. Host memory of one idle VM: PSS of the qemu process next to guest RAM, split into the guest-RAM
 *    mapping (what the guest touched) and everything else (qemu's own overhead). Target: overhead
 *    ≤ 30 MiB.
 * 3. N idle VMs started concurrently: all ready, time until the last is ready; and qemu's PSS per VM
 *    with N running (shared pages — the mapped vmlinux, qemu's binary — split N ways), split the same way.
 * Every figure is printed, met or not; figures under TCG say so.
 */
import {spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {median, quantileSorted, shuffle} from 'simple-statistics'
import type {Instance, InstanceSpec, WorkloadSpec} from '../../src/core/arm.js'
import {QemuArm} from '../../src/arms/qemu.js'
import {configSchema} from '../../src/core/config.js'
import {CleanupRegistry} from '../../src/core/cleanup.js'
import {silentLogger} from '../../src/core/log.js'
import {sampleProcesses} from '../../src/host/procfs.js'
import {ensureGuestKernel} from '../../src/vm/guest.js'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
// Boots under TCG on these machines vary by ±20% from one to the next: 20 rounds keep the medians steady.
const RUNS = arg('runs', 20)
const N = arg('n', 8)
const MEMORY_MIB = arg('memory', 256)
const QEMU = '/usr/bin/qemu-system-x86_64'
const MiB = 1024 * 1024

const TB_SIZE = process.argv.includes('--tb-size') ? {tbSizeMiB: arg('tb-size', 64)} : {}
const config = configSchema.parse({vm: {accel: 'auto', ...TB_SIZE}, ...(process.env.ISOBENCH_STATE_DIR ? {stateDir: process.env.ISOBENCH_STATE_DIR} : {})})
const cleanup = new CleanupRegistry()
cleanup.installSignalHandlers()
const arm = new QemuArm({config, cleanup, log: silentLogger, runId: 'benchvm'})
const idle: WorkloadSpec = {name: 'idle', argv: ['sleep', '3600'], ready: {kind: 'marker'}, image: 'idle'}
let seq = 0
const spec = (): InstanceSpec => ({
  id: `benchvm-${process.pid}-${seq++}`,
  workload: idle,
  limits: {cpus: 1, memoryMiB: MEMORY_MIB},
  network: 'none',
  readyTimeoutMs: 120_000,
})
const work = mkdtempSync(join(tmpdir(), 'isobench-bench-vm-'))
cleanup.add(`temp dir ${work}`, () => rmSync(work, {recursive: true, force: true}))

/** The reference guest: busybox initramfs whose /init prints a line and powers off. */
async function referenceInitramfs(): Promise<string> {
  const root = join(work, 'ref-root')
  mkdirSync(join(root, 'bin'), {recursive: true})
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'))
  writeFileSync(join(root, 'init'), '#!/bin/busybox sh\n/bin/busybox echo REFERENCE-READY\n/bin/busybox poweroff -f\n', {mode: 0o755})
  const out = join(work, 'ref.cpio.gz')
  await execa('sh', ['-c', `cd "${root}" && find . | cpio -o -H newc --quiet | gzip -1 > "${out}"`])
  return out
}

/** Spawn qemu and time it to the first line containing `marker` on its console; then kill it. */
function timeToLine(argv: string[], marker: string, timeoutMs = 120_000): Promise<{ms: number | null; error?: string}> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    const finish = (r: {ms: number | null; error?: string}) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      resolve(r)
    }
    const timer = setTimeout(() => finish({ms: null, error: `no "${marker}" within ${timeoutMs} ms`}), timeoutMs)
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString('latin1')
      if (out.includes(marker)) finish({ms: performance.now() - t0})
    })
    child.once('exit', (code) => finish({ms: null, error: `qemu exited (${code}) before "${marker}": ${out.slice(-300)}`}))
  })
}

async function ours(): Promise<{ms: number | null; error?: string}> {
  let instance: Instance | undefined
  try {
    instance = await arm.start(spec())
    const ready = await arm.waitReady(instance)
    return {ms: ready.readyAt - instance.startedAt}
  } catch (error) {
    return {ms: null, error: (error as Error).message}
  } finally {
    if (instance) await arm.stop(instance).catch(() => {})
  }
}

/** Pss of the guest-RAM mapping (the anonymous mapping of exactly guest RAM) and of everything else, from smaps. */
function splitPss(pid: number, guestBytes: number): {guestPss: number; totalPss: number} | null {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8')
  } catch {
    return null
  }
  let total = 0
  let guest = 0
  let size = 0
  for (const line of text.split('\n')) {
    const m = /^(Size|Pss):\s+(\d+) kB/.exec(line)
    if (!m) continue
    const bytes = Number(m[2]) * 1024
    if (m[1] === 'Size') size = bytes
    else {
      total += bytes
      if (size === guestBytes) guest += bytes
    }
  }
  return {guestPss: guest, totalPss: total}
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:vm needs root (as the VM arm does)')
  await arm.prepare([idle])
  const info = arm.info()
  const accel = info.accel
  const tag = accel === 'tcg' ? ' [TCG: software emulation, not KVM]' : ''
  const kernel = await ensureGuestKernel(config.stateDir, config.vm.kernel)
  const initrd = await referenceInitramfs()
  const reference = [
    QEMU,
    '-M',
    'pc',
    '-accel',
    accel === 'kvm' ? 'kvm' : 'tcg',
    '-m',
    String(MEMORY_MIB),
    '-smp',
    '1',
    '-nographic',
    '-no-reboot',
    '-nodefaults',
    '-serial',
    'stdio',
    '-kernel',
    kernel.vmlinuz,
    '-initrd',
    initrd,
    '-append',
    'console=ttyS0 rdinit=/init panic=-1 loglevel=6',
  ]
  console.log(
    `qemu arm: accel ${accel}${tag}; ${(info.notes ?? []).filter((n) => n.startsWith('machine') || n.startsWith('TCG translation')).join('; ')}; kernel ${kernel.version}; guest RAM ${MEMORY_MIB} MiB`,
  )

  // 1. Boot-to-ready, interleaved.
  const runs: Record<string, () => Promise<{ms: number | null; error?: string}>> = {ours, reference: () => timeToLine(reference, 'REFERENCE-READY')}
  const samples: Record<string, number[]> = {ours: [], reference: []}
  const failures: Record<string, string[]> = {ours: [], reference: []}
  const roundRatios: number[] = []
  for (const name of Object.keys(runs)) await runs[name]!() // warm-up: page cache, kernel, initramfs
  for (let round = 0; round < RUNS; round++) {
    const thisRound: Record<string, number> = {}
    for (const name of shuffle(Object.keys(runs))) {
      const r = await runs[name]!()
      if (r.ms === null) failures[name]!.push(r.error ?? 'failed')
      else samples[name]!.push((thisRound[name] = r.ms))
    }
    if (thisRound.ours !== undefined && thisRound.reference !== undefined) roundRatios.push(thisRound.ours / thisRound.reference)
    process.stderr.write(`\rboot rounds ${round + 1}/${RUNS}`)
  }
  process.stderr.write('\n')
  console.log(`\n1. Boot-to-ready of the idle image${tag} (${RUNS} interleaved rounds; host monotonic clock)`)
  for (const name of Object.keys(runs)) {
    const v = samples[name]!
    const fails = failures[name]!.length ? `, ${failures[name]!.length} failed (${failures[name]![0]})` : ''
    console.log(
      `  ${name.padEnd(10)} median ${v.length ? median(v).toFixed(0) : '–'} ms  [min ${v.length ? Math.min(...v).toFixed(0) : '–'}, max ${v.length ? Math.max(...v).toFixed(0) : '–'}], n=${v.length}${fails}`,
    )
  }
  if (samples.ours!.length && samples.reference!.length) {
    const ratio = median(samples.ours!) / median(samples.reference!)
    console.log(
      `  ours ÷ reference (plain qemu -M pc + same kernel + busybox initramfs): ${ratio.toFixed(3)}  (target ≤ 0.65: ${ratio <= 0.65 ? 'met' : 'missed'})`,
    )
    // How much the ratio moves from round to round (both boots of a round ran back to back).
    const q = (p: number) =>
      quantileSorted(
        [...roundRatios].sort((a, b) => a - b),
        p,
      )
    if (roundRatios.length)
      console.log(
        `  per-round ours ÷ reference: median ${q(0.5).toFixed(3)}, interquartile ${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)} (n=${roundRatios.length})`,
      )
    if (accel === 'tcg') console.log(`  ours median ≤ 2.5 s under TCG: ${median(samples.ours!) <= 2500 ? 'met' : 'missed'}`)
  }

  // 2. Host memory of one idle VM.
  const one = await arm.start(spec())
  try {
    await arm.waitReady(one)
    await new Promise((r) => setTimeout(r, 1500))
    const pids = one.pids()
    const all = sampleProcesses(pids)
    const split = pids.map((p) => splitPss(p, MEMORY_MIB * MiB)).filter((x) => x !== null)
    const guest = split.reduce((a, s) => a + s.guestPss, 0)
    const overhead = (all.pssBytes ?? 0) - guest
    console.log(`\n2. Host memory of one idle VM${tag} (qemu process, /proc/PID/smaps)`)
    console.log(
      `  guest RAM ${MEMORY_MIB} MiB; qemu PSS ${((all.pssBytes ?? 0) / MiB).toFixed(1)} MiB = guest-touched RAM ${(guest / MiB).toFixed(1)} MiB + qemu overhead ${(overhead / MiB).toFixed(1)} MiB  (target overhead ≤ 30 MiB: ${overhead <= 30 * MiB ? 'met' : 'missed'})`,
    )
  } finally {
    await arm.stop(one).catch(() => {})
  }

  // 3. N concurrent.
  const t0 = performance.now()
  const started = await Promise.allSettled(Array.from({length: N}, () => arm.start(spec())))
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const ready = await Promise.allSettled(instances.map((i) => arm.waitReady(i)))
  const allReady = performance.now() - t0
  // With N running, the pages they share (the mapped vmlinux, the qemu binary and libraries) are
  // split N ways in PSS: the per-VM overhead here is what one more VM costs, beside its guest RAM.
  await new Promise((r) => setTimeout(r, 1500))
  const pids = instances.flatMap((i) => i.pids())
  const pssAll = sampleProcesses(pids).pssBytes ?? 0
  const guestAll = pids.map((p) => splitPss(p, MEMORY_MIB * MiB)).reduce((a, s) => a + (s?.guestPss ?? 0), 0)
  await Promise.all(instances.map((i) => arm.stop(i).catch(() => {})))
  const ok = ready.filter((r) => r.status === 'fulfilled').length
  const firstError = [...started, ...ready].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined
  console.log(
    `\n3. ${N} idle VMs started concurrently${tag}: ${ok}/${N} ready; last ready after ${(allReady / 1000).toFixed(2)} s${firstError ? `; first failure: ${(firstError.reason as Error).message}` : ''}`,
  )
  if (instances.length > 0) {
    const per = (b: number) => (b / instances.length / MiB).toFixed(1)
    console.log(
      `  with ${instances.length} running: qemu PSS per VM ${per(pssAll)} MiB = guest-touched RAM ${per(guestAll)} MiB + overhead ${per(pssAll - guestAll)} MiB (shared pages split ${instances.length} ways; target ≤ 30 MiB: ${(pssAll - guestAll) / instances.length <= 30 * MiB ? 'met' : 'missed'})`,
    )
  }
}

main()
  .catch((error) => {
    console.error(`bench:vm failed: ${(error as Error).message}`)
    process.exitCode = 1
  })
  .finally(async () => {
    await arm.cleanup().catch(() => {})
    await cleanup.runAll()
  })
