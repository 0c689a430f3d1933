/**
 * Image references, normalized as Docker normalizes them (distribution/reference: normalize.go,
 * regexp.go). One rule decides what a name means everywhere (store, import, build, registry):
 *
 *   web                      → docker.io/library/web:latest    (familiar: web:latest)
 *   docker.io/library/web:1  → docker.io/library/web:1         (familiar: web:1)
 *   index.docker.io/a/b      → docker.io/a/b:latest            (familiar: a/b:latest)
 *   host:5000/a/b            → host:5000/a/b:latest            (domain kept)
 *   localhost/x              → localhost/x:latest              (localhost is always a domain)
 *   web@sha256:<64 hex>      → docker.io/library/web@sha256:…  (a digest is kept; with a tag too, the tag is dropped)
 *
 * The store names images by the FAMILIAR form with its tag (`web:1`, `isobench/idle:latest`,
 * `host:5000/a/b:1`), as `docker images` shows them; registries get the fully qualified form.
 * Also: an image id (a full digest or a unique prefix of ≥ 6 hex digits of a manifest digest).
 * Bad references are UsageErrors (exit 2) naming what was expected.
 */
import {UsageError} from '../core/errors.js'

const DEFAULT_DOMAIN = 'docker.io'
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io'
const OFFICIAL_PREFIX = 'library/'
const DEFAULT_TAG = 'latest'
/** distribution/reference NameTotalLengthMax. */
const NAME_MAX = 255

const ALNUM = '[a-z0-9]+'
const SEPARATOR = '(?:[._]|__|[-]+)'
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`
const REMOTE_NAME_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`)
const TAG_RE = /^[\w][\w.-]{0,127}$/
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/
const IDENTIFIER_RE = /^[a-f0-9]{64}$/

/** A parsed, normalized image reference. */
export interface ImageReference {
  /** Registry host[:port], `docker.io` for Docker Hub. */
  domain: string
  /** Repository path inside the registry (`library/web`, `a/b`). */
  path: string
  tag?: string
  digest?: string
}

function bad(input: string, what: string): never {
  throw new UsageError(`invalid image reference ${JSON.stringify(input)}: ${what}`, 'bad-image-name')
}

/** Docker's splitDockerDomain: is the first component a registry host? */
function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/')
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_PREFIX + name]
  const first = name.slice(0, slash)
  const rest = name.slice(slash + 1)
  let domain: string
  let remote: string
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first)
    [domain, remote] = [first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first, rest]
  else [domain, remote] = [DEFAULT_DOMAIN, name]
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = OFFICIAL_PREFIX + remote
  return [domain, remote]
}

/**
 * Parse `[domain/]path[:tag][@digest]` the way `docker pull` does (ParseNormalizedNamed). The
 * repository must be lowercase; a 64-hex string alone is an id, never a name. No default tag is
 * added here (see withDefaultTag).
 */
export function parseReference(input: string): ImageReference {
  const s = input.trim()
  if (!s) bad(input, 'empty')
  if (IDENTIFIER_RE.test(s)) bad(input, 'a 64-hex string is an image id, not a repository name')
  let rest = s
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST_RE.test(digest)) bad(input, 'expected name@sha256:<hex> after @')
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG_RE.test(tag)) bad(input, 'a tag is up to 128 of [A-Za-z0-9_.-], not starting with . or -')
  }
  const [domain, path] = splitDomain(rest)
  if (path.toLowerCase() !== path) bad(input, 'the repository name must be lowercase')
  if (!DOMAIN_RE.test(domain)) bad(input, `${JSON.stringify(domain)} is not a registry host[:port]`)
  if (!REMOTE_NAME_RE.test(path))
    bad(input, "expected [host[:port]/]name[:tag] with lowercase letters, digits and '.', '_', '__', '-' between them, '/' between components")
  if (domain.length + 1 + path.length > NAME_MAX) bad(input, `the name is longer than ${NAME_MAX} characters`)
  return {domain, path, ...(tag !== undefined ? {tag} : {}), ...(digest !== undefined ? {digest} : {})}
}

/** Docker's ParseDockerRef: a digest wins over a tag; neither → `latest`. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  if (ref.digest) return {domain: ref.domain, path: ref.path, digest: ref.digest}
  return {...ref, tag: ref.tag ?? DEFAULT_TAG}
}

function suffix(ref: ImageReference): string {
  return `${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}

/** The repository as Docker shows it: `web`, `a/b`, `host:5000/a/b`. */
export function familiarRepository(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`
  const rest = ref.path.startsWith(OFFICIAL_PREFIX) ? ref.path.slice(OFFICIAL_PREFIX.length) : ref.path
  return rest.includes('/') ? ref.path : rest
}

/** `web:1`, `a/b:latest`, `host:5000/a/b@sha256:…` (Docker's FamiliarString). */
export function familiarString(ref: ImageReference): string {
  return familiarRepository(ref) + suffix(ref)
}

/** `docker.io/library/web:1` (what a registry client is given). */
export function fullyQualified(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${suffix(ref)}`
}

/**
 * The store's name for an image reference: familiar form with `:latest` added when there is no
 * tag or digest (`docker.io/library/web` → `web:latest`, `web:1` → `web:1`).
 */
export function normalizeName(input: string): string {
  return familiarString(withDefaultTag(parseReference(input)))
}

export type ParsedRef = {kind: 'name'; name: string; digest?: string} | {kind: 'digest'; digest: string} | {kind: 'prefix'; prefix: string}

/**
 * What the user gave to a command that takes an image: a full digest (`sha256:…`), an id prefix
 * (6–64 hex digits), or a reference (normalized; `digest` set when it has one).
 */
export function parseRef(input: string): ParsedRef {
  const s = input.trim()
  if (/^sha256:[a-f0-9]{64}$/.test(s)) return {kind: 'digest', digest: s}
  if (/^(sha256:)?[a-f0-9]{6,64}$/.test(s) && !s.includes('/')) return {kind: 'prefix', prefix: s.replace(/^sha256:/, '')}
  const ref = withDefaultTag(parseReference(s))
  if (ref.digest && !/^sha256:[a-f0-9]{64}$/.test(ref.digest)) bad(input, 'only sha256 digests are supported (sha256:<64 hex>)')
  return {kind: 'name', name: familiarString(ref), ...(ref.digest ? {digest: ref.digest} : {})}
}

/** The tag of a normalized name (`a/b:1.0` → `1.0`; none for a digest reference → `latest`). */
export function tagOf(name: string): string {
  const ref = parseReference(name)
  return ref.tag ?? DEFAULT_TAG
}

/**
 * A registry host for login/logout: `host[:port]` (an `https://` prefix and a path are dropped, as
 * `docker login` does); `docker.io` and `index.docker.io` are Docker Hub.
 */
export function registryHost(input: string): string {
  const s = input
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
  if (!DOMAIN_RE.test(s))
    throw new UsageError(`invalid registry ${JSON.stringify(input)}: expected host[:port], e.g. 127.0.0.1:5000 or docker.io`, 'bad-registry')
  return s === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : s
}
