/**
 * `image build`: runs a Containerfile as Docker does (the Dockerfile reference; BuildKit where the
 * reference is silent). Stages (stages.ts) are built in order, only those the target needs; config
 * instructions change the stage's image config (instructions.ts); filesystem steps each make one
 * layer: COPY and ADD (copy.ts), RUN (executed in a container of our runtime over the unpacked
 * parent, its overlay upper dir becoming the layer), and WORKDIR when it has a directory to create.
 *
 * Each filesystem step is cached by (parent layer chain, instruction, digest of its inputs): an
 * unchanged rebuild runs nothing and reports every step as cached.
 *
 * Refused with exit 2 and file:line: ONBUILD and HEALTHCHECK (the OCI image config has no field for
 * them; buildah drops them from OCI images with a warning), RUN --mount/--network/--security flags,
 * ADD of URLs and git repositories, unknown flags.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, statSync} from 'node:fs'
import {readInputText} from '../../core/read-input.js'
import {mkdir, rm} from 'node:fs/promises'
import {join, posix} from 'node:path'
import {IsobenchError, UsageError} from '../../core/errors.js'
import {sha256} from '../digest.js'
import {resolveDirInRoot} from '../layer/safe-path.js'
import {writeLayerTar, type LayerEntry} from '../layer/tar-write.js'
import {normalizeName} from '../names.js'
import {MEDIA, ociArch, type Descriptor, type OciHistory, type OciImageConfig} from '../oci.js'
import {obtainImage, type PullOptions} from '../registry/obtain.js'
import {unpackLayers} from '../rootfs.js'
import type {ImageRef, ImageStore} from '../store.js'
import {readStepCache, stepCacheKey, writeStepCache} from './cache.js'
import {heredocWord, parseContainerfile, whitespaceWords, type Instruction} from './containerfile.js'
import {copyEntries, resolveInImage, type SourceTree} from './copy.js'
import {debianSuite, debootstrapBase} from './debootstrap.js'
import {upperToEntries} from './diff.js'
import {loadIgnore, NO_IGNORE, type IgnoreRules} from './ignore.js'
import {
  applyConfigInstruction,
  argDeclarations,
  DEFAULT_PATH,
  DEFAULT_SHELL,
  fail,
  runEnv,
  stageVars,
  word,
  type Ctx,
  type StageConfig,
} from './instructions.js'
import {processWord} from './lexer.js'
import type {RunStepExecutor} from './run-step.js'
import {planStages, stageRef, type Stage} from './stages.js'
import {resolveUser, userHome} from './user.js'

export interface BuildOptions {
  file: string
  context: string
  tags: string[]
  buildArgs: Record<string, string>
  network: 'none' | 'host'
  executor: RunStepExecutor
  noCache?: boolean
  /** Build this stage (name or index) instead of the last one. */
  target?: string
  /** For base images that have to be pulled from a registry. */
  pull?: PullOptions
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
  /** The build context's ignore file, if one applied. */
  ignoreFile: string | null
}

export class BuildError extends IsobenchError {
  constructor(
    message: string,
    readonly output?: string,
  ) {
    super(message, 'build-failed', 1)
  }
}

const EPOCH = '1970-01-01T00:00:00Z'

interface StageState extends StageConfig {
  layers: Descriptor[]
  diffIds: string[]
  history: OciHistory[]
  architecture: string
  os: string
}

/** Mount points the runtime makes in a RUN step's rootfs (src/runtime/native/nsexec.c mounts /dev, /proc, /sys). */
const MOUNT_STUBS = ['dev', 'proc', 'sys']

const COPY_FLAGS = new Set(['from', 'chown', 'chmod', 'link'])
const ADD_FLAGS = new Set(['chown', 'chmod', 'link'])

function flagsOf(ctx: Ctx, ins: Instruction, allowed: Set<string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of ins.flags) {
    const m = /^--([a-z-]+)(?:=([\s\S]*))?$/.exec(f)
    if (!m || !allowed.has(m[1]!))
      fail(ctx, ins, `unsupported flag ${f.split('=')[0]}${allowed.size ? ` (supported: ${[...allowed].map((a) => `--${a}`).join(', ')})` : ''}`)
    out[m[1]!] = m[2] ?? 'true'
  }
  return out
}

function emptyStage(): StageState {
  return {layers: [], diffIds: [], history: [], architecture: ociArch(), os: 'linux', config: {}, args: new Map(), cmdSet: false, shell: [...DEFAULT_SHELL]}
}

/** The base image of FROM as an OCI image in the store (store, recipe, debootstrap, or registry). */
async function baseImage(store: ImageStore, name: string, opts: BuildOptions, where: string, platform: string | undefined): Promise<ImageRef> {
  const suite = debianSuite(name)
  if (suite && !(await store.tryResolve(name))) return debootstrapBase(store, name.includes(':') ? name : `${name}:latest`, suite, opts.log ?? (() => {}))
  return obtainImage(store, name, {...opts.pull, ...(platform ? {platform} : {}), log: opts.log, where})
}

async function stateFromImage(store: ImageStore, ref: ImageRef): Promise<StageState> {
  const m = await store.manifest(ref)
  const cfg = await store.readJson<OciImageConfig>(m.config.digest)
  return {
    ...emptyStage(),
    layers: [...m.layers],
    diffIds: [...(cfg.rootfs?.diff_ids ?? [])],
    config: structuredClone(cfg.config ?? {}),
    history: [...(cfg.history ?? [])],
    architecture: cfg.architecture ?? ociArch(),
    os: cfg.os ?? 'linux',
  }
}

function inherit(from: StageState): StageState {
  return {
    ...emptyStage(),
    layers: [...from.layers],
    diffIds: [...from.diffIds],
    config: structuredClone(from.config),
    history: [...from.history],
    architecture: from.architecture,
    os: from.os,
  }
}

export async function buildImage(store: ImageStore, opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now()
  const log = opts.log ?? (() => {})
  // Everything that can be checked before a step runs is checked first: a bad tag is exit 2 at once.
  const tags = opts.tags.map((t) => normalizeName(t))
  if (!existsSync(opts.context) || !statSync(opts.context).isDirectory())
    throw new UsageError(`build context ${opts.context} is not a directory`, 'bad-context')
  if (!existsSync(opts.file)) throw new UsageError(`${opts.file}: no such Containerfile`, 'not-found')
  const parsed = parseContainerfile(readInputText(opts.file, {what: 'Containerfile'}), opts.file)
  for (const w of parsed.warnings) log(`warning: ${w}`)
  const ctx: Ctx = {file: opts.file, escape: parsed.escape}
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'ONBUILD' || ins.keyword === 'HEALTHCHECK')
      fail(ctx, ins, `${ins.keyword} is not supported: the OCI image config has no field for it (buildah drops it from OCI images with a warning)`)
  }
  const plan = planStages(ctx, parsed.instructions, opts.buildArgs, opts.target)
  const ignore = loadIgnore(opts.context, opts.file)
  if (ignore.file) log(`using ${ignore.file} (${ignore.patterns.length} patterns)`)
  await store.init()
  const usedArgs = new Set<string>(plan.metaArgs.keys())
  const steps: StepResult[] = []
  const total = plan.needed.reduce((n, i) => n + 1 + plan.stages[i]!.body.length, 0)
  let step = 0
  const done = new Map<number, StageState>()
  let final: StageState | null = null

  for (const si of plan.needed) {
    const stage = plan.stages[si]!
    let s!: StageState
    for (const ins of [stage.from, ...stage.body]) {
      const where = `${opts.file}:${ins.line}`
      const started = performance.now()
      step++
      opts.onStep?.({index: step, total, line: ins.line, text: ins.text, phase: 'start'})
      let cached: boolean | null = null
      let layer: string | null = null
      if (ins === stage.from) {
        const dep = stageRef(plan.stages, stage.base, stage.index)
        if (dep) s = inherit(done.get(dep.index)!)
        else if (stage.base.toLowerCase() === 'scratch') {
          // As BuildKit and buildah: an image from scratch starts with the default PATH.
          s = emptyStage()
          s.config.Env = [`PATH=${DEFAULT_PATH}`]
        } else s = await stateFromImage(store, await baseImage(store, stage.base, opts, where, stage.platform))
      } else if (ins.keyword === 'ARG') {
        for (const [k, dflt] of argDeclarations(ctx, ins, stageVars(s))) {
          usedArgs.add(k)
          s.args.set(k, opts.buildArgs[k] ?? dflt ?? plan.metaArgs.get(k))
        }
      } else if (applyConfigInstruction(ctx, s, ins)) {
        // config only
      } else {
        const r = await filesystemStep(store, opts, ctx, plan.stages, done, s, ins, where, ignore)
        cached = r.cached
        layer = r.layer?.digest ?? null
        if (r.layer) {
          s.layers.push(r.layer)
          s.diffIds.push(r.diffId!)
        }
      }
      if (ins !== stage.from && ins.keyword !== 'ARG') s.history.push({created: EPOCH, created_by: ins.text, ...(layer ? {} : {empty_layer: true})})
      const ms = performance.now() - started
      steps.push({line: ins.line, instruction: ins.text, cached, ms, layer})
      opts.onStep?.({index: step, total, line: ins.line, text: ins.text, phase: 'done', cached, ms, layer})
    }
    done.set(si, s)
    if (si === plan.target) final = s
  }
  const unused = Object.keys(opts.buildArgs).filter((k) => !usedArgs.has(k))
  if (unused.length) log(`warning: build args not declared by any ARG: ${unused.join(', ')}`)
  const f = final!
  const config: OciImageConfig = {
    created: EPOCH,
    ...(f.author ? {author: f.author} : {}),
    architecture: f.architecture,
    os: f.os,
    config: f.config,
    rootfs: {type: 'layers', diff_ids: f.diffIds},
    history: f.history,
  }
  const ref = await store.putImage(config, f.layers, tags)
  return {
    ...ref,
    tags,
    steps,
    layers: f.layers.length,
    totalMs: performance.now() - t0,
    executor: (opts.executor as {name?: string}).name ?? 'custom',
    ignoreFile: ignore.file,
  }
}

interface StepOutcome {
  cached: boolean
  layer: Descriptor | null
  diffId: string | null
}

/** The rootfs COPY --from reads: another stage's, or an image's (store, recipe or registry). */
async function copySourceTree(
  store: ImageStore,
  opts: BuildOptions,
  stages: Stage[],
  done: Map<number, StageState>,
  from: string,
  before: number,
  where: string,
): Promise<{tree: SourceTree; chain: string}> {
  const st = stageRef(stages, from, before)
  let layers: string[]
  if (st) {
    const d = done.get(st.index)
    if (!d) throw new UsageError(`${where}: COPY --from=${from}: stage ${from} has not been built`, 'bad-copy')
    layers = d.layers.map((l) => l.digest)
  } else {
    const ref = await obtainImage(store, from, {...opts.pull, log: opts.log, where})
    layers = (await store.manifest(ref)).layers.map((l) => l.digest)
  }
  const root = layers.length ? (await unpackLayers(store, layers)).dir : join(store.tmpDir, 'empty-rootfs')
  if (!layers.length) await mkdir(root, {recursive: true})
  return {tree: {root, kind: 'image', ignore: NO_IGNORE}, chain: sha256(layers.join('\n'))}
}

function runCommand(s: StageState, ins: Instruction): string[] {
  if (ins.json) return ins.json
  if (ins.heredocs.length === 0) return [...s.shell, ins.args]
  const only = heredocWord(ins.args.trim())
  if (ins.heredocs.length === 1 && only) {
    // `RUN <<EOF`: the document is the script (a shebang picks its interpreter, as BuildKit does).
    const script = ins.heredocs[0]!.content
    if (!script.startsWith('#!')) return [...s.shell, script]
    const path = `/dev/pipes/${ins.heredocs[0]!.name}`
    const marker = `ISOBENCH_HEREDOC_${randomBytes(6).toString('hex')}`
    return [...s.shell, `mkdir -p /dev/pipes && cat > ${path} <<'${marker}'\n${script}${marker}\nchmod 0755 ${path} && exec ${path}`]
  }
  // Documents used inside a command: give the shell the whole text, which it knows how to read.
  let text = ins.args
  for (const h of ins.heredocs) text += `\n${h.content}${h.name}`
  return [...s.shell, text]
}

async function filesystemStep(
  store: ImageStore,
  opts: BuildOptions,
  ctx: Ctx,
  stages: Stage[],
  done: Map<number, StageState>,
  s: StageState,
  ins: Instruction,
  where: string,
  ignore: IgnoreRules,
): Promise<StepOutcome> {
  const parent = s.layers.map((l) => l.digest)
  const parentRootfs = async () => (parent.length ? (await unpackLayers(store, parent)).dir : null)
  const tmp = join(store.tmpDir, `build-${process.pid}-${randomBytes(4).toString('hex')}`)
  let key: string
  let produce: () => Promise<LayerEntry[]>
  let cleanupInputs = () => {}
  const vars = stageVars(s)
  if (ins.keyword === 'RUN') {
    if (ins.flags.length)
      fail(ctx, ins, `RUN flags are not supported (${ins.flags.map((f) => f.split('=')[0]).join(', ')}); the build's --network applies to every RUN`)
    const argv = runCommand(s, ins)
    const env = runEnv(s)
    const cwd = s.config.WorkingDir || '/'
    key = stepCacheKey(parent, ins.text, sha256(JSON.stringify({argv, env: Object.entries(env).sort(), cwd, user: s.config.User ?? '', network: opts.network})))
    produce = async () => {
      const lower = (await parentRootfs()) ?? join(tmp, 'empty')
      await mkdir(join(tmp, 'upper'), {recursive: true})
      await mkdir(join(tmp, 'work'), {recursive: true})
      await mkdir(join(tmp, 'empty'), {recursive: true})
      const cwdComps = cwd.split('/').filter(Boolean)
      if (!resolveDirInRoot(lower, cwdComps, false)) resolveDirInRoot(join(tmp, 'upper'), cwdComps, true)
      // HOME from the user's passwd entry when the image sets none (buildah does this; docker run too).
      if (env.HOME === undefined) env.HOME = userHome(lower, s.config.User ?? '')
      const r = await opts.executor.run({
        lowerDirs: [lower],
        upperDir: join(tmp, 'upper'),
        workDir: join(tmp, 'work'),
        argv,
        env,
        cwd,
        ...(s.config.User ? {user: s.config.User} : {}),
        network: opts.network,
      })
      if (r.exitCode !== 0) {
        const tail = r.output.trimEnd().split('\n').slice(-15).join('\n')
        throw new BuildError(`${where}: RUN exited with code ${r.exitCode}: ${ins.text}${tail ? `\n${tail}` : ''}`, r.output)
      }
      if (r.output.trim()) opts.log?.(r.output.trimEnd().replace(/^/gm, '  | '))
      const {entries, warnings} = await upperToEntries(join(tmp, 'upper'))
      for (const w of warnings) opts.log?.(`warning: ${where}: ${w}`)
      // The runtime's mount points are not the step's files: like BuildKit's mount-stub cleaner, drop
      // the ones the parent image did not have (what is mounted over them never reaches the upper dir).
      const stubs = MOUNT_STUBS.filter((d) => !existsSync(join(lower, d)))
      return entries.filter((e) => !stubs.some((d) => e.path === d || e.path.startsWith(`${d}/`)))
    }
  } else if (ins.keyword === 'WORKDIR') {
    const dir = word(ctx, ins, ins.args, vars)
    if (!dir) fail(ctx, ins, 'WORKDIR requires a path')
    s.config.WorkingDir = posix.resolve(s.config.WorkingDir || '/', dir)
    const rootfs = await parentRootfs()
    const {comps, existingDepth} = resolveInImage(rootfs, s.config.WorkingDir)
    if (existingDepth === comps.length) return {cached: false, layer: null, diffId: null}
    // BuildKit: mkdir -p with mode 0755, owned by the stage's USER.
    const owner = s.config.User && rootfs ? resolveUser(rootfs, s.config.User) : {uid: 0, gid: 0}
    const entries: LayerEntry[] = []
    for (let i = existingDepth + 1; i <= comps.length; i++) entries.push({path: comps.slice(0, i).join('/'), type: 'dir', mode: 0o755, ...owner})
    key = stepCacheKey(parent, ins.text, sha256(JSON.stringify(entries)))
    produce = async () => entries
  } else {
    const isAdd = ins.keyword === 'ADD'
    const flags = flagsOf(ctx, ins, isAdd ? ADD_FLAGS : COPY_FLAGS)
    const words = ins.json ?? whitespaceWords(ins.args)
    if (words.length < 2) fail(ctx, ins, `expected ${ins.keyword} <src>... <dest>`)
    const contents: Array<{name: string; data: string}> = []
    const sources: string[] = []
    for (const w of words.slice(0, -1)) {
      const h = ins.json ? null : heredocWord(w)
      const doc = h ? ins.heredocs.find((d) => d.name === h.name) : undefined
      if (doc) contents.push({name: doc.name, data: doc.expand ? processWord(doc.content, vars, {escape: ctx.escape, skipQuotes: true}) : doc.content})
      else sources.push(word(ctx, ins, w, vars))
    }
    const dest = word(ctx, ins, words.at(-1)!, vars)
    if (heredocWord(words.at(-1)!)) fail(ctx, ins, `${ins.keyword} cannot accept a here-document as the destination`)
    if (isAdd && sources.some((src) => /^(https?|git):\/\/|^git@|\.git(#.*)?$/.test(src)))
      fail(ctx, ins, 'ADD of URLs and git repositories is not supported (builds run offline); download the file into the build context')
    let tree: SourceTree = {root: opts.context, kind: 'context', ignore}
    let chain = ''
    if (flags.from) {
      const from = word(ctx, ins, flags.from, new Map([...s.args].filter((e): e is [string, string] => e[1] !== undefined)))
      const stage = stages.find((x) => x.body.includes(ins))!
      ;({tree, chain} = await copySourceTree(store, opts, stages, done, from, stage.index, where))
    }
    const chown = flags.chown ? word(ctx, ins, flags.chown, vars) : undefined
    const chmod = flags.chmod ? word(ctx, ins, flags.chmod, vars) : undefined
    const spec = {sources, contents, dest, chown, chmod, extractArchives: isAdd, where}
    const rootfs = await parentRootfs()
    await mkdir(tmp, {recursive: true})
    const c = await copyEntries(tree, spec, rootfs, s.config.WorkingDir || '/', tmp)
    cleanupInputs = c.cleanup
    key = stepCacheKey(parent, ins.text, sha256(c.inputsDigest + chain))
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
