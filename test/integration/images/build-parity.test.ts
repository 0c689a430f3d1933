/**
 * Build parity with a reference builder: every Containerfile in test/fixtures/containerfiles/ (each
 * one part of the Dockerfile reference) is built by isobench and by buildah, and the two images must
 * be equal: rootfs trees (path, type, mode, uid/gid, content digest, link target) and configs (Env,
 * Entrypoint, Cmd, WorkingDir, User, ExposedPorts, Labels, Volumes, StopSignal). Timestamps are not
 * compared, nor buildah's io.buildah.version label (builder stamps).
 *
 * Where the two differ on purpose, the fixture's case.json names the difference and why; the test
 * then checks that exactly that differs (a named difference that no longer exists fails too).
 * buildah's results are recorded in each fixture's expected.json, so where buildah cannot run the
 * corpus still runs against them (ISOBENCH_RECORD_PARITY=1 re-records them from a live buildah).
 *
 * Fixture layout: Containerfile, case.json, expected.json, context/ (the build context), and
 * optionally buildah.Containerfile (what buildah builds when it lacks a feature; then the images must
 * be equal).
 */
import {existsSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {buildImage} from '../../../src/images/build/build.js'
import type {RunStepExecutor} from '../../../src/images/build/run-step.js'
import {createBuildExecutor} from '../../../src/runtime/container/build-executor.js'
import {openImageStore, unpackRootfs} from '../../../src/images/rootfs.js'
import {ROOT, tempDir} from '../../helpers/cli.js'
import {BASE_NAME, Buildah, facts, treeListing, writeBaseContext, type ComparedConfig, type ImageFacts} from '../../helpers/parity.js'

interface Difference {
  name: string
  why: string
  /** Paths (relative, prefix match) whose entries differ. */
  paths?: string[]
  /** Config keys that differ. */
  config?: string[]
  /** buildah builds buildah.Containerfile instead, and the images must be equal. */
  equivalent?: boolean
  /** isobench refuses the Containerfile; buildah builds it. */
  refused?: boolean
}

interface Case {
  title: string
  reference: string
  buildArgs?: Record<string, string>
  buildahFile?: string
  isobench?: {refuses: string}
  differences?: Difference[]
}

interface Expected {
  buildah: string
  facts: ImageFacts
}

const isRoot = process.getuid?.() === 0
const CORPUS = join(ROOT, 'test/fixtures/containerfiles')
const record = process.env.ISOBENCH_RECORD_PARITY === '1'
const live = Buildah.available() && isRoot && process.env.ISOBENCH_PARITY_RECORDED !== '1'
const fixtures = readdirSync(CORPUS)
  .filter((d) => existsSync(join(CORPUS, d, 'Containerfile')))
  .sort()
const base = tempDir('isobench-parity-')
const summary: Array<{fixture: string; result: 'equal' | 'named difference'; differences: string[]}> = []

afterAll(() => {
  rmSync(base, {recursive: true, force: true})
  if (summary.length === 0) return
  const equal = summary.filter((s) => s.result === 'equal').length
  const lines = [`build parity: ${summary.length} Containerfiles, ${equal} equal to buildah${live ? '' : ' (recorded results)'}; named differences:`]
  for (const s of summary) for (const d of s.differences) lines.push(`  ${s.fixture}: ${d}`)
  process.stderr.write(lines.join('\n') + '\n')
})

/** Entries and config with the named differences' paths and keys left out. */
function masked(f: ImageFacts, diffs: Difference[]): {entries: string[]; removed: string[]; config: ComparedConfig} {
  const paths = diffs.flatMap((d) => d.paths ?? [])
  const keys = new Set(diffs.flatMap((d) => d.config ?? []))
  const hidden = (line: string) => paths.some((p) => line === p || line.startsWith(`${p} `) || line.startsWith(`${p}/`))
  return {
    entries: f.entries.filter((e) => !hidden(e)),
    removed: f.removed.filter((r) => !hidden(r)),
    config: Object.fromEntries(Object.entries(f.config).filter(([k]) => !keys.has(k))),
  }
}

describe.skipIf(!isRoot)(`build parity with buildah: ${fixtures.length} Containerfiles (${live ? 'live buildah' : 'recorded buildah results'})`, () => {
  const ours = openImageStore(join(base, 'isobench'))
  const theirs = openImageStore(join(base, 'buildah-images'))
  const buildah = new Buildah(join(base, 'buildah'), theirs)
  let executor: RunStepExecutor
  let baseListing: string[]

  beforeAll(async () => {
    executor = createBuildExecutor()
    const ctx = join(base, 'base-ctx')
    await writeBaseContext(ctx)
    await buildImage(ours, {file: join(ctx, 'Containerfile'), context: ctx, tags: [BASE_NAME], buildArgs: {}, network: 'none', executor})
    baseListing = treeListing((await unpackRootfs(ours, BASE_NAME)).dir)
    if (live) {
      const r = await buildah.build(join(ctx, 'Containerfile'), ctx, BASE_NAME)
      if (r.exitCode !== 0) throw new Error(`buildah could not build the base image: ${r.output.slice(-2000)}`)
    }
  }, 300_000)

  it.skipIf(!live)('the base image (FROM scratch + ADD of a busybox tree) is the same tree from both builders', async () => {
    const b = await buildah.unpack(BASE_NAME, base)
    expect(treeListing(b.dir)).toEqual(baseListing)
  })

  for (const fixture of fixtures) {
    const dir = join(CORPUS, fixture)
    const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case
    it(`${fixture}: ${c.title}`, async () => {
      const diffs = c.differences ?? []
      const expectedFile = join(dir, 'expected.json')
      const context = join(dir, 'context')
      // buildah's side: live, or as recorded.
      let reference: ImageFacts
      if (live) {
        const file = join(dir, c.buildahFile ?? 'Containerfile')
        const r = await buildah.build(file, context, `parity/${fixture}:1`, c.buildArgs)
        expect(r.exitCode, `buildah failed on ${fixture}:\n${r.output.slice(-3000)}`).toBe(0)
        const b = await buildah.unpack(`parity/${fixture}:1`, base)
        reference = facts(treeListing(b.dir), baseListing, b.config)
        if (record)
          writeFileSync(
            expectedFile,
            JSON.stringify(
              {
                buildah: (await import('node:child_process')).execFileSync('/usr/bin/buildah', ['--version']).toString().trim(),
                facts: reference,
              } satisfies Expected,
              null,
              2,
            ) + '\n',
          )
        else if (existsSync(expectedFile))
          expect(reference, `buildah's result differs from the recorded ${expectedFile}; re-record with ISOBENCH_RECORD_PARITY=1 if buildah changed`).toEqual(
            (JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected).facts,
          )
      } else {
        expect(existsSync(expectedFile), `${expectedFile} is missing: record it where buildah runs (ISOBENCH_RECORD_PARITY=1)`).toBe(true)
        reference = (JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected).facts
      }

      // isobench's side.
      const build = buildImage(ours, {
        file: join(dir, 'Containerfile'),
        context,
        tags: [`parity/${fixture}:1`],
        buildArgs: c.buildArgs ?? {},
        network: 'none',
        executor,
      })
      if (c.isobench?.refuses) {
        await expect(build).rejects.toThrow(new RegExp(`${dir}/Containerfile:\\d+:1: .*${c.isobench.refuses}`))
        expect(
          diffs.some((d) => d.refused),
          'a refusal must be a named difference',
        ).toBe(true)
        summary.push({fixture, result: 'named difference', differences: diffs.map((d) => `${d.name}: ${d.why}`)})
        return
      }
      const r = await build
      const mine = facts(treeListing((await unpackRootfs(ours, r)).dir), baseListing, await ours.config(r))

      // Equal outside the named differences; and each named difference really differs.
      expect(masked(mine, diffs)).toEqual(masked(reference, diffs))
      for (const d of diffs.filter((x) => x.paths || x.config)) {
        const others = diffs.filter((x) => x !== d)
        expect(masked(mine, others), `named difference "${d.name}" no longer differs: remove it from ${fixture}/case.json`).not.toEqual(
          masked(reference, others),
        )
      }
      summary.push({fixture, result: diffs.length ? 'named difference' : 'equal', differences: diffs.map((d) => `${d.name}: ${d.why}`)})
    })
  }
})
