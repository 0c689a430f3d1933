/** The flags every registry-facing command shares (pull, push, login, build's base-image pulls). */
import {Flags} from '@oclif/core'
import type {RegistryOptions} from './skopeo.js'

export const registryFlags = {
  'tls-verify': Flags.string({
    description: "verify the registry's TLS certificate; false also allows plain HTTP (a local registry such as 127.0.0.1:5000)",
    options: ['true', 'false'],
    default: 'true',
  }),
  authfile: Flags.string({
    description:
      'auth file to read (and, for login, write) instead of the default ($REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json)',
  }),
}

export function registryOptions(flags: {'tls-verify'?: string; authfile?: string}): RegistryOptions {
  return {tlsVerify: flags['tls-verify'] !== 'false', ...(flags.authfile ? {authfile: flags.authfile} : {})}
}
