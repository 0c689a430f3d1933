/**
 * What each Containerfile instruction does to a stage's image config, as the Dockerfile reference
 * and BuildKit (dockerfile2llb) define it. Pure functions over StageConfig; the filesystem steps
 * (RUN, COPY, ADD, WORKDIR's directory) are in build.ts.
 *
 * Variables: ARG values are visible to later instructions of their scope and to RUN, ENV values
 * override ARGs of the same name; every substitution in one instruction sees the values from before
 * it (`ENV A=1 B=$A` gives B the old A). ARGs are never written to the image config.
 */
import {InputFileError} from '../../core/errors.js'
import type {OciRunConfig} from '../oci.js'
import {rawKeyValueWords, whitespaceWords, type Instruction} from './containerfile.js'
import {LexError, processWord} from './lexer.js'

/** The default shell of shell-form RUN, CMD and ENTRYPOINT (Docker: `["/bin/sh", "-c"]`). */
export const DEFAULT_SHELL = ['/bin/sh', '-c']
/** Docker's default PATH for RUN steps whose image sets none (system.DefaultPathEnv). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface StageConfig {
  config: OciRunConfig
  /** ARGs declared in this stage: name → value (undefined: declared without a value and no build arg). */
  args: Map<string, string | undefined>
  /** CMD was set in this stage (ENTRYPOINT then keeps it; otherwise ENTRYPOINT clears an inherited CMD). */
  cmdSet: boolean
  /** SHELL for shell forms (not part of the OCI config). */
  shell: string[]
  author?: string
}

export interface Ctx {
  file: string
  escape: string
}

export function fail(ctx: Ctx, ins: Instruction, what: string): never {
  throw new InputFileError(ctx.file, ins.keyword, what, {line: ins.line, col: 1})
}

export function envMap(env: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of env ?? []) {
    const i = e.indexOf('=')
    if (i > 0) out.set(e.slice(0, i), e.slice(i + 1))
    else if (e) out.set(e, '')
  }
  return out
}

/** The variables substitution sees: ARGs with a value, overridden by ENV. */
export function stageVars(s: StageConfig): Map<string, string> {
  const vars = new Map<string, string>()
  for (const [k, v] of s.args) if (v !== undefined) vars.set(k, v)
  for (const [k, v] of envMap(s.config.Env)) vars.set(k, v)
  return vars
}

/** The environment of a RUN step: Env (with Docker's default PATH when absent) plus ARGs Env does not set. */
export function runEnv(s: StageConfig): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of s.args) if (v !== undefined) env[k] = v
  const image = envMap(s.config.Env)
  for (const [k, v] of image) env[k] = v
  if (!image.has('PATH')) env.PATH = DEFAULT_PATH
  return env
}

export function word(ctx: Ctx, ins: Instruction, text: string, vars: ReadonlyMap<string, string>): string {
  try {
    return processWord(text, vars, {escape: ctx.escape})
  } catch (error) {
    if (error instanceof LexError) fail(ctx, ins, error.message)
    throw error
  }
}

/** `K=V …` (or the legacy `K V` form where allowed) with each key and value processed. */
export function keyValues(ctx: Ctx, ins: Instruction, vars: ReadonlyMap<string, string>, legacy: boolean): Array<[string, string]> {
  const words = rawKeyValueWords(ins.args, ctx.escape)
  if (words.length === 0) fail(ctx, ins, `${ins.keyword} needs at least one name=value`)
  if (legacy && !words[0]!.includes('=')) {
    const m = /^(\S+)[\t\v\f\r ]+([\s\S]*)$/.exec(ins.args)
    if (!m) fail(ctx, ins, `${ins.keyword} must have two arguments`)
    return [[word(ctx, ins, m[1]!, vars), word(ctx, ins, m[2]!, vars)]]
  }
  return words.map((w) => {
    const eq = w.indexOf('=')
    if (eq < 0) fail(ctx, ins, `syntax error - can't find = in ${JSON.stringify(w)}; must be of the form name=value`)
    return [word(ctx, ins, w.slice(0, eq), vars), word(ctx, ins, w.slice(eq + 1), vars)]
  })
}

/** ARG declarations: `NAME` or `NAME=default`, as [name, default|undefined]. */
export function argDeclarations(ctx: Ctx, ins: Instruction, vars: ReadonlyMap<string, string>): Array<[string, string | undefined]> {
  const words = rawKeyValueWords(ins.args, ctx.escape)
  if (words.length === 0) fail(ctx, ins, 'ARG requires at least one argument')
  return words.map((w) => {
    const eq = w.indexOf('=')
    const name = eq < 0 ? w : w.slice(0, eq)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(ctx, ins, `invalid ARG name ${JSON.stringify(name)}`)
    return [name, eq < 0 ? undefined : word(ctx, ins, w.slice(eq + 1), vars)]
  })
}

function setEnv(config: OciRunConfig, key: string, value: string): void {
  const env = (config.Env ?? []).filter((e) => e !== key && !e.startsWith(`${key}=`))
  env.push(`${key}=${value}`)
  config.Env = env
}

/** Shell form → the stage's shell + the text; exec form as written. */
export function commandLine(s: StageConfig, ins: Instruction): string[] {
  return ins.json ?? [...s.shell, ins.args]
}

/** EXPOSE port[/proto] or a range start-end[/proto] → `port/proto` keys (Docker's nat.ParsePortSpecs). */
export function exposedPorts(ctx: Ctx, ins: Instruction, spec: string): string[] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/([A-Za-z]+))?$/.exec(spec)
  const proto = (m?.[3] ?? 'tcp').toLowerCase()
  if (!m || !['tcp', 'udp', 'sctp'].includes(proto)) fail(ctx, ins, `invalid port ${JSON.stringify(spec)}: expected port[/tcp|udp|sctp] or start-end[/proto]`)
  const start = Number(m[1])
  const end = m[2] === undefined ? start : Number(m[2])
  if (start > 65535 || end > 65535 || end < start) fail(ctx, ins, `invalid port range ${JSON.stringify(spec)}`)
  const out: string[] = []
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`)
  return out
}

/**
 * Apply a config-only instruction (ENV, LABEL, USER, EXPOSE, CMD, ENTRYPOINT, SHELL, VOLUME,
 * STOPSIGNAL, MAINTAINER) to the stage. Returns false for instructions it does not handle.
 */
export function applyConfigInstruction(ctx: Ctx, s: StageConfig, ins: Instruction): boolean {
  const vars = stageVars(s)
  const c = s.config
  switch (ins.keyword) {
    case 'ENV':
      for (const [k, v] of keyValues(ctx, ins, vars, true)) {
        if (!k) fail(ctx, ins, 'ENV names must not be empty')
        setEnv(c, k, v)
      }
      return true
    case 'LABEL':
      c.Labels = {...c.Labels, ...Object.fromEntries(keyValues(ctx, ins, vars, true))}
      return true
    case 'USER': {
      const user = word(ctx, ins, ins.args, vars)
      if (!user) fail(ctx, ins, 'USER requires an argument')
      c.User = user
      return true
    }
    case 'EXPOSE':
      for (const w of whitespaceWords(ins.args)) for (const p of exposedPorts(ctx, ins, word(ctx, ins, w, vars))) c.ExposedPorts = {...c.ExposedPorts, [p]: {}}
      return true
    case 'CMD':
      c.Cmd = commandLine(s, ins)
      s.cmdSet = true
      return true
    case 'ENTRYPOINT':
      c.Entrypoint = commandLine(s, ins)
      if (!s.cmdSet) c.Cmd = null
      return true
    case 'SHELL':
      if (!ins.json || ins.json.length === 0) fail(ctx, ins, 'SHELL requires the arguments to be in JSON form, e.g. ["/bin/sh", "-c"]')
      s.shell = ins.json
      return true
    case 'VOLUME': {
      const paths = (ins.json ?? whitespaceWords(ins.args)).map((w) => word(ctx, ins, w, vars))
      if (paths.length === 0 || paths.some((p) => !p)) fail(ctx, ins, 'VOLUME specified can not be an empty string')
      c.Volumes = {...c.Volumes, ...Object.fromEntries(paths.map((p) => [p, {}]))}
      return true
    }
    case 'STOPSIGNAL':
      c.StopSignal = word(ctx, ins, ins.args, vars)
      return true
    case 'MAINTAINER':
      s.author = word(ctx, ins, ins.args, vars)
      return true
    default:
      return false
  }
}
