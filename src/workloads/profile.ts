/**
 * A workload profile: data describing one workload, the same in every arm. Profiles are loaded from
 * workload files (src/workloads/load.ts: the built-in catalog in scenarios/workloads/, plugin
 * workloads, files and inline documents a scenario names); scenarios name them.
 */
import type {Direction} from '../core/results.js'
import type {WorkloadRunFields} from '../core/workload-run.js'

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

/** A workload: how it runs (WorkloadRunFields, src/core/workload-run.ts), what it measures and what it needs. */
export interface WorkloadProfile extends WorkloadRunFields {
  /** Bumped when the command, image or parser changes in a way that changes figures. */
  version: number
  description: string
  /** Figures the parser yields; empty for workloads measured only by startup/memory. */
  figures: FigureDef[]
  /** Parse the workload's output (markers removed) into figures. */
  parse?: (output: string) => ParsedFigures
  /** Host tools the workload needs, with the Debian package that provides each. */
  needs?: Array<{tool: string; aptPackage: string}>
  /** For services: the load a host tool drives against the workload's first port once it is ready; its output gives the figures. */
  load?: HostLoad
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
