/**
 * A workload profile: data describing one workload, the same in every arm. The catalog
 * (src/workloads/catalog.ts) lists them; scenarios name them.
 */
import type {ReadinessRule} from '../core/arm.js'
import type {Direction} from '../core/results.js'

export interface FigureDef {
  /** Key in the parser's output, e.g. 'ops_per_s'. */
  name: string
  unit: string
  direction: Direction
  description: string
}

/** What a parser returns: figures by name. Throws ParseError when the output is not what it expects. */
export type ParsedFigures = Record<string, number>

export interface WorkloadProfile {
  name: string
  /** Bumped when the command, image or parser changes in a way that changes figures. */
  version: number
  description: string
  /** Command run by the init inside the instance. */
  argv: string[]
  env?: Record<string, string>
  ready: ReadinessRule
  /** Ports the workload listens on (for tcp/http readiness and host-side load). */
  ports?: number[]
  /** Figures the parser yields; empty for workloads measured only by startup/memory. */
  figures: FigureDef[]
  /** Parse the workload's output (markers removed) into figures. */
  parse?: (output: string) => ParsedFigures
  /** Host tools the workload needs, with the Debian package that provides each. */
  needs?: Array<{tool: string; aptPackage: string}>
  /** Name of the image the workload runs from: a recipe of its workload source, or any image in the store. */
  image?: string
  /** 'block': it does I/O on its own rootfs, so every arm keeps that rootfs on disk (rootfsMedium): VMs boot it from a virtio disk, containers keep their overlay upper dir on the state dir. */
  rootfs?: 'block'
  /** For services: the load a host tool drives against the workload's first port once it is ready; its output gives the figures. */
  load?: HostLoad
}

/** A host-side load generator (wrk, redis-benchmark) run against a ready service. */
export interface HostLoad {
  /** Host executable, listed in the profile's `needs` too. */
  tool: string
  /** Its arguments, given the address that reaches the service's first port from the host. */
  args: (host: string, port: number) => string[]
  /** Killed after this long; the samples then fail with code timeout. */
  timeoutMs: number
  /** Parse the tool's stdout (and stderr, appended) into figures; throws ParseError when it is not a clean run. */
  parse: (output: string) => ParsedFigures
}

export class ParseError extends Error {
  readonly code = 'parse-error'
}

/**
 * An image recipe: a small workload image built from the host's own files (src/images/recipe.ts
 * builds it): host binaries with their shared-library closure, busybox applets and extra files.
 */
export interface RecipeFile {
  /** Absolute path inside the image. */
  path: string
  content?: string
  hostPath?: string
  mode?: number
}

export interface Recipe {
  name: string
  /** Host executables copied to the same path in the image, with their ldd closure. */
  binaries: string[]
  busyboxApplets: 'all' | string[]
  files?: RecipeFile[]
  env?: Record<string, string>
  cmd?: string[]
}

/**
 * Where workloads come from: a named set of profiles and the image recipes they run from. The
 * catalog (src/workloads/catalog.ts) lists every source; a workload and its image are declared in
 * one source module.
 */
export interface WorkloadSource {
  name: string
  description: string
  profiles: WorkloadProfile[]
  recipes: Recipe[]
}
