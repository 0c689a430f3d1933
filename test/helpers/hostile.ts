/**
 * Hostile report text: every user-sourced string in a results object gets an HTML/script payload
 * appended (arm names, workloads, params, versions, host, scenario, warnings, errors, claims…).
 * Enum-like fields the code branches on stay intact so every section is still drawn.
 */
import type {Results} from '../../src/core/results.js'

export const PAYLOAD = `<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'</title></style><svg onload=window.__pwned=3>`

const KEEP_VALUE = new Set(['metric', 'direction', 'accel', 'verdict', 'kind', 'status', 'stopReason', 'startedAt', 'finishedAt', 'ts', 'placement'])
const RENAME_KEYS_UNDER = new Set(['versions', 'rootfsDigest', 'limits', 'phases'])

export function hostile(results: Results): Results {
  const walk = (v: unknown, key: string | undefined, parentKey: string | undefined): unknown => {
    if (typeof v === 'string') return key && KEEP_VALUE.has(key) ? v : v + PAYLOAD
    if (Array.isArray(v)) return v.map((x) => walk(x, key, parentKey))
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[key && RENAME_KEYS_UNDER.has(key) ? k + PAYLOAD : k] = walk(x, k, key)
      return out
    }
    return v
  }
  const r = walk(results, undefined, undefined) as Results
  r.tool.name = 'isobench'
  return r
}
