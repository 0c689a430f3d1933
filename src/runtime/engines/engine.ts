/**
 * Container engines (podman, containerd's ctr, dockerd) driven as their users drive them, each
 * with its own private directories, socket and cgroup parent, and any OCI runtime binary given as
 * runc's stand-in. The integration tests run isobench-runtime under each; a later benchmark arm
 * runs a workload through them. An engine never touches another's state and leaves nothing on the
 * host after stop() (host-traces.ts checks).
 */
import {execa} from 'execa'
import type {Traces} from './host-traces.js'

/** An OCI runtime an engine runs instead of runc: a name (docker's --add-runtime) and its binary. */
export interface OciRuntimeRef {
  name: string
  path: string
}

/** An image every engine can load: a flat rootfs tar (podman/docker import) and an OCI image archive (ctr import). */
export interface LocalImage {
  rootfsTar: string
  ociArchive: string
}

export interface EngineRun {
  exitCode: number
  stdout: string
  stderr: string
  /** Wall time of the client command, spawn to exit (node's spawn cost included: compare engines with each other, not with the C timer). */
  ms: number
}

export interface ClientEngine {
  readonly name: 'podman' | 'containerd' | 'docker'
  /** Import the image; returns the reference to run. */
  importImage(image: LocalImage): Promise<string>
  /** Run argv in a new container with this runtime and wait for it (foreground; removed after with rm). */
  run(runtime: OciRuntimeRef, ref: string, argv: string[], opts?: {rm?: boolean; id?: string}): Promise<EngineRun>
  /** Start a container in the background under this id. */
  runDetached(runtime: OciRuntimeRef, ref: string, argv: string[], id: string): Promise<void>
  kill(id: string, signal: string): Promise<void>
  /** Wait for a detached container to stop; its exit code. */
  wait(id: string): Promise<number>
  remove(id: string): Promise<void>
  /** Stop daemons, remove the private directory and the cgroup parent. */
  stop(): Promise<void>
  /** What is left on the host that belongs to this engine instance. */
  traces(): Traces
  /** Pids of the daemons it runs (their own processes are not leftovers while it runs). */
  daemons(): number[]
}

/** Run a client command with a deadline; never throws for a non-zero exit (the caller looks at it). */
export async function client(argv: string[], opts: {timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string} = {}): Promise<EngineRun> {
  const t0 = performance.now()
  const r = await execa(argv[0]!, argv.slice(1), {
    reject: false,
    timeout: opts.timeoutMs ?? 120_000,
    env: opts.env,
    input: opts.input,
    maxBuffer: 16 * 1024 * 1024,
  })
  const ms = performance.now() - t0
  const cap = (s: unknown) => String(s ?? '').slice(-8192)
  return {exitCode: r.exitCode ?? (r.timedOut ? 124 : 1), stdout: cap(r.stdout), stderr: cap(r.stderr), ms}
}

/** Throw unless a setup command succeeded (quoting a few KB of its stderr). */
export function ok(r: EngineRun, what: string): EngineRun {
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}): ${r.stderr.slice(-2000) || r.stdout.slice(-2000)}`)
  return r
}

/**
 * The verbs docker and podman spell alike (`kill --signal SIG ID`, `wait ID`, `rm --force ID`), for an
 * engine that gives `cli`: its own command line with its global flags. A failed verb throws (ok()).
 */
export abstract class DockerCliEngine {
  abstract readonly name: 'podman' | 'docker'
  /** Run `<the engine's CLI and its global flags> ARGS`. */
  protected abstract cli(args: string[]): Promise<EngineRun>

  async kill(id: string, signal: string): Promise<void> {
    ok(await this.cli(['kill', '--signal', signal, id]), `${this.name} kill`)
  }

  async wait(id: string): Promise<number> {
    return Number(ok(await this.cli(['wait', id]), `${this.name} wait`).stdout.trim())
  }

  async remove(id: string): Promise<void> {
    ok(await this.cli(['rm', '--force', id]), `${this.name} rm`)
  }
}
