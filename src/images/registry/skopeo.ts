/**
 * Registry transport through skopeo (Debian package `skopeo`, installed by `isobench setup`): a
 * well-kept client that already speaks the distribution-spec, reads the auth files Docker and
 * podman write (`$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
 * `~/.docker/config.json`), applies registries.conf mirrors, and picks a platform from manifest
 * lists. Writing our own registry client would be worse.
 *
 * This module runs skopeo and turns its failures into one line that names the reference and the
 * reason (skopeo's own messages are a chain of wrapped errors); `onLine` sees its progress lines
 * (`Copying blob sha256:…`) as they come.
 */
import {existsSync} from 'node:fs'
import {execa} from 'execa'
import {RemoteError, UsageError} from '../../core/errors.js'

export const SKOPEO = '/usr/bin/skopeo'

/** Options every registry command shares. */
export interface RegistryOptions {
  /** false: plain HTTP or unverified TLS (a local registry such as 127.0.0.1:5000). Default true. */
  tlsVerify?: boolean
  /** An auth file to use instead of the default ones (containers-auth.json(5) format). */
  authfile?: string
}

const MAX_QUOTED = 400

/** skopeo's `level=fatal msg="…"` (or plain `Error: …`) → the message. */
export function skopeoMessage(stderr: string): string {
  const fatal = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(stderr)
  if (fatal) {
    try {
      return JSON.parse(`"${fatal[1]}"`) as string
    } catch {
      return fatal[1]!
    }
  }
  const lines = stderr.trim().split('\n').filter(Boolean)
  return (lines.at(-1) ?? '').replace(/^Error:\s*/, '')
}

/** One line saying why a registry operation failed, from skopeo's message. */
export function explain(message: string, host: string): {reason: string; code: string} {
  const m = message.replace(/\s+/g, ' ')
  if (/invalid username\/password|unauthorized|authentication required|denied: requested access/i.test(m))
    return {reason: `unauthorized: the registry refused the credentials (log in with \`isobench image login ${host}\`)`, code: 'registry-unauthorized'}
  if (/manifest unknown|not found: manifest|name unknown|NAME_UNKNOWN|MANIFEST_UNKNOWN/i.test(m))
    return {reason: 'manifest unknown: the registry has no such tag or digest', code: 'registry-not-found'}
  if (/server gave HTTP response to HTTPS client/i.test(m)) return {reason: `${host} speaks plain HTTP: add --tls-verify=false`, code: 'registry-tls'}
  if (/x509|certificate/i.test(m))
    return {
      reason: `${host}: TLS certificate not trusted (${cut(m.replace(/^.*?(x509|certificate)/i, '$1'))}); add --tls-verify=false for a local registry`,
      code: 'registry-tls',
    }
  if (/no image found in (manifest list|image index)|no matching manifest/i.test(m))
    return {reason: `no image for the requested platform: ${cut(m.replace(/^.*?(no image found|no matching manifest)/i, '$1'))}`, code: 'registry-platform'}
  const net =
    /(connection refused|no such host|i\/o timeout|network is unreachable|connection reset by peer|no route to host|TLS handshake timeout|context deadline exceeded)/i.exec(
      m,
    )
  if (net) return {reason: `cannot reach registry ${host}: ${net[1]!.toLowerCase()}`, code: 'registry-unreachable'}
  return {reason: cut(m.replace(/^(initializing (source|destination) \S+: |reading manifest \S+ in \S+: )+/, '')), code: 'registry-failed'}
}

function cut(s: string): string {
  return s.length > MAX_QUOTED ? s.slice(0, MAX_QUOTED - 1) + '…' : s
}

export function assertSkopeo(): void {
  if (!existsSync(SKOPEO)) throw new UsageError(`${SKOPEO} is missing: run \`isobench setup\` (apt package skopeo)`, 'no-skopeo')
}

/**
 * Run skopeo with args; resolves with stdout. On failure throws a RemoteError (exit 1, one line):
 * `<what>: <reason>`. `onLine` gets each stdout/stderr line as it arrives.
 */
export async function skopeo(
  args: string[],
  opts: {what: string; host: string; onLine?: (line: string) => void; input?: string; stdin?: 'inherit'},
): Promise<string> {
  assertSkopeo()
  const child = execa(SKOPEO, args, {
    reject: false,
    all: true,
    maxBuffer: 16 << 20,
    ...(opts.input !== undefined ? {input: opts.input} : opts.stdin ? {stdin: 'inherit' as const} : {stdin: 'ignore' as const}),
  })
  if (opts.onLine) {
    let buf = ''
    child.all?.on('data', (b: Buffer) => {
      buf += b.toString()
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        opts.onLine!(buf.slice(0, i))
        buf = buf.slice(i + 1)
      }
    })
  }
  const r = await child
  if (r.exitCode !== 0) {
    const {reason, code} = explain(skopeoMessage(r.stderr ?? ''), opts.host)
    throw new RemoteError(`${opts.what}: ${reason}`, code)
  }
  return r.stdout ?? ''
}

/** `--src-tls-verify`/`--dest-tls-verify`/`--tls-verify` and auth file flags for one side. */
export function sideFlags(side: 'src' | 'dest' | '', o: RegistryOptions): string[] {
  const p = side ? `--${side}-` : '--'
  const out: string[] = []
  if (o.tlsVerify === false) out.push(`${p}tls-verify=false`)
  if (o.authfile) out.push(`${p}authfile`, o.authfile)
  return out
}
