/**
 * Service-level objectives for `isobench capacity`, one string each: `startup.p99<200ms`,
 * `startup.p50<=1s`, `startup.all<5s` (until all N are ready), `victim.degradation<10%`. Each key
 * names a figure the scale-out or interference metric measures; bad input names the flag and what
 * was expected (exit 2).
 */
import {UsageError} from '../../core/errors.js'
import type {SloBound} from '../../core/results.js'

/** key → the metric and figure measured for it, and its unit. */
export const SLO_KEYS = {
  'startup.p50': {metric: 'scaleout', figure: 'ready_p50', unit: 'ms', what: "median of the N instances' start-to-ready times"},
  'startup.p99': {metric: 'scaleout', figure: 'ready_p99', unit: 'ms', what: "99th percentile of the N instances' start-to-ready times"},
  'startup.all': {metric: 'scaleout', figure: 'all_ready', unit: 'ms', what: 'time until all N instances are ready'},
  'victim.degradation': {metric: 'interference', figure: '*', unit: '%', what: "a victim workload's degradation next to N instances, vs alone"},
} as const

export type SloKey = keyof typeof SLO_KEYS

const SLO = /^\s*([a-z]+\.[a-z0-9_]+)\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)\s*$/

export function parseSlo(text: string): SloBound {
  const m = SLO.exec(text)
  if (!m) throw new UsageError(`--slo ${JSON.stringify(text)}: expected KEY<BOUND, e.g. startup.p99<200ms or victim.degradation<10%`, 'bad-flag')
  const key = m[1]!
  if (!Object.hasOwn(SLO_KEYS, key))
    throw new UsageError(`--slo ${JSON.stringify(text)}: unknown key ${key}; expected one of ${Object.keys(SLO_KEYS).join(', ')}`, 'bad-flag')
  const def = SLO_KEYS[key as SloKey]
  let bound = Number(m[3])
  const unit = m[4]!
  if (def.unit === 'ms' && unit === 's') bound *= 1000
  else if (def.unit !== unit && !(def.unit === 'ms' && unit === 's'))
    throw new UsageError(`--slo ${JSON.stringify(text)}: ${key} is in ${def.unit === 'ms' ? 'ms or s' : def.unit}, got ${unit}`, 'bad-flag')
  if (!(bound > 0)) throw new UsageError(`--slo ${JSON.stringify(text)}: the bound must be above 0`, 'bad-flag')
  return {text: text.trim(), key, op: m[2] as '<' | '<=', bound, unit: def.unit}
}

/** Does a value meet the bound? */
export function within(slo: Pick<SloBound, 'op' | 'bound'>, value: number): boolean {
  return slo.op === '<' ? value < slo.bound : value <= slo.bound
}
