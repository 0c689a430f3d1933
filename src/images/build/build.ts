/**
 * `image build`: runs a Containerfile step by step. Config steps (ENV, WORKDIR, USER, ENTRYPOINT,
 * CMD, EXPOSE, LABEL, ARG) only change the image config. Filesystem steps (COPY, ADD, RUN) each make
 * one layer, cached by (parent layer chain, instruction, digest of its inputs): an unchanged rebuild
 * runs nothing and reports every step as cached. RUN executes in a container of our runtime (see
 * run-step.ts) over the unpacked parent rootfs; its overlay upper dir becomes the layer.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {mkdir, rm} from 'node:fs/promises'
import {join, posix} from 'node:path'
import {InputFileError, IsobenchError, UsageError} from '../../core/errors.js'
import {sha256} from '../digest.js'
import {resolveDirInRoot} from '../layer/safe-path.js'
import {writeLayerTar, type LayerEntry} from '../layer/tar-write.js'
import {MEDIA, ociArch, type Descriptor, type OciHistory, type OciImageConfig, type OciRunConfig} from '../oci.js'
import {findRecipe, allRecipes} from '../recipe.js'
import {ensureRecipeImage, unpackLayers} from '../rootfs.js'
import type {ImageRef, ImageStore} from '../store.js'
import {readStepCache, stepCacheKey, writeStepCache} from './cache.js'
import {execForm, keyValues, leadingFlags, parseContainerfile, shellWords, substitute, type Instruction, type Vars} from './containerfile.js'
import {copyEntries} from './copy.js'
import {debianSuite, debootstrapBase} from './debootstrap.js'
import {upperToEntries} from './diff.js'
import type {RunStepExecutor} from './run-step.js'

export interface BuildOptions {
  file: string
  context: string
  tags: string[]
  buildArgs: Record<string, string>
  network: 'none' | 'host'
  executor: RunStepExecutor
  noCache?: boolean
  /** Called at each step's start and end (progress display). */
  onStep?: (ev: StepEvent) => void
  log?: (msg: string) => void
  /** Registers temp dirs for removal on interruption; returns an undo handle. */
  track?: (label: string, undo: () => Promise<void>) => {dispose(): void}
}

export interface StepEvent {
  index: number
  total: number
  line: number
  text: string
  phase: 'start' | 'done'
  /** For filesystem steps: true = served from the cache; null for config-only steps. */
  cached?: boolean | null
  ms?: number
  layer?: string | null
}

export interface StepResult {
  line: number
  instruction: string
  cached: boolean | null
  ms: number
  layer: string | null
}

export interface BuildResult extends ImageRef {
  tags: string[]
  steps: StepResult[]
  layers: number
  totalMs: number
  executor: string
}

export class BuildError extends IsobenchError {
  constructor(message: string, readonly output?: string) {
    super(message, 'build-failed', 1)
  }
}

const EPOCH = '1970-01-01T00:00:00Z'

interface State {
  layers: Descriptor[]
  diffIds: string[]
  config: OciRunConfig
  history: OciHistory[]
  architecture: string
  /** ARGs in scope with their values (build args override defaults). */
  args: Map<string, string | undefined>
  from: boolean
}

function envMap(env: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of env ?? []) {
    const i = e.indexOf('=')
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1)
  }
  return out
}

function vars(s: State): Vars {
  return {...Object.fromEntries(s.args), ...envMap(s.config.Env)}
}

function setEnv(s: State, key: string, value: string): void {
  const env = (s.config.Env ?? []).filter((e) => !e.startsWith(`${key}=`))
  env.push(`${key}=${value}`)
  s.config.Env = env
}

async function resolveBase(store: ImageStore, name: string, where: string, log: (m: string) => void): Promise<ImageRef | null> {
  if (name === 'scratch') return null
  const found = await store.tryResolve(name)
  if (found) return found
  const recipe = name.match(/^isobench\/([a-z0-9][a-z0-9_.-]*)(?::latest)?$/)?.[1]
  if (recipe && (await allRecipes()).some((r) => r.name === recipe)) return ensureRecipeImage(store, await findRecipe(recipe))
  const suite = debianSuite(name)
  if (suite) return debootstrapBase(store, name.includes(':') ? name : `${name}:latest`, suite, log)
  throw new UsageError(`${where}: base image ${name} is not in the image store (isobench image ls); import it with \`isobench image import\`, build it, or use scratch`, 'image-not-found')
}

export async function buildImage(store: ImageStore, opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now()
  const log = opts.log ?? (() => {})
  if (!existsSync(opts.context) || !statSync(opts.context).isDirectory()) throw new UsageError(`build context ${opts.context} is not a directory`, 'bad-context')
  if (!existsSync(opts.file)) throw new UsageError(`${opts.file}: no such Containerfile`, 'not-found')
  const instructions = parseContainerfile(readFileSync(opts.file, 'utf8'), opts.file)
  if (!instructions.some((i) => i.keyword === 'FROM')) throw new InputFileError(opts.file, 'FROM', 'a Containerfile needs a FROM instruction', {line: 1, col: 1})
  await store.init()
  const s: State = {layers: [], diffIds: [], config: {}, history: [], architecture: ociArch(), args: new Map(), from: false}
  const steps: StepResult[] = []
  const usedArgs = new Set<string>()

  for (const [index, ins] of instructions.entries()) {
    const where = `${opts.file}:${ins.line}`
    const started = performance.now()
    opts.onStep?.({index: index + 1, total: instructions.length, line: ins.line, text: ins.text, phase: 'start'})
    if (!s.from && ins.keyword !== 'FROM' && ins.keyword !== 'ARG') throw new InputFileError(opts.file, ins.keyword, `${ins.keyword} before FROM; only ARG may come before FROM`, {line: ins.line, col: 1})
    let cached: boolean | null = null
    let layer: string | null = null
    switch (ins.keyword) {
      case 'ARG': {
        for (const [k, v] of keyValues(ins.rest, vars(s), false)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new InputFileError(opts.file, 'ARG', `invalid ARG name ${JSON.stringify(k)}`, {line: ins.line, col: 1})
          usedArgs.add(k)
          s.args.set(k, opts.buildArgs[k] ?? (ins.rest.includes('=') ? v : undefined))
        }
        break
      }
      case 'FROM': {
        if (s.from) throw new InputFileError(opts.file, 'FROM', 'multi-stage builds (a second FROM) are not supported', {line: ins.line, col: 1})
        const {rest} = leadingFlags(ins.rest)
        const words = shellWords(rest, Object.fromEntries(s.args))
        if (words.length !== 1 && !(words.length === 3 && words[1]!.toUpperCase() === 'AS')) throw new InputFileError(opts.file, 'FROM', 'expected FROM <image> [AS <name>]', {line: ins.line, col: 1})
        const base = await resolveBase(store, words[0]!, where, log)
        s.from = true
        if (base) {
          const m = await store.manifest(base)
          const cfg = await store.readJson<OciImageConfig>(m.config.digest)
          s.layers = [...m.layers]
          s.diffIds = [...(cfg.rootfs?.diff_ids ?? [])]
          s.config = structuredClone(cfg.config ?? {})
          s.history = [...(cfg.history ?? [])]
          s.architecture = cfg.architecture ?? s.architecture
        }
        // ARGs declared before FROM are usable only in FROM unless re-declared.
        s.args = new Map()
        break
      }
      case 'ENV':
        for (const [k, v] of keyValues(ins.rest, vars(s), true)) setEnv(s, k, v)
        break
      case 'LABEL':
        s.config.Labels = {...s.config.Labels, ...Object.fromEntries(keyValues(ins.rest, vars(s), false))}
        break
      case 'WORKDIR': {
        const dir = substitute(ins.rest.trim(), vars(s))
        s.config.WorkingDir = posix.resolve(s.config.WorkingDir || '/', dir)
        break
      }
      case 'USER':
        s.config.User = substitute(ins.rest.trim(), vars(s))
        break
      case 'EXPOSE':
        for (const p of shellWords(ins.rest, vars(s))) {
          if (!/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(p)) throw new InputFileError(opts.file, 'EXPOSE', `expected port[/tcp|udp], got ${JSON.stringify(p)}`, {line: ins.line, col: 1})
          s.config.ExposedPorts = {...s.config.ExposedPorts, [p.includes('/') ? p : `${p}/tcp`]: {}}
        }
        break
      case 'CMD':
      case 'ENTRYPOINT': {
        const argv = execForm(ins.rest) ?? ['/bin/sh', '-c', ins.rest]
        if (ins.keyword === 'CMD') s.config.Cmd = argv
        else {
          s.config.Entrypoint = argv
          s.config.Cmd = null
        }
        break
      }
      case 'COPY':
      case 'ADD':
      case 'RUN': {
        const r = await filesystemStep(store, opts, s, ins, where)
        cached = r.cached
        layer = r.layer?.digest ?? null
        if (r.layer) {
          s.layers.push(r.layer)
          s.diffIds.push(r.diffId!)
        }
        break
      }
    }
    const fsStep = ins.keyword === 'COPY' || ins.keyword === 'ADD' || ins.keyword === 'RUN'
    if (ins.keyword !== 'ARG' && ins.keyword !== 'FROM') s.history.push({created: EPOCH, created_by: ins.text, ...(fsStep && layer ? {} : {empty_layer: true})})
    const ms = performance.now() - started
    steps.push({line: ins.line, instruction: ins.text, cached, ms, layer})
    opts.onStep?.({index: index + 1, total: instructions.length, line: ins.line, text: ins.text, phase: 'done', cached, ms, layer})
  }
  const unused = Object.keys(opts.buildArgs).filter((k) => !usedArgs.has(k))
  if (unused.length) log(`warning: build args not declared by any ARG: ${unused.join(', ')}`)
  const config: OciImageConfig = {created: EPOCH, architecture: s.architecture, os: 'linux', config: s.config, rootfs: {type: 'layers', diff_ids: s.diffIds}, history: s.history}
  const ref = await store.putImage(config, s.layers, opts.tags)
  return {...ref, tags: opts.tags, steps, layers: s.layers.length, totalMs: performance.now() - t0, executor: opts.executor.name ?? 'custom'}
}

async function filesystemStep(store: ImageStore, opts: BuildOptions, s: State, ins: Instruction, where: string): Promise<{cached: boolean; layer: Descriptor | null; diffId: string | null}> {
  const parent = s.layers.map((l) => l.digest)
  const parentRootfs = async () => (parent.length ? (await unpackLayers(store, parent)).dir : null)
  const tmp = join(store.tmpDir, `build-${process.pid}-${randomBytes(4).toString('hex')}`)
  let key: string
  let produce: () => Promise<LayerEntry[]>
  let cleanupInputs = () => {}
  if (ins.keyword === 'RUN') {
    const argv = execForm(ins.rest) ?? ['/bin/sh', '-c', ins.rest]
    const env: Record<string, string> = {}
    for (const [k, v] of s.args) if (v !== undefined) env[k] = v
    Object.assign(env, envMap(s.config.Env))
    const cwd = s.config.WorkingDir || '/'
    key = stepCacheKey(parent, ins.text, sha256(JSON.stringify({argv, env: Object.entries(env).sort(), cwd, user: s.config.User ?? '', network: opts.network})))
    produce = async () => {
      const lower = (await parentRootfs()) ?? join(tmp, 'empty')
      await mkdir(join(tmp, 'upper'), {recursive: true})
      await mkdir(join(tmp, 'work'), {recursive: true})
      await mkdir(join(tmp, 'empty'), {recursive: true})
      const cwdComps = cwd.split('/').filter(Boolean)
      if (!resolveDirInRoot(lower, cwdComps, false)) resolveDirInRoot(join(tmp, 'upper'), cwdComps, true)
      const r = await opts.executor.run({lowerDirs: [lower], upperDir: join(tmp, 'upper'), workDir: join(tmp, 'work'), argv, env, cwd, ...(s.config.User ? {user: s.config.User} : {}), network: opts.network})
      if (r.exitCode !== 0) {
        const tail = r.output.trimEnd().split('\n').slice(-15).join('\n')
        throw new BuildError(`${where}: RUN exited with code ${r.exitCode}: ${ins.text}${tail ? `\n${tail}` : ''}`, r.output)
      }
      if (r.output.trim()) opts.log?.(r.output.trimEnd().replace(/^/gm, '  | '))
      const {entries, warnings} = await upperToEntries(join(tmp, 'upper'))
      for (const w of warnings) opts.log?.(`warning: ${where}: ${w}`)
      return entries
    }
  } else {
    const {flags, rest} = leadingFlags(ins.rest)
    if (flags.from) throw new InputFileError(opts.file, ins.keyword, '--from (multi-stage) is not supported', {line: ins.line, col: 1})
    const words = execForm(rest) ?? shellWords(rest, vars(s))
    if (words.length < 2) throw new InputFileError(opts.file, ins.keyword, `expected ${ins.keyword} <src>... <dest>`, {line: ins.line, col: 1})
    const spec = {sources: words.slice(0, -1), dest: words.at(-1)!, chown: flags.chown, chmod: flags.chmod, extractArchives: ins.keyword === 'ADD', where}
    const rootfs = await parentRootfs()
    await mkdir(tmp, {recursive: true})
    const c = await copyEntries(opts.context, spec, rootfs, s.config.WorkingDir || '/', tmp)
    cleanupInputs = c.cleanup
    key = stepCacheKey(parent, ins.text, c.inputsDigest)
    produce = async () => c.entries
  }
  const handle = opts.track?.(`build temp ${tmp}`, () => rm(tmp, {recursive: true, force: true}))
  try {
    const hit = opts.noCache ? null : await readStepCache(store, key)
    if (hit) return {cached: true, layer: hit.layer, diffId: hit.diffId}
    const entries = await produce()
    let layer: Descriptor | null = null
    if (entries.length > 0) {
      await mkdir(tmp, {recursive: true})
      const tarPath = join(tmp, 'layer.tar')
      await writeLayerTar(entries, tarPath)
      const blob = await store.putBlobFile(tarPath)
      layer = {mediaType: MEDIA.layerTar, digest: blob.digest, size: blob.size}
    }
    await writeStepCache(store, {key, layer, diffId: layer?.digest ?? null, createdBy: ins.text})
    return {cached: false, layer, diffId: layer?.digest ?? null}
  } finally {
    cleanupInputs()
    await rm(tmp, {recursive: true, force: true})
    handle?.dispose()
  }
}
