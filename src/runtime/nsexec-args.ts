/** The helper's command line for one container (pure: tested in test/unit/runtime). */
import {join} from 'node:path'
import type {CgroupPlan} from './cgroups.js'
import type {ContainerConfig} from './state.js'

export interface ContainerPaths {
  dir: string
  /** Scratch dir the helper creates and removes: mount point, overlay upper and work dirs. */
  fs: string
  root: string
  upper: string
  work: string
  pidFile: string
  exitFile: string
  log: string
}

export function containerPaths(dir: string): ContainerPaths {
  const fs = join(dir, 'fs')
  return {
    dir,
    fs,
    root: join(fs, 'root'),
    upper: join(fs, 'upper'),
    work: join(fs, 'work'),
    pidFile: join(dir, 'pid'),
    exitFile: join(dir, 'exit'),
    log: join(dir, 'log'),
  }
}

export interface NsexecOptions {
  /** Bind sources already resolved (volumes → their data dir), in config.mounts order. */
  bindSources: string[]
  /** The helper dies with its parent (arm instances, foreground runs). */
  tiedToParent: boolean
  /** fd on which the helper reports the init pid and waits for the network to be configured. */
  syncFd?: number
  /** Remove the whole state dir at exit (not just fs/). */
  removeDir: boolean
  /** Write pid and exit files (the lifecycle commands need them; benchmark instances do not). */
  stateFiles: boolean
}

export function nsexecArgs(config: ContainerConfig, paths: ContainerPaths, plan: CgroupPlan, opts: NsexecOptions): string[] {
  const a = ['run', '--root', paths.root, '--hostname', config.hostname, '--cwd', config.cwd]
  if (config.rootfsMode === 'overlay') a.push('--lower', config.lowerDirs.join(':'), '--upper', paths.upper, '--work', paths.work)
  a.push('--net', config.network === 'host' ? 'host' : config.network === 'bridge' ? 'new' : 'none')
  a.push('--cleanup', opts.removeDir ? paths.dir : paths.fs)
  for (const dir of plan.dirs) a.push('--cgroup', dir)
  for (const [file, value] of plan.settings) a.push('--cgset', `${file}=${value}`)
  config.mounts.forEach((m, i) => a.push(m.readonly ? '--bind-ro' : '--bind', `${opts.bindSources[i]}=${m.target}`))
  for (const [k, v] of Object.entries(config.env)) a.push('--env', `${k}=${v}`)
  if (opts.stateFiles && !opts.removeDir) a.push('--pidfile', paths.pidFile, '--exitfile', paths.exitFile)
  else if (opts.stateFiles) a.push('--pidfile', paths.pidFile)
  if (opts.syncFd !== undefined) a.push('--sync-fd', String(opts.syncFd))
  if (opts.tiedToParent) a.push('--pdeathsig')
  a.push('--', ...config.argv)
  return a
}
