/**
 * `--engine-socket ARM=PATH`: let an engine arm use a daemon that is already running (dockerd's
 * socket for the docker arm, containerd's for ctr) instead of starting its own private one. Without
 * it, no engine arm ever talks to a user's own daemon. Bad input is a UsageError (exit 2) naming the flag.
 */
import {existsSync, statSync} from 'node:fs'
import {UsageError} from '../core/errors.js'

/** The arms that can be pointed at a running daemon. */
export const ENGINE_SOCKET_ARMS = ['docker', 'ctr'] as const

/** Parse the flag's values into {arm: socket path}; every socket must exist and be a socket. */
export function parseEngineSockets(values: readonly string[]): Partial<Record<(typeof ENGINE_SOCKET_ARMS)[number], string>> {
  const out: Partial<Record<(typeof ENGINE_SOCKET_ARMS)[number], string>> = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    const arm = v.slice(0, eq)
    const path = v.slice(eq + 1)
    if (eq <= 0 || !path) throw new UsageError(`--engine-socket: expected ARM=PATH (e.g. docker=/run/docker.sock), got ${JSON.stringify(v.slice(0, 200))}`)
    if (!(ENGINE_SOCKET_ARMS as readonly string[]).includes(arm))
      throw new UsageError(`--engine-socket: unknown engine arm ${JSON.stringify(arm.slice(0, 60))}; expected one of ${ENGINE_SOCKET_ARMS.join(', ')}`)
    if (!existsSync(path) || !statSync(path).isSocket()) throw new UsageError(`--engine-socket: ${arm}: ${JSON.stringify(path.slice(0, 200))} is not a socket`)
    out[arm as (typeof ENGINE_SOCKET_ARMS)[number]] = path
  }
  return out
}
