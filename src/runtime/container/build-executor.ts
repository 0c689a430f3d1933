/**
 * RUN steps of `image build`, executed by our own runtime: isobench-runtime run, with the
 * same namespaces, /proc, /sys, /dev, masks, capability set, cgroup, device allowlist and default
 * seccomp profile (as BuildKit and Buildah run RUN steps) as `isobench container run`,
 * over an overlay whose upper dir is the build step's — so what the step writes becomes its layer.
 * The contract is RunStepExecutor in src/images/build/run-step.ts.
 */
import {dirname, join} from 'node:path'
import type {RunStepExecutor} from '../../images/build/run-step.js'
import {resolveUser} from '../../images/build/user.js'
import {seccompObjectFor} from '../seccomp/seccomp.js'
import {Container} from './container.js'
import type {ContainerConfig} from './state.js'

const MAX_OUTPUT = 1 << 20
let counter = 0

export function createBuildExecutor(): RunStepExecutor {
  return {
    name: 'isobench runtime',
    async run(opts) {
      const id = `build-${process.pid}-${counter++}`
      const config: ContainerConfig = {
        id,
        image: 'build',
        lowerDirs: opts.lowerDirs,
        rootfsMode: 'overlay',
        argv: opts.argv,
        env: opts.env,
        cwd: opts.cwd,
        hostname: id,
        network: opts.network,
        limits: {},
        mounts: [],
        ports: [],
        autoRemove: true,
        createdAt: new Date().toISOString(),
      }
      // The helper's own scratch (mount point of the rootfs) next to the step's upper/work dirs.
      const dirs = {scratch: join(dirname(opts.workDir), id), upper: opts.upperDir, work: opts.workDir}
      const user = opts.user ? resolveUser(opts.lowerDirs[0]!, opts.user) : undefined
      return Container.runToEnd(config, dirs, {user, maxOutput: MAX_OUTPUT, seccomp: seccompObjectFor(undefined)})
    },
  }
}
