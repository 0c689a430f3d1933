/** Recipe images: deterministic, hold busybox and its applets (no init: arms inject theirs), and run (chroot, as root). */
import {copyFileSync, existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'
import {ensureInit} from '../../../src/runtime/native/init.js'
import {ensureRecipe, idleRecipe, lddClosure, recipeImageName} from '../../../src/images/recipe.js'
import {ensureRecipeImage, imageConfig, openImageStore, unpackRootfs} from '../../../src/images/rootfs.js'
import type {Recipe} from '../../../src/workloads/profile.js'

const isRoot = process.getuid?.() === 0
const base = mkdtempSync(join(tmpdir(), 'isobench-recipe-'))
afterAll(() => rmSync(base, {recursive: true, force: true}))

describe.skipIf(!isRoot)('recipe images (root: unpack chowns files)', () => {
  it('idle: same recipe in two stores gives the same manifest and rootfs digest', async () => {
    const a = openImageStore(join(base, 'a'))
    const b = openImageStore(join(base, 'b'))
    const ra = await ensureRecipeImage(a, 'idle')
    const rb = await ensureRecipeImage(b, 'idle')
    expect(ra.name).toBe(recipeImageName('idle'))
    expect(ra.manifestDigest).toBe(rb.manifestDigest)
    const ua = await unpackRootfs(a, ra)
    const ub = await unpackRootfs(b, 'isobench/idle')
    expect(ua.digest).toBe(ub.digest)
    expect(ua.dir).toBe(join(base, 'a', 'rootfs', ua.digest.slice(7)))
    expect(ua.unpacked).toBe(true)
    expect((await unpackRootfs(a, ra)).unpacked).toBe(false)
    expect((await ensureRecipe(a, idleRecipe)).built).toBe(false)
  })

  it('idle rootfs has busybox and the applets the VM wrapper needs, no init of its own, and runs under the injected init', async () => {
    const store = openImageStore(join(base, 'a'))
    const {dir} = await unpackRootfs(store, await ensureRecipeImage(store, 'idle'))
    expect(existsSync(join(dir, 'isobench'))).toBe(false)
    expect(lstatSync(join(dir, 'bin/busybox')).isFile()).toBe(true)
    for (const p of ['bin/sh', 'bin/sleep', 'bin/true', 'bin/echo', 'bin/mount', 'sbin/poweroff']) expect(readlinkSync(join(dir, p))).toBe('/bin/busybox')
    // The rootfs is shared and read-only by convention: run a copy with the injected init added, as the arms do.
    const copy = join(base, 'idle-copy')
    await execa('cp', ['-a', dir, copy])
    copyFileSync(await ensureInit(), join(copy, 'init'))
    const r = await execa('chroot', [copy, '/init', 'sh', '-c', 'echo hello from $(pwd); true'], {
      env: {ISOBENCH_NAME: 't', PATH: '/bin:/sbin:/usr/bin'},
    })
    expect(r.stdout.split('\n')).toEqual(['ISOBENCH init t', 'ISOBENCH ready t', 'hello from /', 'ISOBENCH exit 0'])
    const cfg = await imageConfig(store, 'isobench/idle:latest')
    expect(cfg.Env?.some((e) => e.startsWith('PATH=') && e.includes('/sbin'))).toBe(true)
  })

  it('a recipe with a dynamic host binary carries its ldd closure and runs it in the chroot', async () => {
    const libs = await lddClosure('/usr/bin/env')
    expect(libs.some((l) => l.includes('libc.so'))).toBe(true)
    const recipe: Recipe = {
      name: 'envtest',
      binaries: ['/usr/bin/env'],
      busyboxApplets: ['ls'],
      files: [{path: '/etc/greeting', content: 'hi\n', mode: 0o600}],
      env: {FOO: 'bar'},
      cmd: ['/usr/bin/env'],
    }
    const store = openImageStore(join(base, 'c'))
    const ref = await ensureRecipeImage(store, recipe)
    const {dir} = await unpackRootfs(store, ref)
    for (const l of libs) expect(lstatSync(join(dir, l)).isFile()).toBe(true)
    expect(lstatSync(join(dir, 'etc/greeting')).mode & 0o777).toBe(0o600)
    const r = await execa('chroot', [dir, '/usr/bin/env', 'FOO=bar', '/bin/sh', '-c', 'echo $FOO; cat /etc/greeting'])
    expect(r.stdout).toBe('bar\nhi')
    expect((await imageConfig(store, ref)).Env).toContain('FOO=bar')
  })
})
