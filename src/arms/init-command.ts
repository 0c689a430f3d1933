/**
 * What the spectrum's arms (chroot, LXC, the engines) run as their instance's init, in one place: the
 * same injected init as every other arm (runtime/native/init.ts: a static binary bind-mounted
 * read-only at /isobench/init, outside the rootfs digest, as docker run --init mounts docker-init)
 * with its options and the workload's command (core/arm.ts initArgs), and the environment every arm
 * gives it (a default PATH, as the OCI bundle's, then initEnv: the workload's env, its name and
 * readiness kind).
 */
import type {WorkloadSpec} from '../core/arm.js'
import {initArgs, initEnv} from '../core/arm.js'
import {INIT_PATH_IN_INSTANCE} from '../runtime/native/init.js'

/** The PATH an OCI bundle gets when the workload sets none (runtime/oci/bundle.ts uses the same). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** A host file the instance sees read-only at `target` (the injected init, bind-mounted outside the rootfs digest). */
export interface InitBind {
  source: string
  target: string
}

export interface InitCommand {
  argv: string[]
  env: Record<string, string>
  /** Host files every arm makes visible read-only inside the instance (chroot: bind mounts in its tree; LXC: lxc.mount.entry; engines: --mount). */
  binds: InitBind[]
}

/**
 * The init's argv, environment and read-only binds for a workload. `initBinary` is the init's host
 * path (ensureInit(), called in the arm's prepare()); the init does the workload's working directory
 * (-w) and user (-u) itself, so every arm starts it as root in /.
 */
export function initCommand(workload: Pick<WorkloadSpec, 'name' | 'argv' | 'env' | 'ready' | 'cwd' | 'user'>, initBinary: string): InitCommand {
  return {
    argv: [INIT_PATH_IN_INSTANCE, ...initArgs(workload)],
    env: {PATH: DEFAULT_PATH, ...initEnv(workload)},
    binds: [{source: initBinary, target: INIT_PATH_IN_INSTANCE}],
  }
}
