/**
 * Which claims the command line names: `all` (or nothing), a paper id (every claim of it), or
 * `<paper>:<claim>` where <claim> is a claim id or the prefix of a family (`cpu` → cpu-container,
 * cpu-vm). Anything unknown is bad input listing what exists (exit 2).
 */
import {UsageError} from '../core/errors.js'
import type {LoadedPaper} from './load.js'
import type {SelectedClaim} from './plan.js'

export function selectClaims(papers: readonly LoadedPaper[], selectors: readonly string[]): SelectedClaim[] {
  const byId = new Map(papers.map((p) => [p.paper.id, p.paper]))
  const wanted = selectors.length === 0 || selectors.includes('all') ? papers.map((p) => p.paper.id) : selectors
  const out: SelectedClaim[] = []
  const seen = new Set<string>()
  for (const selector of wanted) {
    const [paperId, claimId, extra] = selector.split(':')
    const paper = byId.get(paperId ?? '')
    if (!paper || extra !== undefined)
      throw new UsageError(`unknown paper "${selector}"; expected all, one of ${[...byId.keys()].join(', ')}, or <paper>:<claim>`)
    const claims = claimId === undefined ? paper.claims : paper.claims.filter((c) => c.id === claimId || c.id.startsWith(`${claimId}-`))
    if (claims.length === 0) throw new UsageError(`unknown claim "${selector}"; ${paper.id} has ${paper.claims.map((c) => c.id).join(', ')}`)
    for (const claim of claims) {
      const key = `${paper.id}:${claim.id}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push({paper, claim})
    }
  }
  return out
}
