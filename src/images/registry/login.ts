/**
 * `image login` / `image logout`: credentials for a registry, kept by skopeo in the auth file the
 * containers tools and Docker read (`$REGISTRY_AUTH_FILE`, else `$XDG_RUNTIME_DIR/containers/auth.json`;
 * `~/.docker/config.json` is read too), or in --authfile. The password goes to skopeo on stdin,
 * never on a command line.
 */
import {RemoteError} from '../../core/errors.js'
import {registryHost} from '../names.js'
import {sideFlags, skopeo, type RegistryOptions} from './skopeo.js'

export async function loginRegistry(registry: string, opts: RegistryOptions & {username?: string; password?: string}): Promise<{registry: string}> {
  const host = registryHost(registry)
  const args = ['login', ...sideFlags('', opts)]
  if (opts.username !== undefined) args.push('--username', opts.username)
  if (opts.password !== undefined) args.push('--password-stdin')
  args.push(host)
  try {
    await skopeo(args, {what: `login ${host}`, host, ...(opts.password !== undefined ? {input: opts.password} : {stdin: 'inherit' as const})})
  } catch (error) {
    if (error instanceof RemoteError && error.code === 'registry-unauthorized') throw new RemoteError(`login ${host}: invalid username or password`, error.code)
    throw error
  }
  return {registry: host}
}

export async function logoutRegistry(registry: string, opts: Pick<RegistryOptions, 'authfile'> = {}): Promise<{registry: string}> {
  const host = registryHost(registry)
  await skopeo(['logout', ...(opts.authfile ? ['--authfile', opts.authfile] : []), host], {what: `logout ${host}`, host})
  return {registry: host}
}
