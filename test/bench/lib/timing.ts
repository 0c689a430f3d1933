/**
 * Timing for the runtime benchmarks: the C spawn timer (posix_spawn → waitpid, so node's own
 * spawn cost is in no figure), interleaved shuffled rounds over named arms, medians, and the
 * one-line "ratio, target, met/missed" every figure is printed as.
 */
import {spawn} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {median, shuffle} from 'simple-statistics'
import {compileC, PACKAGE_ROOT} from '../../../src/runtime/native/build.js'

/** The timer every start-to-exit sample goes through (test/bench/native/spawn-timer.c), built on first use. */
export async function buildSpawnTimer(): Promise<string> {
  const source = join(PACKAGE_ROOT, 'test', 'bench', 'native', 'spawn-timer.c')
  const binary = join(PACKAGE_ROOT, 'build', 'native', 'spawn-timer')
  mkdirSync(dirname(binary), {recursive: true})
  const r = await compileC(source, binary)
  if (r.exitCode !== 0) throw new Error(`building ${source} failed:\n${r.all ?? r.message}`)
  return binary
}

/** Time argv from spawn to exit with the timer; null + error when it fails or exits non-zero. */
export function timeRun(timer: string, argv: string[]): Promise<{ms: number | null; error?: string}> {
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
      if (code !== 0 || ns === undefined || Number.isNaN(ns)) return resolve({ms: null, error: `timer failed: ${err.trim().slice(-500)}`})
      resolve(status === 0 ? {ms: ns / 1e6} : {ms: null, error: `exit ${status}: ${err.trim().split('\n').slice(-1)[0]}`})
    })
  })
}

/** One arm: set up (untimed), then a sample (timed by the arm, usually timeRun), then tear down (untimed). */
export interface TimedArm {
  sample(): Promise<{ms: number | null; error?: string}>
}

export interface Rounds {
  names: string[]
  samples: Record<string, number[]>
  failures: Record<string, string[]>
  /** Per round, each arm's sample: for paired differences. */
  rounds: Array<Record<string, number>>
  med: Record<string, number>
}

/** A warm-up round, then `runs` rounds in a fresh shuffled order each. */
export async function interleave(arms: Record<string, TimedArm>, runs: number): Promise<Rounds> {
  const names = Object.keys(arms)
  const samples: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]))
  const failures: Record<string, string[]> = Object.fromEntries(names.map((k) => [k, []]))
  for (const name of names) {
    const r = await arms[name]!.sample()
    if (r.ms === null) console.log(`  warm-up ${name} failed: ${r.error}`)
  }
  const rounds: Array<Record<string, number>> = []
  for (let round = 0; round < runs; round++) {
    const inRound: Record<string, number> = {}
    for (const name of shuffle(names)) {
      const r = await arms[name]!.sample()
      if (r.ms === null) failures[name]!.push(r.error ?? 'failed')
      else samples[name]!.push((inRound[name] = r.ms))
    }
    rounds.push(inRound)
  }
  const med: Record<string, number> = {}
  for (const n of names) if (samples[n]!.length) med[n] = median(samples[n]!)
  return {names, samples, failures, rounds, med}
}

export const fmt = (ms: number) => `${ms.toFixed(2)} ms`

/** Median, min, max and failures of every arm, one line each. */
export function printArms(r: Rounds, width = 20): void {
  for (const name of r.names) {
    const v = r.samples[name]!
    if (v.length === 0) {
      console.log(`  ${name.padEnd(width)} no successful run: ${r.failures[name]![0]}`)
      continue
    }
    const fails = r.failures[name]!.length ? `, ${r.failures[name]!.length} failed: ${r.failures[name]![0]}` : ''
    console.log(
      `  ${name.padEnd(width)} median ${fmt(r.med[name]!).padStart(10)}  min ${fmt(Math.min(...v))}  max ${fmt(Math.max(...v))}  (n=${v.length}${fails})`,
    )
  }
}

/** "a ÷ b = r   target ≤ t: met|MISSED" (no target: the ratio alone). */
export function printRatio(label: string, a: number | undefined, b: number | undefined, target?: number): void {
  if (a === undefined || b === undefined) return console.log(`  ${label}: not measured`)
  const r = a / b
  const verdict = target === undefined ? '' : `   target ≤ ${target}: ${r <= target ? 'met' : 'MISSED'}`
  console.log(`  ${label} = ${r.toFixed(3)}${verdict}`)
}

/** Ratio of medians and the median of per-round differences (steadier while the load drifts). */
export function printCost(r: Rounds, label: string, a: string, b: string): void {
  if (r.med[a] === undefined || r.med[b] === undefined) return console.log(`  ${label}: not measured`)
  const paired = r.rounds.filter((x) => x[a] !== undefined && x[b] !== undefined).map((x) => x[a]! - x[b]!)
  const d = median(paired)
  console.log(
    `  ${label}: ${a} ÷ ${b} = ${(r.med[a]! / r.med[b]!).toFixed(3)}; per-round difference median ${d >= 0 ? '+' : ''}${d.toFixed(2)} ms (n=${paired.length})`,
  )
}
