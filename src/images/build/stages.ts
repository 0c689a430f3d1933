/**
 * Multi-stage structure of a Containerfile: the ARGs before the first FROM (global "meta" ARGs,
 * usable in FROM lines and, when re-declared with a bare `ARG NAME`, inside a stage), then one stage
 * per FROM (`FROM image [AS name]`; names are case-insensitive). Only the stages the target needs are
 * built: the target (the last stage, or --target) and, transitively, the stages it names in FROM or
 * `COPY --from` — as BuildKit does.
 */
import {InputFileError} from '../../core/errors.js'
import type {Instruction} from './containerfile.js'
import {argDeclarations, word, type Ctx} from './instructions.js'

export interface Stage {
  index: number
  /** `AS name`, lowercased; null when unnamed. */
  name: string | null
  /** The FROM instruction. */
  from: Instruction
  /** The base as written after global-ARG expansion: an image reference, `scratch` or a stage name. */
  base: string
  /** `--platform` of FROM, expanded, if given. */
  platform?: string
  body: Instruction[]
}

export interface StagePlan {
  /** Global ARGs: name → value (build arg, else default; undefined when neither). */
  metaArgs: Map<string, string | undefined>
  stages: Stage[]
  /** Indexes of the stages to build, in order. */
  needed: number[]
  target: number
}

function flagValue(flags: string[], name: string): string | undefined {
  for (const f of flags) if (f === `--${name}` || f.startsWith(`--${name}=`)) return f.slice(name.length + 3)
  return undefined
}

export {flagValue}

/** Resolve `--from=` (or FROM's base) to an earlier stage: by name or by index. */
export function stageRef(stages: Stage[], ref: string, before: number): Stage | null {
  const lower = ref.toLowerCase()
  const byName = stages.find((s) => s.index < before && s.name === lower)
  if (byName) return byName
  if (/^\d+$/.test(ref) && Number(ref) < before) return stages[Number(ref)] ?? null
  return null
}

export function planStages(ctx: Ctx, instructions: Instruction[], buildArgs: Record<string, string>, target?: string): StagePlan {
  const metaArgs = new Map<string, string | undefined>()
  const stages: Stage[] = []
  const metaVars = () => new Map([...metaArgs].filter((e): e is [string, string] => e[1] !== undefined))
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/[\t\v\f\r ]+/).filter(Boolean)
      if (!(words.length === 1 || (words.length === 3 && words[1]!.toUpperCase() === 'AS')))
        throw new InputFileError(ctx.file, 'FROM', 'expected FROM [--platform=<platform>] <image> [AS <name>]', {line: ins.line, col: 1})
      const base = word(ctx, ins, words[0]!, metaVars())
      if (!base)
        throw new InputFileError(
          ctx.file,
          'FROM',
          `the base image name ${JSON.stringify(words[0])} expands to nothing (is its ARG declared before the first FROM?)`,
          {line: ins.line, col: 1},
        )
      const name = words.length === 3 ? words[2]!.toLowerCase() : null
      if (name !== null) {
        if (!/^[a-z][a-z0-9-_.]*$/.test(name))
          throw new InputFileError(ctx.file, 'FROM', `invalid stage name ${JSON.stringify(words[2])}: expected a letter, then letters, digits, '-', '_', '.'`, {
            line: ins.line,
            col: 1,
          })
        if (stages.some((s) => s.name === name))
          throw new InputFileError(ctx.file, 'FROM', `duplicate stage name ${JSON.stringify(name)}`, {line: ins.line, col: 1})
      }
      const platformFlag = flagValue(ins.flags, 'platform')
      for (const f of ins.flags)
        if (!/^--platform(=|$)/.test(f)) throw new InputFileError(ctx.file, 'FROM', `unknown flag ${f.split('=')[0]}`, {line: ins.line, col: 1})
      stages.push({index: stages.length, name, from: ins, base, body: [], ...(platformFlag ? {platform: word(ctx, ins, platformFlag, metaVars())} : {})})
      continue
    }
    const current = stages.at(-1)
    if (current) {
      current.body.push(ins)
      continue
    }
    if (ins.keyword !== 'ARG')
      throw new InputFileError(ctx.file, ins.keyword, `${ins.keyword} before FROM; only ARG may come before the first FROM`, {line: ins.line, col: 1})
    for (const [k, v] of argDeclarations(ctx, ins, metaVars())) metaArgs.set(k, buildArgs[k] ?? v)
  }
  if (stages.length === 0) throw new InputFileError(ctx.file, 'FROM', 'a Containerfile needs a FROM instruction', {line: 1, col: 1})
  let targetIndex = stages.length - 1
  if (target !== undefined) {
    const t = stageRef(stages, target, stages.length)
    if (!t)
      throw new InputFileError(
        ctx.file,
        'FROM',
        `--target ${JSON.stringify(target)}: no stage of that name (stages: ${stages.map((s) => s.name ?? String(s.index)).join(', ')})`,
        {line: 1, col: 1},
      )
    targetIndex = t.index
  }
  const needed = new Set<number>()
  const visit = (i: number) => {
    if (needed.has(i)) return
    needed.add(i)
    const s = stages[i]!
    const dep = stageRef(stages, s.base, i)
    if (dep) visit(dep.index)
    for (const ins of s.body) {
      if (ins.keyword !== 'COPY') continue
      const from = flagValue(ins.flags, 'from')
      if (from === undefined) continue
      const d = stageRef(stages, word(ctx, ins, from, metaVars()), i)
      if (d) visit(d.index)
    }
  }
  visit(targetIndex)
  return {metaArgs, stages, needed: [...needed].sort((a, b) => a - b), target: targetIndex}
}
