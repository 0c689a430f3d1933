/**
 * RUN steps of `image build`, executed by our own runtime: the isobench-nsexec helper with the
 * same namespaces, /proc, /sys, /dev, masks, capability set, cgroup, device allowlist and default
 * seccomp profile (as BuildKit and Buildah run RUN steps) as `isobench container run`,
 * over an overlay whose upper dir is the build step's — so what the step writes becomes its layer.
 * The contract is RunStepExecutor in src/images/build/run-step.ts.
 */
import {mkdirSync, rmSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {execa} from 'execa'
import type {RunStepExecutor} from '../../images/build/run-step.js'
import {resolveUser} from '../../images/build/user.js'
import {planFor} from './lifecycle.js'
import {ensureNsexec} from '../native/build.js'
import {containerPaths, nsexecArgs} from './nsexec-args.js'
import {seccompFilterFor} from '../seccomp/seccomp.js'
import type {ContainerConfig} from './state.js'

const MAX_OUTPUT = 1 << 20
let counter = 0

export function createBuildExecutor(): RunStepExecutor {
  return {
    name: 'isobench runtime',
    async run(opts) {
      const helper = await ensureNsexec()
      const id = `build-${process.pid}-${counter++}`
      // The helper's own scratch (mount point of the rootfs) next to the step's upper/work dirs.
      const dir = join(dirname(opts.workDir), id)
      mkdirSync(dir, {recursive: true})
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
      const paths = {...containerPaths(dir), upper: opts.upperDir, work: opts.workDir}
      const seccomp = await seccompFilterFor(undefined)
      const args = nsexecArgs(config, paths, planFor(config), {bindSources: [], tiedToParent: true, removeDir: true, stateFiles: false, seccomp})
      if (opts.user) {
        const {uid, gid} = resolveUser(opts.lowerDirs[0]!, opts.user)
        args.splice(args.indexOf('--'), 0, '--user', `${uid}:${gid}`)
      }
      try {
        const r = await execa(helper, args, {all: true, reject: false, stdin: 'ignore', extendEnv: false, env: {}, maxBuffer: MAX_OUTPUT})
        return {exitCode: r.exitCode ?? (r.signal ? 128 : 1), output: r.all ?? ''}
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    },
  }
}
