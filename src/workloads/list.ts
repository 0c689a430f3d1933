/** What `isobench workloads` shows: each workload, where it comes from, its figures, and whether its host tools are here. */
import {existsSync} from 'node:fs'
import {describeReadiness, DEFAULT_IMAGE} from '../core/arm.js'
import type {WorkloadProfile} from './profile.js'

export interface WorkloadRow {
  name: string
  version: number
  description: string
  /** built-in, plugin, file, inline or command line. */
  origin: string
  /** Where: `scenarios/workloads/cpu.yaml`, `plugin isobench-plugin-x`, `web/web.yaml`, … */
  source: string
  image: string
  command: string
  ready: string
  figures: Array<{name: string; unit: string; direction: 'higher' | 'lower'; description: string}>
  /** Host tools the workload needs, each with its apt package and whether it is installed. */
  needs: Array<{tool: string; aptPackage: string; present: boolean}>
  /** Every host tool it needs is here. */
  toolsPresent: boolean
}

/** How a workload names its image: `recipe stress`, `ref debian:bookworm`, `containerfile web/Containerfile`, `archive img.tar`. */
export function imageText(p: Pick<WorkloadProfile, 'imageSource' | 'image'>): string {
  const s = p.imageSource
  if (!s) return `recipe ${p.image ?? DEFAULT_IMAGE}`
  const [kind, value] = Object.entries(s)[0]!
  return `${kind} ${String(value)}`
}

export function listWorkloads(profiles: Iterable<WorkloadProfile>): WorkloadRow[] {
  return [...profiles].map((p) => {
    const needs = (p.needs ?? []).map((n) => ({...n, present: existsSync(n.tool)}))
    const command = [...(p.entrypoint ?? []), ...p.argv]
    return {
      name: p.name,
      version: p.version,
      description: p.description,
      origin: p.origin?.kind ?? 'built-in',
      source: p.origin?.label ?? '',
      image: imageText(p),
      command: command.length ? command.join(' ') : "(the image's Entrypoint and Cmd)",
      ready: describeReadiness(p.ready),
      figures: p.figures.map((f) => ({name: f.name, unit: f.unit, direction: f.direction, description: f.description})),
      needs,
      toolsPresent: needs.every((n) => n.present),
    }
  })
}

/** Tools these workloads need that are missing here, as one sentence naming the apt packages; null if none. */
export function missingTools(profiles: Iterable<WorkloadProfile>): string | null {
  const missing = new Map<string, Set<string>>()
  for (const p of profiles) {
    for (const n of p.needs ?? []) {
      if (existsSync(n.tool)) continue
      if (!missing.has(n.aptPackage)) missing.set(n.aptPackage, new Set())
      missing.get(n.aptPackage)!.add(p.name)
    }
  }
  if (missing.size === 0) return null
  const parts = [...missing].map(([pkg, users]) => `${pkg} (for ${[...users].join(', ')})`)
  return `missing host tools — install apt package${missing.size > 1 ? 's' : ''} ${parts.join(', ')}: run \`isobench setup\` or \`apt-get install ${[...missing.keys()].join(' ')}\``
}
