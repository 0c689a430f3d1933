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
 * Our runtime provides it (src/runtime/container/build-executor.ts, `createBuildExecutor()`); the
 * `image build` command passes it to buildImage(), so this module never imports the runtime.
 */
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
  /** What runs the steps, for the build's summary line (e.g. 'isobench runtime'). */
  readonly name?: string
  run(opts: RunStepOptions): Promise<{exitCode: number; output: string}>
}
