/**
 * `--mount` flags (Docker's syntax, the subset we support) and port specs, parsed into data.
 *   type=bind,src=/host/path,dst=/in/container[,ro|readonly]
 *   type=volume,src=NAME,dst=/in/container[,ro]
 *   -p HOST:CONTAINER  (published on 127.0.0.1 only)
 */
import {isAbsolute, normalize} from 'node:path'
import {UsageError} from '../../core/errors.js'

export type MountSpec = {type: 'bind'; source: string; target: string; readonly: boolean} | {type: 'volume'; source: string; target: string; readonly: boolean}

export interface PortSpec {
  host: number
  container: number
}

export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/

const KEY_ALIASES: Record<string, 'type' | 'source' | 'target' | 'readonly'> = {
  type: 'type',
  src: 'source',
  source: 'source',
  dst: 'target',
  destination: 'target',
  target: 'target',
  ro: 'readonly',
  readonly: 'readonly',
}

function badMount(text: string, why: string): UsageError {
  return new UsageError(`--mount ${JSON.stringify(text)}: ${why} (expected type=bind|volume,src=…,dst=/path[,ro])`, 'bad-mount')
}

/** A container path: absolute, normalised, not '/', no '..' left after normalising, no commas or '='. */
export function containerPath(p: string, what: (why: string) => Error): string {
  if (!isAbsolute(p)) throw what(`destination ${JSON.stringify(p)} must be an absolute path`)
  const n = normalize(p)
  if (n === '/') throw what('destination must not be / itself')
  if (n.split('/').includes('..')) throw what(`destination ${JSON.stringify(p)} must not contain ..`)
  if (/[=\0]/.test(n)) throw what(`destination ${JSON.stringify(p)} must not contain = or NUL`)
  return n.replace(/\/$/, '')
}

export function parseMount(text: string): MountSpec {
  const fields: Partial<Record<'type' | 'source' | 'target' | 'readonly', string>> = {}
  for (const part of text.split(',')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawKey = eq < 0 ? part : part.slice(0, eq)
    const key = KEY_ALIASES[rawKey]
    if (!key) throw badMount(text, `unknown key ${JSON.stringify(rawKey)}`)
    const value = eq < 0 ? 'true' : part.slice(eq + 1)
    if (fields[key] !== undefined) throw badMount(text, `${rawKey} given twice`)
    fields[key] = value
  }
  const {type, source, target} = fields
  if (type !== 'bind' && type !== 'volume') throw badMount(text, `type must be bind or volume, got ${JSON.stringify(type ?? '')}`)
  if (!source) throw badMount(text, 'src is missing')
  if (!target) throw badMount(text, 'dst is missing')
  const ro = fields.readonly ?? 'false'
  if (!['true', 'false', '1', '0'].includes(ro)) throw badMount(text, `ro must be true or false, got ${JSON.stringify(ro)}`)
  const readonly = ro === 'true' || ro === '1'
  const dst = containerPath(target, (why) => badMount(text, why))
  if (type === 'bind') {
    if (!isAbsolute(source)) throw badMount(text, `bind source ${JSON.stringify(source)} must be an absolute host path`)
    if (/[=\0]/.test(source)) throw badMount(text, 'bind source must not contain = or NUL')
    return {type, source: normalize(source), target: dst, readonly}
  }
  if (!VOLUME_NAME.test(source)) throw badMount(text, `volume name ${JSON.stringify(source)} must match ${VOLUME_NAME.source}`)
  return {type, source, target: dst, readonly}
}

export function parsePort(text: string): PortSpec {
  const m = /^(?:127\.0\.0\.1:)?(\d{1,5}):(\d{1,5})(?:\/tcp)?$/.exec(text)
  const ok = (n: number) => n >= 1 && n <= 65_535
  if (!m || !ok(Number(m[1])) || !ok(Number(m[2]))) {
    throw new UsageError(`-p ${JSON.stringify(text)}: expected HOST:CONTAINER with ports 1-65535 (published on 127.0.0.1, tcp)`, 'bad-port')
  }
  return {host: Number(m[1]), container: Number(m[2])}
}

/** Sizes like 64m, 1g, 512MiB, 1048576 → MiB. */
export function parseMemoryMiB(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim())
  if (!m) throw new UsageError(`--memory ${JSON.stringify(text)}: expected a size like 64m, 512MiB or 1g`, 'bad-size')
  const n = Number(m[1])
  const unit = (m[2] ?? '').toLowerCase()
  const bytes = n * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : unit === 't' ? 1024 ** 4 : 1)
  const mib = Math.floor(bytes / 1024 ** 2)
  if (mib < 6) throw new UsageError(`--memory ${JSON.stringify(text)}: at least 6 MiB`, 'bad-size')
  return mib
}

/** Docker's `-v` short form → a `--mount` string: NAME:/ctr[:ro] (volume) or /host:/ctr[:ro] (bind). */
export function volumeFlagToMount(text: string): string {
  const parts = text.split(':')
  if (parts.length < 2 || parts.length > 3 || (parts.length === 3 && !['ro', 'rw'].includes(parts[2]!))) {
    throw new UsageError(`-v ${JSON.stringify(text)}: expected NAME:/path[:ro] or /host/path:/path[:ro]`, 'bad-mount')
  }
  const [src, dst, mode] = parts
  return `type=${src!.startsWith('/') ? 'bind' : 'volume'},src=${src},dst=${dst}${mode === 'ro' ? ',ro' : ''}`
}
