/**
 * `image build` for real: a Containerfile whose RUN (executed in a container) installs files and
 * whose CMD prints them; the rebuild is served from the cache; the image's CMD runs in a container
 * and prints the files; bad instructions are exit 2 with file:line. Needs root (namespaces, overlay).
 */
import {cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {buildImage} from '../../../src/images/build/build.js'
import {createBuildExecutor} from '../../../src/runtime/container/build-executor.js'
import {imageConfig, openImageStore, unpackRootfs} from '../../../src/images/rootfs.js'
import {isobench, ROOT, tempDir} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const base = tempDir('isobench-build-')
afterAll(() => rmSync(base, {recursive: true, force: true}))
const fixture = join(ROOT, 'test/fixtures/images/hello')

describe.skipIf(!isRoot)('image build (root: RUN runs in namespaces over overlayfs)', () => {
  const stateDir = join(base, 'state')
  const store = openImageStore(stateDir)
  const context = join(base, 'ctx')
  cpSync(fixture, context, {recursive: true})

  it('builds: RUN installs files, COPY/ADD place theirs, whiteouts delete, config is set', async () => {
    const executor = createBuildExecutor()
    expect(executor.name).toBe('isobench runtime') // RUN runs in our own runtime, not the unshare fallback
    const r = await buildImage(store, {
      file: join(context, 'Containerfile'),
      context,
      tags: ['hello:1'],
      buildArgs: {GREETING: 'hi'},
      network: 'none',
      executor,
    })
    expect(r.steps.filter((s) => s.cached === false).map((s) => s.instruction.split(' ')[0])).toEqual(['WORKDIR', 'COPY', 'COPY', 'ADD', 'RUN'])
    const {dir} = await unpackRootfs(store, 'hello:1')
    expect(readFileSync(join(dir, 'opt/hello/out/run.txt'), 'utf8')).toBe('hi from the image\ngreeting file\n')
    expect(readFileSync(join(dir, 'opt/hello/out/data-list.txt'), 'utf8')).toBe('a.txt\nb.txt\n')
    expect(readFileSync(join(dir, 'opt/bundle/inside.txt'), 'utf8')).toBe('from a tar via ADD\n')
    expect(existsSync(join(dir, 'etc/group'))).toBe(false) // removed by RUN: a whiteout in its layer
    expect(existsSync(join(dir, 'etc/passwd'))).toBe(true)
    const cfg = await imageConfig(store, 'hello:1')
    expect(cfg).toMatchObject({User: 'nobody', WorkingDir: '/opt/hello', ExposedPorts: {'8080/tcp': {}}, Labels: {'org.example.test': 'isobench build'}})
    expect(cfg.Env).toContain('MESSAGE=from the image')
    expect(cfg.Env?.some((e) => e.startsWith('GREETING='))).toBe(false) // ARGs are not persisted
  })

  it('an unchanged rebuild runs nothing and gives the same image; a changed input rebuilds from there', async () => {
    const executor = createBuildExecutor()
    const opts = {file: join(context, 'Containerfile'), context, tags: ['hello:1'], buildArgs: {GREETING: 'hi'}, network: 'none' as const, executor}
    const first = await store.resolve('hello:1')
    const again = await buildImage(store, opts)
    expect(again.steps.every((s) => s.cached !== false)).toBe(true)
    expect(again.manifestDigest).toBe(first.manifestDigest)
    writeFileSync(join(context, 'data/b.txt'), 'changed\n')
    const changed = await buildImage(store, opts)
    expect(changed.steps.filter((s) => s.cached !== null).map((s) => s.cached)).toEqual([true, true, false, false, false])
    writeFileSync(join(context, 'data/b.txt'), 'b\n')
  })

  it("the image's CMD runs in a container (as USER nobody) and prints what RUN installed", async () => {
    const executor = createBuildExecutor()
    const {dir} = await unpackRootfs(store, 'hello:1')
    const cfg = await imageConfig(store, 'hello:1')
    const work = join(base, 'run')
    mkdirSync(join(work, 'upper'), {recursive: true})
    mkdirSync(join(work, 'work'), {recursive: true})
    const env = Object.fromEntries((cfg.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
    const r = await executor.run({
      lowerDirs: [dir],
      upperDir: join(work, 'upper'),
      workDir: join(work, 'work'),
      argv: [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])],
      env,
      cwd: cfg.WorkingDir!,
      user: cfg.User,
      network: 'none',
    })
    expect(r.exitCode).toBe(0)
    expect(r.output.trim().split('\n')).toEqual(['hi from the image', 'greeting file', 'a.txt', 'b.txt', 'from a tar via ADD', '65534'])
  })

  it('CLI: HEALTHCHECK (no place in an OCI config) → exit 2 naming file:line; cached rebuild says cached; failing RUN → exit 1 with its output', async () => {
    const bad = join(base, 'bad')
    mkdirSync(bad)
    writeFileSync(join(bad, 'Containerfile'), 'FROM scratch\n\nHEALTHCHECK CMD true\n')
    const r = await isobench(['image', 'build', bad, '--state-dir', stateDir])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain(`${join(bad, 'Containerfile')}:3:1: HEALTHCHECK: HEALTHCHECK is not supported: the OCI image config has no field for it`)
    expect(r.stderr).not.toMatch(/\n\s+at /)

    const cached = await isobench(['image', 'build', '-t', 'hello:1', '--build-arg', 'GREETING=hi', '--network', 'none', context, '--state-dir', stateDir])
    expect(cached.exitCode).toBe(0)
    expect(cached.stderr).toMatch(/\[9\/12\] cached/)
    expect(cached.stdout).toMatch(/built hello:1 .* all cached/)

    writeFileSync(join(bad, 'Containerfile'), 'FROM isobench/idle\nRUN echo about to fail; exit 3\n')
    const failed = await isobench(['image', 'build', bad, '--state-dir', stateDir])
    expect(failed.exitCode).toBe(1)
    expect(failed.stderr).toContain(':2: RUN exited with code 3')
    expect(failed.stderr).toContain('about to fail')
  })

  it('Docker habits on the CLI: -t NAME CONTEXT builds (the tag no longer swallows the context); a bad tag is exit 2 before any step runs; WORKDIR alone makes its directory, so the container starts there', async () => {
    const ctx = join(base, 'habits')
    mkdirSync(ctx)
    writeFileSync(join(ctx, 'Containerfile'), 'FROM isobench/idle\nWORKDIR /a/b\nRUN echo ran\n')
    const bad = await isobench(['image', 'build', '-t', 'Bad:Tag', ctx, '--state-dir', stateDir])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr.trim().split('\n')).toEqual(['error: invalid image reference "Bad:Tag": the repository name must be lowercase'])
    writeFileSync(join(ctx, 'Containerfile'), 'FROM isobench/idle\nWORKDIR /a/b\n')
    const r = await isobench(['image', 'build', '-t', 'hello:1', '-t', 'hello:2', '--build-arg', 'X=1', ctx, '--state-dir', stateDir])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^built hello:1, hello:2 [0-9a-f]{12}/)
    const run = await isobench(['container', 'run', '--rm', '--network', 'none', 'hello:1', '--state-dir', stateDir, '--', 'pwd'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toBe('/a/b')
  })

  it('FROM scratch + COPY of a static binary makes a runnable image; sources outside the context are refused', async () => {
    const ctx = join(base, 'scratch')
    mkdirSync(ctx)
    cpSync('/bin/busybox', join(ctx, 'busybox'))
    writeFileSync(
      join(ctx, 'Containerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "mkdir", "-p", "/made/by/run"]\nCMD ["/bin/busybox", "true"]\n',
    )
    const executor = createBuildExecutor()
    const r = await buildImage(store, {file: join(ctx, 'Containerfile'), context: ctx, tags: ['tiny'], buildArgs: {}, network: 'none', executor})
    const {dir} = await unpackRootfs(store, r)
    expect(existsSync(join(dir, 'made/by/run'))).toBe(true)
    writeFileSync(join(ctx, 'Containerfile'), 'FROM scratch\nCOPY ../../etc/passwd /x\n')
    await expect(buildImage(store, {file: join(ctx, 'Containerfile'), context: ctx, tags: [], buildArgs: {}, network: 'none', executor})).rejects.toThrow(
      /outside the build context/,
    )
  })
})
