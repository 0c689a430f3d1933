/**
 * A workload profile: data describing one workload, the same in every arm. Profiles are loaded from
 * workload files (src/workloads/load.ts: the built-in catalog in scenarios/workloads/, plugin
 * workloads, files and inline documents a scenario names); scenarios name them.
 */
import type {ImageSource, ReadinessRule} from '../core/arm.js'
import type {Direction} from '../core/results.js'

export interface FigureDef {
  /** The figure's name in results, e.g. 'ops_per_s'. */
  name: string
  unit: string
  direction: Direction
  description: string
  /** A value the workload's parser yields (`parser:`), e.g. 'cpu.ops_per_s'. */
  key?: string
  /** A regular expression over the output; its named group `value` is the figure. */
  regex?: string
  /** A figure measured by the host, not read from the output: 'exit-time' = ready → the init's exit marker, in ms. */
  from?: 'exit-time'
}

/** What a parser returns: figures by name. Throws ParseError when the output is not what it expects. */
export type ParsedFigures = Record<string, number>

export type {ImageSource} from '../core/arm.js'

/** Where a workload was defined: listings and errors name it. */
export interface WorkloadOrigin {
  kind: 'built-in' | 'plugin' | 'file' | 'inline' | 'command line'
  /** `scenarios/workloads/cpu.yaml`, `plugin isobench-plugin-x`, `web.yaml`, `scenario.yaml (inline)`, `isobench run --image`. */
  label: string
  /** The file that defines it (for errors found after loading, e.g. an image that does not build). */
  file?: string
  /** Where its `image` field is in that file. */
  imageAt?: {line: number; col: number}
  /** Identity of the definition (its file, or its file and document for an inline one): the same definition met twice is one workload. */
  key?: string
}

export interface WorkloadProfile {
  name: string
  /** Bumped when the command, image or parser changes in a way that changes figures. */
  version: number
  description: string
  /** The workload's command (Docker's Cmd): overrides the image's Cmd; empty = the image's Cmd. */
  argv: string[]
  /** Overrides the image's Entrypoint (Docker's --entrypoint: the image's Cmd is then dropped unless argv is given). */
  entrypoint?: string[]
  /** Environment over the image's Env. */
  env?: Record<string, string>
  /** Working directory; else the image's WorkingDir. */
  workdir?: string
  /** `user[:group]` (names or ids, resolved in the image); else the image's User. */
  user?: string
  ready: ReadinessRule
  /** Ports the workload listens on (for tcp/http readiness and host-side load). */
  ports?: number[]
  /** Figures the parser yields; empty for workloads measured only by startup/memory. */
  figures: FigureDef[]
  /** Parse the workload's output (markers removed) into figures. */
  parse?: (output: string) => ParsedFigures
  /** Host tools the workload needs, with the Debian package that provides each. */
  needs?: Array<{tool: string; aptPackage: string}>
  /** Name of the image the workload runs from: a recipe, or any image in the store (a shorthand for imageSource {ref}). */
  image?: string
  /** Where its image comes from: built from a Containerfile, imported from an archive, a reference, or a recipe. */
  imageSource?: ImageSource
  /** 'block': it does I/O on its own rootfs, so every arm keeps that rootfs on disk (rootfsMedium): VMs boot it from a virtio disk, containers keep their overlay upper dir on the state dir. */
  rootfs?: 'block'
  /** For services: the load a host tool drives against the workload's first port once it is ready; its output gives the figures. */
  load?: HostLoad
  /** false: the command exists only in the image, so the process arm skips it (default: whether the host has the command). */
  runsOnHost?: boolean
  origin?: WorkloadOrigin
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
