/**
 * What the spectrum's arms (chroot, LXC, the engines) run as their instance's init, in one place: the
 * same init as every other arm (the image's /isobench/init, see images/init.ts) with the workload's
 * command as its arguments, and the environment every arm gives it (a default PATH, as the OCI
 * bundle's, the workload's env, its name and readiness kind).
 */
import type {WorkloadSpec} from '../core/arm.js'
import {INIT_PATH_IN_IMAGE} from '../images/init.js'

/** The PATH an OCI bundle gets when the workload sets none (runtime/oci/bundle.ts uses the same). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** A host file the instance sees read-only at `target` (an injected init, bind-mounted outside the rootfs digest). */
export interface InitBind {
  source: string
  target: string
}

export interface InitCommand {
  argv: string[]
  env: Record<string, string>
  /** Host files every arm makes visible read-only inside the instance (chroot: bind mounts in its tree; LXC: lxc.mount.entry; engines: -v / --mount). */
  binds: InitBind[]
}

/**
 * The init's argv, environment and read-only binds for a workload. Today the init is the image's own
 * script, so there is nothing to bind; an init injected from the host (one static binary for every
 * arm) is added here as a bind, and every spectrum arm mounts it the same way.
 */
export function initCommand(workload: Pick<WorkloadSpec, 'name' | 'argv' | 'env' | 'ready'>): InitCommand {
  return {
    argv: ['/bin/sh', INIT_PATH_IN_IMAGE, ...workload.argv],
    env: {PATH: DEFAULT_PATH, ...workload.env, ISOBENCH_NAME: workload.name, ISOBENCH_READY: workload.ready.kind},
    binds: [],
  }
}
