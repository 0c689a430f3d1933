/**
 * RUN steps of `image build` execute inside a container of OUR runtime. The contract:
 *
 *   RunStepExecutor.run({lowerDirs, upperDir, workDir, argv, env, cwd, user?, network})
 *
 * mounts an overlay (lowerDirs, topmost first; upperDir; workDir on the same filesystem as
 * upperDir) as the container's root, runs argv there (env exactly as given, cwd inside the
 * container, user as `name|uid[:group|gid]` resolved from the image's /etc/passwd, network 'none' =
 * a fresh net namespace with loopback only, 'host' = the host's), waits for it, tears everything
 * down, and resolves with the exit code and the combined stdout/stderr. The files the step wrote are
 * then in upperDir (overlayfs whiteouts included), which the build turns into a layer.
 *
 * The runtime provides it in src/runtime/container/build-executor.ts (`createBuildExecutor()`); until that
 * exists, `unshareExecutor` below runs the step with util-linux unshare (mount + pid (+ net, uts,
 * ipc) namespaces, overlay, /proc, chroot) — a real, if minimal, container.
 */
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {resolveUser} from './user.js'

export interface RunStepOptions {
  lowerDirs: string[]
  upperDir: string
  workDir: string
  argv: string[]
  env: Record<string, string>
  cwd: string
  user?: string
  network: 'none' | 'host'
}

export interface RunStepExecutor {
  run(opts: RunStepOptions): Promise<{exitCode: number; output: string}>
}

const MAX_OUTPUT = 1 << 20

/** Fallback executor: unshare(1) namespaces + overlay + chroot. Needs root. */
export const unshareExecutor: RunStepExecutor & {name: string} = {
  name: 'unshare (fallback)',
  async run(opts) {
    const merged = join(opts.workDir, '..', `merged-${process.pid}-${Date.now()}`)
    mkdirSync(merged, {recursive: true})
    const {uid, gid} = opts.user ? resolveUser(opts.lowerDirs[0]!, opts.user) : {uid: 0, gid: 0}
    const overlay = `lowerdir=${opts.lowerDirs.join(':')},upperdir=${opts.upperDir},workdir=${opts.workDir}`
    // Outer: a private mount namespace holding the overlay; inner: new pid (+net) namespace, chrooted.
    const script = [
      'set -e',
      'mount -t overlay isobench-build -o "$2" "$1"',
      'for d in proc dev; do [ -d "$1/$d" ] || mkdir -p "$1/$d"; done',
      'mount -t tmpfs -o mode=755,size=1m isobench-dev "$1/dev"',
      'for n in null zero full random urandom tty; do touch "$1/dev/$n"; mount --bind "/dev/$n" "$1/dev/$n"; done',
      'm="$1"; cwd="$3"; u="$4"; g="$5"; net="$6"; shift 6',
      'if [ "$net" = none ]; then set -- --net "$@"; fi',
      'exec unshare --pid --fork --uts --ipc --mount-proc=/proc --root="$m" --wd="$cwd" --setgid="$g" --setuid="$u" "$@"',
    ].join('\n')
    const netArgs: string[] = []
    const r = await execa('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script, 'sh', merged, overlay, opts.cwd, String(uid), String(gid), opts.network, ...netArgs, '--', ...opts.argv], {
      env: opts.env,
      extendEnv: false,
      all: true,
      reject: false,
      stdin: 'ignore',
      maxBuffer: MAX_OUTPUT,
    })
    try {
      const {rmdirSync} = await import('node:fs')
      rmdirSync(merged)
    } catch {
      // still a mount point only if the namespace leaked; nothing else to do here
    }
    return {exitCode: r.exitCode ?? (r.signal ? 128 : 1), output: r.all ?? ''}
  },
}

/** The runtime's executor when it is there, else the unshare fallback. */
export async function loadRunStepExecutor(): Promise<RunStepExecutor & {name?: string}> {
  const spec = '../../runtime/container/build-executor.js'
  try {
    const mod = (await import(spec)) as {createBuildExecutor?: () => RunStepExecutor}
    if (mod.createBuildExecutor) return Object.assign(mod.createBuildExecutor(), {name: 'isobench runtime'})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error
  }
  return unshareExecutor
}
