/** What `isobench workloads` shows: each catalog profile, its figures, and whether its host tools are here. */
import {existsSync} from 'node:fs'
import {imageOf} from '../core/arm.js'
import {catalog} from './catalog.js'

export interface WorkloadRow {
  name: string
  version: number
  description: string
  image: string
  command: string
  figures: Array<{name: string; unit: string; direction: 'higher' | 'lower'; description: string}>
  /** Host tools the workload needs, each with its apt package and whether it is installed. */
  needs: Array<{tool: string; aptPackage: string; present: boolean}>
  ready: boolean
}

export function listWorkloads(): WorkloadRow[] {
  return [...catalog.values()].map((p) => {
    const needs = (p.needs ?? []).map((n) => ({...n, present: existsSync(n.tool)}))
    return {
      name: p.name,
      version: p.version,
      description: p.description,
      image: imageOf(p),
      command: p.argv.join(' '),
      figures: p.figures.map((f) => ({name: f.name, unit: f.unit, direction: f.direction, description: f.description})),
      needs,
      ready: needs.every((n) => n.present),
    }
  })
}

/** Tools the named workloads need that are missing here, as one sentence naming the apt packages; null if none. */
export function missingTools(names: Iterable<string>): string | null {
  const missing = new Map<string, Set<string>>()
  for (const name of names) {
    for (const n of catalog.get(name)?.needs ?? []) {
      if (existsSync(n.tool)) continue
      if (!missing.has(n.aptPackage)) missing.set(n.aptPackage, new Set())
      missing.get(n.aptPackage)!.add(name)
    }
  }
  if (missing.size === 0) return null
  const parts = [...missing].map(([pkg, users]) => `${pkg} (for ${[...users].join(', ')})`)
  return `missing host tools — install apt package${missing.size > 1 ? 's' : ''} ${parts.join(', ')}: run \`isobench setup\` or \`apt-get install ${[...missing.keys()].join(' ')}\``
}
