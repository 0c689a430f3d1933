/**
 * The seccomp filter of a container: which profile (`--security-opt seccomp=unconfined|FILE`, as
 * Docker; default Docker's, see seccomp-default.ts), resolved to the OCI object once, and compiled
 * by the helper once per profile into a cached BPF file that the helper only installs at each start
 * (compiling Docker's ≈ 380 rules takes ≈ 10 ms here, twice a container's start-to-exit).
 *
 * Cache: `<helper dir>/seccomp/<sha256 of the OCI JSON>.json` and `…-<helper stamp>.bpf` (the
 * program depends on the libseccomp linked into the helper, so a rebuilt helper compiles again).
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {readInputText} from '../../core/read-input.js'
import {dirname, join} from 'node:path'
import {execa} from 'execa'
import {UsageError} from '../../core/errors.js'
import {ensureNsexec, NSEXEC_BINARY} from '../native/build.js'
import {dockerDefaultSeccomp} from './seccomp-default.js'
import {
  hostTarget,
  SECCOMP_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPS,
  toOciSeccomp,
  type DockerSeccompProfile,
  type OciSeccomp,
  DEFAULT_CAPS,
} from './seccomp-profile.js'

/** What a container records: the profile's name ('default', 'unconfined' or the file given) and its digest (null: no filter). */
export interface SeccompChoice {
  profile: string
  digest: string | null
}

export interface SeccompFilter {
  /** The compiled program (raw struct sock_filter array). */
  bpf: string
  /** SECCOMP_FILTER_FLAG_* bits for seccomp(2). */
  flags: number
  digest: string
}

const MAX_PROFILE_BYTES = 4 * 1024 * 1024

/** The seccomp value of `--security-opt seccomp=…` (Docker's syntax; also `seccomp:…`); undefined for other options. */
export function seccompOption(securityOpts: string[]): string | undefined {
  let value: string | undefined
  for (const opt of securityOpts) {
    const m = /^seccomp[=:](.*)$/s.exec(opt)
    if (!m) throw new UsageError(`--security-opt ${JSON.stringify(opt)}: only seccomp=unconfined|default|FILE is supported`, 'bad-flag')
    if (m[1] === '') throw new UsageError(`--security-opt ${JSON.stringify(opt)}: expected seccomp=unconfined, seccomp=default or seccomp=FILE`, 'bad-flag')
    value = m[1]
  }
  return value
}

/** Line and column of a character offset, for JSON errors. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return `${line}:${offset - before.lastIndexOf('\n')}`
}

/** Read and check a Docker-format profile file; errors name the file and the field (exit 2). */
export function readProfileFile(file: string): DockerSeccompProfile {
  const bad = (field: string, expected: string) => new UsageError(`${file}: ${field ? `${field}: ` : ''}${expected}`, 'bad-seccomp-profile')
  const text = readInputText(file, {what: 'seccomp profile', maxBytes: MAX_PROFILE_BYTES})
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const m = /position (\d+)/.exec((error as Error).message)
    throw new UsageError(`${file}${m ? `:${position(text, Number(m[1]))}` : ''}: not JSON: ${(error as Error).message.split('\n')[0]}`, 'bad-seccomp-profile')
  }
  validateProfile(json, bad)
  return json as DockerSeccompProfile
}

type Bad = (field: string, expected: string) => Error

function validateProfile(p: unknown, bad: Bad): void {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  const strings = (v: unknown, field: string, allowed?: string[]) => {
    if (v === undefined || v === null) return
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(field, 'expected an array of strings')
    if (allowed)
      for (const [i, x] of v.entries()) if (!allowed.includes(x)) throw bad(`${field}[${i}]`, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(x)}`)
  }
  const errno = (v: unknown, field: string) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 4095))
      throw bad(field, `expected an errno number 0-4095, got ${JSON.stringify(v)}`)
  }
  const action = (v: unknown, field: string) => {
    if (typeof v !== 'string' || !SECCOMP_ACTIONS.includes(v)) throw bad(field, `expected one of ${SECCOMP_ACTIONS.join(', ')}, got ${JSON.stringify(v)}`)
    if (v === 'SCMP_ACT_NOTIFY') throw bad(field, 'SCMP_ACT_NOTIFY needs a seccomp agent, which isobench does not run')
  }
  if (!isObj(p)) throw bad('', "expected a JSON object (Docker's seccomp profile format)")
  action(p.defaultAction, 'defaultAction')
  errno(p.defaultErrnoRet, 'defaultErrnoRet')
  strings(p.architectures, 'architectures')
  strings(p.flags, 'flags', SECCOMP_FLAGS)
  if (p.listenerPath !== undefined) throw bad('listenerPath', 'seccomp notify is not supported')
  if (p.archMap !== undefined && p.archMap !== null) {
    if (!Array.isArray(p.archMap)) throw bad('archMap', 'expected an array')
    for (const [i, a] of p.archMap.entries()) {
      if (!isObj(a) || typeof a.architecture !== 'string') throw bad(`archMap[${i}].architecture`, 'expected a string such as SCMP_ARCH_X86_64')
      strings(a.subArchitectures, `archMap[${i}].subArchitectures`)
    }
  }
  if (p.syscalls === undefined || p.syscalls === null) return
  if (!Array.isArray(p.syscalls)) throw bad('syscalls', 'expected an array')
  for (const [i, r] of p.syscalls.entries()) {
    const f = `syscalls[${i}]`
    if (!isObj(r)) throw bad(f, 'expected an object')
    if (r.name !== undefined && typeof r.name !== 'string') throw bad(`${f}.name`, 'expected a string')
    strings(r.names, `${f}.names`)
    if (r.name === undefined && !(Array.isArray(r.names) && r.names.length > 0)) throw bad(`${f}.names`, 'expected at least one syscall name')
    action(r.action, `${f}.action`)
    errno(r.errnoRet, `${f}.errnoRet`)
    if (r.args !== undefined && r.args !== null) {
      if (!Array.isArray(r.args)) throw bad(`${f}.args`, 'expected an array')
      for (const [j, a] of r.args.entries()) {
        const g = `${f}.args[${j}]`
        if (!isObj(a)) throw bad(g, 'expected an object')
        if (!Number.isInteger(a.index) || (a.index as number) < 0 || (a.index as number) > 5)
          throw bad(`${g}.index`, `expected 0-5, got ${JSON.stringify(a.index)}`)
        for (const k of ['value', 'valueTwo'] as const) {
          if (a[k] !== undefined && (!Number.isSafeInteger(a[k]) || (a[k] as number) < 0))
            throw bad(`${g}.${k}`, `expected an integer 0-${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(a[k])}`)
        }
        if (typeof a.op !== 'string' || !SECCOMP_OPS.includes(a.op))
          throw bad(`${g}.op`, `expected one of ${SECCOMP_OPS.join(', ')}, got ${JSON.stringify(a.op)}`)
      }
    }
    for (const k of ['includes', 'excludes'] as const) {
      const flt = r[k]
      if (flt === undefined || flt === null) continue
      if (!isObj(flt)) throw bad(`${f}.${k}`, 'expected an object')
      strings(flt.caps, `${f}.${k}.caps`)
      strings(flt.arches, `${f}.${k}.arches`)
      if (flt.minKernel !== undefined && (typeof flt.minKernel !== 'string' || !/^\d+\.\d+$/.test(flt.minKernel)))
        throw bad(`${f}.${k}.minKernel`, `expected "<kernel>.<major>" such as "4.8", got ${JSON.stringify(flt.minKernel)}`)
    }
  }
}

/** The OCI object for a profile choice: 'default' (Docker's), 'unconfined' (null), or a Docker-format file. */
export function resolveSeccomp(profile = 'default'): OciSeccomp | null {
  if (profile === 'unconfined') return null
  if (profile === 'default') return dockerDefaultSeccomp()
  const p = readProfileFile(profile)
  try {
    return toOciSeccomp(p, hostTarget(DEFAULT_CAPS))
  } catch (error) {
    throw new UsageError(`${profile}: ${(error as Error).message}`, 'bad-seccomp-profile')
  }
}

export function seccompDigest(oci: OciSeccomp): string {
  return createHash('sha256').update(JSON.stringify(oci)).digest('hex')
}

export function seccompCacheDir(): string {
  return join(dirname(NSEXEC_BINARY), 'seccomp')
}

/** seccomp(2) flag bits (include/uapi/linux/seccomp.h) for the OCI flag names; TSYNC is not needed (one thread). */
export function seccompFlagBits(flags: string[] = []): number {
  const bits: Record<string, number> = {SECCOMP_FILTER_FLAG_LOG: 2, SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32}
  return flags.reduce((acc, f) => acc | (bits[f] ?? 0), 0)
}

/** Record a resolved profile in the cache (by digest), so the container's later exec finds it. */
export function rememberSeccomp(profile: string, oci: OciSeccomp | null): SeccompChoice {
  if (!oci) return {profile, digest: null}
  const digest = seccompDigest(oci)
  const file = join(seccompCacheDir(), `${digest}.json`)
  if (!existsSync(file)) {
    mkdirSync(seccompCacheDir(), {recursive: true})
    const tmp = `${file}.tmp-${process.pid}`
    writeFileSync(tmp, JSON.stringify(oci))
    renameSync(tmp, file)
  }
  return {profile, digest}
}

const compiled = new Map<string, Promise<SeccompFilter>>()

/** The compiled filter for a recorded profile: the cached BPF file, compiled by the helper on first use. */
export function compiledSeccomp(choice: SeccompChoice): Promise<SeccompFilter | null> {
  const digest = choice.digest
  if (!digest) return Promise.resolve(null)
  let p = compiled.get(digest)
  if (!p) {
    p = compile(choice.profile, digest)
    compiled.set(digest, p)
    p.catch(() => compiled.delete(digest))
  }
  return p
}

async function compile(profile: string, digest: string): Promise<SeccompFilter> {
  const helper = await ensureNsexec()
  const json = join(seccompCacheDir(), `${digest}.json`)
  if (!existsSync(json)) throw new Error(`seccomp profile ${profile} (${digest.slice(0, 12)}) is no longer in ${seccompCacheDir()}`)
  const oci = JSON.parse(readFileSync(json, 'utf8')) as OciSeccomp
  const st = statSync(helper)
  const stamp = createHash('sha256').update(`${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 12)
  const bpf = join(seccompCacheDir(), `${digest}-${stamp}.bpf`)
  if (!existsSync(bpf)) {
    const r = await execa(helper, ['seccomp-compile', json, bpf], {reject: false, all: true})
    if (r.exitCode !== 0) {
      const msg = (r.all ?? r.message).slice(0, 2000).replace(/^isobench-nsexec: /, '')
      if (profile === 'default' || profile === 'unconfined') throw new Error(`compiling the seccomp profile ${profile} failed: ${msg}`)
      throw new UsageError(`${profile}: ${msg}`, 'bad-seccomp-profile')
    }
  }
  return {bpf, flags: seccompFlagBits(oci.flags), digest}
}

/** A container's profile as the OCI object config.json carries (null: unconfined); Docker's default when it recorded none. */
export function seccompObjectFor(choice: SeccompChoice | undefined): OciSeccomp | null {
  const c = choice ?? defaultSeccompChoice()
  if (!c.digest) return null
  const file = join(seccompCacheDir(), `${c.digest}.json`)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as OciSeccomp
  if (c.profile === 'default') return dockerDefaultSeccomp()
  throw new UsageError(`seccomp profile ${c.profile} (${c.digest.slice(0, 12)}) is no longer in ${seccompCacheDir()}`, 'bad-seccomp-profile')
}

/** A container's filter: its recorded choice, or Docker's default when the config predates seccomp or an arm made it. */
export async function seccompFilterFor(choice: SeccompChoice | undefined): Promise<SeccompFilter | null> {
  return compiledSeccomp(choice ?? defaultSeccompChoice())
}

let defaultChoice: SeccompChoice | null = null

export function defaultSeccompChoice(): SeccompChoice {
  defaultChoice ??= rememberSeccomp('default', dockerDefaultSeccomp())
  return defaultChoice
}

/** A short label for results: "docker-default sha256:0123456789ab", "unconfined" or "FILE sha256:…". */
export function seccompLabel(choice: SeccompChoice | undefined): string {
  const c = choice ?? defaultSeccompChoice()
  if (!c.digest) return 'unconfined'
  return `${c.profile === 'default' ? 'docker-default' : c.profile} sha256:${c.digest.slice(0, 12)}`
}

/** The default profile's label for arm info (never throws: says why it is unavailable instead). */
export function defaultSeccompLabel(): string {
  try {
    return seccompLabel(undefined)
  } catch (error) {
    return `unavailable: ${(error as Error).message.split('\n')[0]}`
  }
}
