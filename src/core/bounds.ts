/**
 * Bounds on every number a user gives isobench — flags, config, scenario fields, metric params —
 * in one table, so that a value that parses but cannot be meant (reps 1e11, memoryMiB 1,
 * readyTimeoutSeconds 1e308, n -5) is refused with the field named, wherever it was written. The
 * schemas (core/config.ts, scenario/schema.ts, each metric's params) build their zod numbers from
 * it (boundedNumber) and the flags check theirs with it (checkBound). Host-dependent limits (CPUs
 * that exist, RAM the host has) are checked against the host where it is known (host/cpus.ts).
 */
import {z} from 'zod'
import {UsageError} from './errors.js'

export interface Bound {
  min: number
  max: number
  /** Whole numbers only. */
  int?: boolean
  /** The unit the number is in, for messages ('s', 'ms', 'MiB', 'cores'). */
  unit?: string
  /** Why these bounds (shown nowhere; for readers of this table). */
  why: string
}

export const BOUNDS = {
  reps: {min: 1, max: 100_000, int: true, why: 'blocks are planned lazily, but a run of more than 10^5 reps per cell is a typo (reps: 1e11)'},
  warmup: {min: 0, max: 1000, int: true, why: 'warm-ups are unmeasured: a few are enough'},
  cells: {min: 1, max: 10_000, int: true, why: 'a scenario whose params expand to more cells than this takes days per rep; 10^6 took 886 MB to plan'},
  budgetSeconds: {min: 1, max: 30 * 24 * 3600, unit: 's', why: 'a run longer than 30 days is a typo; 0 would stop before the first sample'},
  readyTimeoutSeconds: {min: 0.1, max: 3600, unit: 's', why: 'a TCG guest boots in seconds; an hour means it never will'},
  cpus: {min: 0.01, max: 1024, unit: 'cores', why: "Docker's --cpus takes 0.01 cores at least (1 ms per 100 ms period)"},
  memoryMiB: {min: 6, max: 16 * 1024 * 1024, int: true, unit: 'MiB', why: "Docker's minimum memory limit is 6 MiB; a container cannot even start below it"},
  pids: {min: 1, max: 4_194_304, int: true, why: 'the kernel caps pids at PID_MAX_LIMIT = 2^22'},
  instances: {min: 1, max: 1024, int: true, why: 'instances started at once per sample (scale-out, memory); 1024 VMs are far beyond any host'},
  aggressors: {min: 1, max: 64, int: true, why: 'aggressor instances beside one victim'},
  settleMs: {min: 0, max: 600_000, unit: 'ms', why: 'settling longer than 10 minutes per sample is a typo'},
  windowMs: {min: 10, max: 3_600_000, unit: 'ms', why: "a CPU window shorter than 10 ms is below the clock tick's resolution"},
  timeoutMs: {min: 100, max: 86_400_000, unit: 'ms', why: 'a workload that runs longer than a day per sample'},
  tbSizeMiB: {min: 1, max: 4096, int: true, unit: 'MiB', why: "qemu's TCG translation cache; its default is 1 GiB"},
  equivalenceDelta: {min: 0.0001, max: 1, why: 'a fraction: 0.05 is ±5%'},
} as const satisfies Record<string, Bound>

export type BoundName = keyof typeof BOUNDS

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(n)
}

/** "an integer from 1 to 100000", "a number of s from 0.1 to 3600". */
export function describeBound(name: BoundName): string {
  const b: Bound = BOUNDS[name]
  return `${b.int ? 'an integer' : 'a number'}${b.unit ? ` (${b.unit})` : ''} from ${fmt(b.min)} to ${fmt(b.max)}`
}

/** A zod number within the named bounds; its error says the bounds (describeZodIssue adds the value given). */
export function boundedNumber(name: BoundName): z.ZodNumber {
  const b: Bound = BOUNDS[name]
  const expected = `expected ${describeBound(name)}`
  let n = z.number({error: (issue) => (issue.input === undefined ? undefined : `${expected}`)})
  if (b.int) n = n.int({error: expected})
  return n.min(b.min, {error: expected}).max(b.max, {error: expected})
}

/** A flag's number checked against the named bounds: UsageError "FLAG: expected …, got VALUE" (exit 2). */
export function checkBound(value: number, name: BoundName, field: string, given: string = String(value)): number {
  const b: Bound = BOUNDS[name]
  if (!Number.isFinite(value) || (b.int && !Number.isInteger(value)) || value < b.min || value > b.max) {
    throw new UsageError(`${field}: expected ${describeBound(name)}, got ${JSON.stringify(given)}`, 'out-of-bounds')
  }
  return value
}
