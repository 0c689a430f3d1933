/**
 * Image names: `name[:tag]` (tag defaults to `latest`), `name@sha256:…`, a full digest, or a unique
 * prefix (≥ 6 hex chars) of a manifest digest. Bad names are UsageErrors (exit 2).
 */
import {UsageError} from '../core/errors.js'

const NAME_RE = /^[a-z0-9]+(?:[._\-/][a-z0-9]+|__[a-z0-9]+|[.:][0-9]+\/[a-z0-9]+)*$/i
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

export type ParsedRef = {kind: 'name'; name: string} | {kind: 'digest'; digest: string} | {kind: 'prefix'; prefix: string}

/** `debian` → `debian:latest`; `host:5000/a/b` → `host:5000/a/b:latest`; keeps an explicit tag. */
export function normalizeName(input: string): string {
  const s = input.trim()
  const slash = s.lastIndexOf('/')
  const colon = s.lastIndexOf(':')
  const [repo, tag] = colon > slash ? [s.slice(0, colon), s.slice(colon + 1)] : [s, 'latest']
  if (!repo || !NAME_RE.test(repo)) throw new UsageError(`invalid image name ${JSON.stringify(input)}: expected name[:tag] with letters, digits, '.', '_', '-', '/'`, 'bad-image-name')
  if (!TAG_RE.test(tag)) throw new UsageError(`invalid tag in ${JSON.stringify(input)}: expected up to 128 of [A-Za-z0-9_.-]`, 'bad-image-name')
  return `${repo}:${tag}`
}

export function parseRef(input: string): ParsedRef {
  const s = input.trim()
  const at = s.indexOf('@')
  const digestPart = at >= 0 ? s.slice(at + 1) : s
  if (/^sha256:[a-f0-9]{64}$/.test(digestPart)) return {kind: 'digest', digest: digestPart}
  if (at >= 0) throw new UsageError(`invalid digest in ${JSON.stringify(input)}: expected name@sha256:<64 hex>`, 'bad-image-name')
  if (/^(sha256:)?[a-f0-9]{6,64}$/.test(s) && !s.includes('/')) return {kind: 'prefix', prefix: s.replace(/^sha256:/, '')}
  return {kind: 'name', name: normalizeName(s)}
}

/** The tag of a normalized name (`a/b:1.0` → `1.0`). */
export function tagOf(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1)
}
