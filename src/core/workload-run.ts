/**
 * What a workload profile says about running it, the same in every arm: the fields the loaded profile
 * (src/workloads/profile.ts WorkloadProfile) and the preparation every arm runs from
 * (src/arms/workload-images.ts) share, declared once here, below both. Docker's names in parentheses.
 */
import type {ImageSource, ReadinessRule} from './arm.js'

export interface WorkloadRunFields {
  name: string
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
  /** Name of the image the workload runs from: a recipe, or any image in the store (a shorthand for imageSource {ref}). */
  image?: string
  /** Where its image comes from: built from a Containerfile, imported from an archive, a reference, or a recipe. */
  imageSource?: ImageSource
  /** 'block': it does I/O on its own rootfs, so every arm keeps that rootfs on disk (rootfsMedium): VMs boot it from a virtio disk, containers keep their overlay upper dir on the state dir. */
  rootfs?: 'block'
  /** false: the command exists only in the image, so the process arm skips it (default: whether the host has the command). */
  runsOnHost?: boolean
}
