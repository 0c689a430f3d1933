/**
 * A run's provenance, two-sided: the host's preflight and the facts each arm reports from inside
 * (one probe instance per arm, no network, after prepare(), before any sample), then the arm diff: each arm
 * against the host, and the limits in force against the scenario's.
 */
import type {Arm, Limits} from '../../core/arm.js'
import type {PreflightRecord, ProvenanceRecord} from '../../core/provenance.js'
import type {Logger} from '../../core/log.js'
import {probeArmFacts} from './arm-facts.js'
import {armVsHost, limitsInForce} from './diff.js'

export interface CollectOptions {
  preflight: PreflightRecord
  arms: ReadonlyMap<string, Arm>
  /** The limits the run's instances get (the first cell's; every cell of a scenario shares them unless a metric overrides). */
  limits: Limits
  timeoutMs: number
  /** A short tag for the probe instances' ids. */
  tag: string
  /** Skip the probes (facts from the host only). */
  armFacts: boolean
  log: Logger
}

export async function collectProvenance(o: CollectOptions): Promise<ProvenanceRecord> {
  const record: ProvenanceRecord = {preflight: o.preflight, arms: {}, diffs: []}
  if (!o.armFacts) return record
  let i = 0
  for (const [name, arm] of o.arms) {
    const facts = await probeArmFacts(arm, {id: `isobench-${o.tag}-facts${++i}`, limits: o.limits, network: 'none', timeoutMs: o.timeoutMs})
    record.arms[name] = facts
    if (facts.error) {
      o.log.warn(`${name}: no facts from inside: ${facts.error}`)
      continue
    }
    const diff = armVsHost(name, facts.facts, o.preflight.facts)
    diff.diffs.push(...limitsInForce(name, arm.kind, facts.facts, o.limits))
    if (diff.diffs.length) record.diffs.push(diff)
  }
  return record
}
