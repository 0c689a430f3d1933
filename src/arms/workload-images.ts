/**
 * From workload profiles to what every arm runs (WorkloadSpec), before any timed region: the image
 * obtained from its source — built from a Containerfile (as `image build` does: RUN steps in our own
 * runtime, every step cached), imported from an archive (OCI layout or docker-archive), taken from the
 * store or a registry by reference, or built from a recipe — then its rootfs unpacked, and its config
 * applied as Docker applies it (runConfig below). An image that cannot be found or built is bad input:
 * an InputFileError at the workload's `image` field (exit 2), its cause in at most a few KB.
 */
import {existsSync, statSync} from 'node:fs'
import {delimiter, join} from 'node:path'
import type {CleanupRegistry} from '../core/cleanup.js'
import type {ImageSource, WorkloadSpec, WorkloadUser} from '../core/arm.js'
import {DEFAULT_IMAGE} from '../core/arm.js'
import {InputFileError, IsobenchError, UsageError} from '../core/errors.js'
import type {Logger} from '../core/log.js'
import type {WorkloadRunFields} from '../core/workload-run.js'
import {buildImage} from '../images/build/build.js'
import {resolveUser, userHome} from '../images/build/user.js'
import {importImage} from '../images/import.js'
import type {OciRunConfig} from '../images/oci.js'
import {obtainImage} from '../images/registry/obtain.js'
import {ensureImage, imageConfig, openImageStore, unpackRootfs, type ImageRef, type ImageStore} from '../images/rootfs.js'
import {createBuildExecutor} from '../runtime/container/build-executor.js'

/** What preparing a workload needs of its profile (src/workloads/profile.ts WorkloadProfile is one): how it runs, and where it was defined. */
export interface WorkloadProfile extends WorkloadRunFields {
  origin?: {file?: string; label?: string; imageAt?: {line: number; col: number}}
}

/** The PATH Docker gives a container whose image sets none (moby oci/defaults.go). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
/** Error messages quote at most this much of a tool's output. */
const MAX_QUOTED = 4096

export interface PreparedWorkload<P extends WorkloadProfile = WorkloadProfile> {
  spec: WorkloadSpec
  profile: P
  /** The image as the workload gave it, e.g. `containerfile ./web/Containerfile`, `ref debian:bookworm`, `recipe stress`. */
  imageLabel: string
  /** The store reference every arm runs (the manifest digest: a tag moved during the run changes nothing). */
  image: string
  rootfsDigest: string
}

export interface PrepareOptions<P extends WorkloadProfile = WorkloadProfile> {
  stateDir: string
  log: Logger
  cleanup: CleanupRegistry
  /**
   * Workloads no arm of the run needs an image for (only the process arm, or the fake arm, runs them):
   * their image is not obtained when they give their own command, so a process-only run builds nothing.
   */
  imageless?: (profile: P) => boolean
}

/** `containerfile ./web/Containerfile`, `archive ./img.tar`, `ref NAME`, `recipe NAME`. */
export function imageLabel(profile: Pick<WorkloadProfile, 'imageSource' | 'image'>): string {
  const s = profile.imageSource
  if (!s) return `recipe ${profile.image ?? DEFAULT_IMAGE}`
  if ('containerfile' in s) return `containerfile ${s.containerfile}`
  if ('archive' in s) return `archive ${s.archive}`
  if ('ref' in s) return `ref ${s.ref}`
  return `recipe ${s.recipe}`
}

function cap(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}… [${text.length - MAX_QUOTED} more characters]` : text
}

/** An image problem, at the workload's `image` field (exit 2). */
function imageError(profile: WorkloadProfile, field: string, expected: string): InputFileError {
  const o = profile.origin
  return new InputFileError(o?.file ?? o?.label ?? `workload ${profile.name}`, field, cap(expected), o?.imageAt)
}

/** The tag a workload's built or imported image gets in the store. */
export function workloadImageTag(name: string): string {
  return `isobench-workload/${name}:latest`
}

async function obtain(store: ImageStore, profile: WorkloadProfile, opts: Pick<PrepareOptions, 'log' | 'cleanup'>): Promise<ImageRef> {
  const source: ImageSource = profile.imageSource ?? {recipe: profile.image ?? DEFAULT_IMAGE}
  if ('containerfile' in source) {
    if (!existsSync(source.containerfile) || !statSync(source.containerfile).isFile())
      throw imageError(profile, 'image.containerfile', `Containerfile ${source.containerfile} not found`)
    if (!existsSync(source.context) || !statSync(source.context).isDirectory())
      throw imageError(profile, 'image.context', `build context ${source.context} is not a directory`)
    opts.log.info(`building the image of workload ${profile.name} from ${source.containerfile} …`)
    try {
      const built = await buildImage(store, {
        file: source.containerfile,
        context: source.context,
        tags: [workloadImageTag(profile.name)],
        buildArgs: source.buildArgs ?? {},
        network: 'host',
        executor: createBuildExecutor(),
        target: source.target,
        log: (m) => opts.log.info(`  ${m}`),
        track: (label, undo) => opts.cleanup.add(label, undo),
      })
      return {name: built.name, manifestDigest: built.manifestDigest}
    } catch (error) {
      // A Containerfile that does not parse already names its own file:line.
      if (error instanceof UsageError) throw error
      // A failed RUN step's message already ends with the last lines of its output.
      throw imageError(profile, 'image.containerfile', `cannot build ${source.containerfile}: ${(error as IsobenchError).message}`)
    }
  }
  if ('archive' in source) {
    if (!existsSync(source.archive)) throw imageError(profile, 'image.archive', `archive ${source.archive} not found`)
    try {
      const [first] = await importImage(store, source.archive, {name: workloadImageTag(profile.name)})
      return {name: first!.name, manifestDigest: first!.manifestDigest}
    } catch (error) {
      throw imageError(profile, 'image.archive', `cannot import ${source.archive}: ${(error as Error).message}`)
    }
  }
  if ('ref' in source) {
    try {
      return await obtainImage(store, source.ref, {log: (m) => opts.log.info(m)})
    } catch (error) {
      throw imageError(profile, 'image.ref', `image ${source.ref} is not in the image store and cannot be pulled: ${(error as Error).message}`)
    }
  }
  try {
    return await ensureImage(store, source.recipe)
  } catch (error) {
    throw imageError(profile, 'image.recipe', (error as Error).message)
  }
}

/** `KEY=VALUE` list → record; later entries win. */
function envRecord(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of list) {
    const eq = e.indexOf('=')
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1)
  }
  return out
}

/**
 * The image config applied as Docker applies it (moby daemon/create + runconfig merge), the workload's
 * fields overriding the image's:
 *   argv     Entrypoint + Cmd; a workload `entrypoint` replaces the image's and drops its Cmd (as
 *            `docker run --entrypoint` does) unless the workload also gives `command`; `command`
 *            replaces Cmd.
 *   env      PATH (Docker's default when the image sets none), the image's Env, HOME from the user's
 *            passwd entry when neither sets it, then the workload's env.
 *   cwd      the workload's workdir, else the image's WorkingDir, else /.
 *   user     the workload's user, else the image's User, resolved in the image's /etc/passwd and
 *            /etc/group (runc's GetExecUser, src/images/build/user.ts); root when neither sets one.
 * Throws UsageError when there is nothing to run, or the user is unknown in the image.
 */
export function runConfig(
  profile: Pick<WorkloadProfile, 'argv' | 'entrypoint' | 'env' | 'workdir' | 'user'>,
  image: OciRunConfig,
  rootfsDir: string,
): {argv: string[]; env: Record<string, string>; cwd: string; user?: WorkloadUser} {
  const entrypoint = profile.entrypoint ?? image.Entrypoint ?? []
  const cmd = profile.argv.length > 0 ? profile.argv : profile.entrypoint !== undefined ? [] : (image.Cmd ?? [])
  const argv = [...entrypoint, ...cmd]
  if (argv.length === 0) throw new UsageError('nothing to run: the image has no Entrypoint or Cmd; give command: [...]', 'no-command')
  const userSpec = profile.user ?? image.User ?? ''
  const user = userSpec ? resolveUser(rootfsDir, userSpec) : undefined
  const imageEnv = envRecord(image.Env ?? [])
  const env: Record<string, string> = {PATH: DEFAULT_PATH, ...imageEnv}
  if (env.HOME === undefined) env.HOME = userHome(rootfsDir, userSpec)
  Object.assign(env, profile.env)
  return {argv, env, cwd: profile.workdir ?? (image.WorkingDir || '/'), ...(user && (user.uid !== 0 || user.gid !== 0) ? {user} : {})}
}

/** Does the host have this program (an absolute path, or a name on the host's PATH)? */
export function hostHasProgram(program: string, path = process.env.PATH ?? DEFAULT_PATH): boolean {
  const isExec = (p: string) => {
    try {
      const st = statSync(p)
      return st.isFile() && (st.mode & 0o111) !== 0
    } catch {
      return false
    }
  }
  if (program.includes('/')) return program.startsWith('/') && isExec(program)
  return path.split(delimiter).some((d) => d && isExec(join(d, program)))
}

/** Prepare every profile once (its image obtained, unpacked, its config applied), in order. */
export async function prepareWorkloads<P extends WorkloadProfile>(profiles: Iterable<P>, opts: PrepareOptions<P>): Promise<Map<string, PreparedWorkload<P>>> {
  const store = openImageStore(opts.stateDir)
  const out = new Map<string, PreparedWorkload<P>>()
  for (const profile of profiles) {
    if (out.has(profile.name)) continue
    if (opts.imageless?.(profile) && profile.argv.length + (profile.entrypoint?.length ?? 0) > 0 && profile.user === undefined) {
      const argv = [...(profile.entrypoint ?? []), ...profile.argv]
      const spec: WorkloadSpec = {
        name: profile.name,
        argv,
        env: {PATH: DEFAULT_PATH, HOME: '/root', ...profile.env},
        ...(profile.workdir ? {cwd: profile.workdir} : {}),
        ready: profile.ready,
        ...(profile.ports ? {ports: profile.ports} : {}),
        ...(profile.rootfs ? {rootfs: profile.rootfs} : {}),
        hostRunnable: profile.runsOnHost ?? hostHasProgram(argv[0]!),
      }
      out.set(profile.name, {spec, profile, imageLabel: `${imageLabel(profile)} (not used: no arm of this run runs images)`, image: '', rootfsDigest: ''})
      continue
    }
    const ref = await obtain(store, profile, opts)
    const rootfs = await unpackRootfs(store, ref, {cleanup: opts.cleanup})
    let run: ReturnType<typeof runConfig>
    try {
      run = runConfig(profile, await imageConfig(store, ref), rootfs.dir)
    } catch (error) {
      const o = profile.origin
      const field = (error as UsageError).code === 'no-command' ? 'command' : 'user'
      throw new InputFileError(o?.file ?? o?.label ?? `workload ${profile.name}`, field, (error as Error).message)
    }
    const spec: WorkloadSpec = {
      name: profile.name,
      argv: run.argv,
      env: run.env,
      cwd: run.cwd,
      ...(run.user ? {user: run.user} : {}),
      ready: profile.ready,
      image: ref.manifestDigest,
      ...(profile.ports ? {ports: profile.ports} : {}),
      ...(profile.rootfs ? {rootfs: profile.rootfs} : {}),
      hostRunnable: profile.runsOnHost ?? hostHasProgram(run.argv[0]!),
    }
    out.set(profile.name, {spec, profile, imageLabel: imageLabel(profile), image: ref.manifestDigest, rootfsDigest: rootfs.digest})
  }
  return out
}
