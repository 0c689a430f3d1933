/**
 * Hostile layers: each test writes a real tar with an attack in it, unpacks it as root with the same
 * code every arm uses, and proves nothing was written outside the rootfs (the directory around the
 * rootfs is listed before and after, recursively).
 */
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {applyLayer} from '../../../src/images/layer/apply.js'
import {openTarStream} from '../../../src/images/layer/tar-read.js'
import {rootfsDigest} from '../../../src/images/rootfs-digest.js'
import {openImageStore, unpackRootfs} from '../../../src/images/rootfs.js'
import {MEDIA, type OciImageConfig} from '../../../src/images/oci.js'
import {writeRawTar, type RawEntry} from '../../fixtures/images/raw-tar.js'

const isRoot = process.getuid?.() === 0

let base: string
let rootfs: string
let outside: string
let layers: string

function listTree(dir: string, ...skip: string[]): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (skip.includes(p)) continue
      const st = lstatSync(p)
      out.push(`${relative(base, p)} ${st.mode.toString(8)} ${st.nlink} ${st.isFile() ? readFileSync(p, 'utf8') : ''}`)
      if (st.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out.sort()
}

async function apply(entries: RawEntry[], compression: 'none' | 'gzip' | 'zstd' = 'none') {
  const path = await writeRawTar(join(layers, `l${Math.random().toString(36).slice(2)}.tar`), entries, compression)
  return applyLayer(rootfs, await openTarStream(path), 'test layer')
}

/** Run an attack and assert the world outside the rootfs did not change. */
async function attack(entries: RawEntry[]): Promise<{result?: Awaited<ReturnType<typeof apply>>; error?: Error}> {
  const before = listTree(base, rootfs, layers)
  let result, error
  try {
    result = await apply(entries)
  } catch (e) {
    error = e as Error
  }
  expect(listTree(base, rootfs, layers)).toEqual(before)
  return {result, error}
}

describe.skipIf(!isRoot)('safe unpack of hostile layers (needs root: chown, device entries)', () => {
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'isobench-hostile-'))
    rootfs = join(base, 'rootfs')
    outside = join(base, 'outside')
    layers = join(base, 'layers')
    mkdirSync(rootfs)
    mkdirSync(outside)
    mkdirSync(layers)
    writeFileSync(join(outside, 'secret'), 'host secret')
  })
  afterEach(() => rmSync(base, {recursive: true, force: true}))

  it('rejects a member name with .. and writes nothing', async () => {
    const {error} = await attack([{name: '../outside/pwned', content: 'x'}])
    expect(error?.message).toMatch(/'\.\.' component/)
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
  })

  it('rejects a member name with .. in the middle', async () => {
    const {error} = await attack([{name: 'a/../../outside/pwned', content: 'x'}])
    expect(error?.message).toMatch(/'\.\.' component/)
  })

  it('rejects absolute member names', async () => {
    const {error} = await attack([{name: join(outside, 'pwned'), content: 'x'}])
    expect(error?.message).toMatch(/absolute path/)
    expect(existsSync(join(outside, 'pwned'))).toBe(false)
  })

  it('follows a relative symlink that climbs out only inside the rootfs', async () => {
    const {error} = await attack([
      {name: 'esc', type: 'symlink', linkname: '../../../../../../..' + outside},
      {name: 'esc/pwned', content: 'x'},
    ])
    expect(error).toBeUndefined()
    expect(readFileSync(join(rootfs, outside, 'pwned'), 'utf8')).toBe('x')
  })

  it('follows an absolute symlink as if the rootfs were /', async () => {
    const {error} = await attack([
      {name: 'esc', type: 'symlink', linkname: outside},
      {name: 'esc/pwned', content: 'x'},
      {name: 'esc/secret', content: 'overwritten?'},
    ])
    expect(error).toBeUndefined()
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('host secret')
    expect(readFileSync(join(rootfs, outside, 'secret'), 'utf8')).toBe('overwritten?')
  })

  it('never writes through a symlink at the final component (replaces the link)', async () => {
    const {error} = await attack([
      {name: 'victim', type: 'symlink', linkname: join(outside, 'secret')},
      {name: 'victim', content: 'through the link?'},
    ])
    expect(error).toBeUndefined()
    expect(lstatSync(join(rootfs, 'victim')).isFile()).toBe(true)
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('host secret')
  })

  it('a symlink to a directory outside does not let a directory entry chmod/chown it', async () => {
    const modeBefore = statSync(outside).mode
    const {error} = await attack([
      {name: 'd', type: 'symlink', linkname: outside},
      {name: 'd/', type: 'directory', mode: 0o777},
    ])
    expect(error).toBeUndefined()
    expect(statSync(outside).mode).toBe(modeBefore)
    expect(lstatSync(join(rootfs, 'd')).isDirectory()).toBe(true)
  })

  it('rejects a hardlink to a path outside (.., absolute, or through a symlink)', async () => {
    for (const linkname of ['../outside/secret', join(outside, 'secret')]) {
      const {error} = await attack([{name: 'hl', type: 'link', linkname}])
      expect(error?.message).toMatch(/'\.\.' component|absolute path/)
    }
    const {error} = await attack([
      {name: 'via', type: 'symlink', linkname: outside},
      {name: 'hl', type: 'link', linkname: 'via/secret'},
    ])
    expect(error?.message).toMatch(/target is not in the rootfs/)
    expect(statSync(join(outside, 'secret')).nlink).toBe(1)
  })

  it('allows a hardlink to a file inside the rootfs', async () => {
    const {error} = await attack([
      {name: 'a', content: 'same'},
      {name: 'b', type: 'link', linkname: './a'},
    ])
    expect(error).toBeUndefined()
    expect(statSync(join(rootfs, 'b')).ino).toBe(statSync(join(rootfs, 'a')).ino)
  })

  it('never creates device nodes or fifos (skipped with a warning)', async () => {
    const {result, error} = await attack([
      {name: 'dev/', type: 'directory'},
      {name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o666},
      {name: 'dev/mem', type: 'character-device', devmajor: 1, devminor: 1, mode: 0o666},
      {name: 'dev/fifo', type: 'fifo'},
    ])
    expect(error).toBeUndefined()
    expect(readdirSync(join(rootfs, 'dev'))).toEqual([])
    expect(result!.warnings.join('\n')).toMatch(/dev\/sda: block-device \(8:0\) not created/)
    expect(result!.warnings.join('\n')).toMatch(/dev\/mem: character-device/)
  })

  it('strips setuid and setgid bits (keeps sticky), with a warning', async () => {
    const {result} = await attack([
      {name: 'suid', content: '#!/bin/sh\n', mode: 0o4755, uid: 1000, gid: 1000},
      {name: 'sgid-dir/', type: 'directory', mode: 0o2775},
      {name: 'sticky/', type: 'directory', mode: 0o1777},
    ])
    expect(statSync(join(rootfs, 'suid')).mode & 0o7777).toBe(0o755)
    expect(statSync(join(rootfs, 'suid')).uid).toBe(1000)
    expect(statSync(join(rootfs, 'sgid-dir')).mode & 0o7777).toBe(0o775)
    expect(statSync(join(rootfs, 'sticky')).mode & 0o7777).toBe(0o1777)
    expect(result!.warnings.join('\n')).toMatch(/suid: setuid\/setgid bits stripped/)
  })

  it('rejects symlink loops instead of spinning', async () => {
    const {error} = await attack([
      {name: 'l1', type: 'symlink', linkname: 'l2'},
      {name: 'l2', type: 'symlink', linkname: 'l1'},
      {name: 'l1/x', content: 'x'},
    ])
    expect(error?.message).toMatch(/too many levels of symbolic links/)
  })

  it('whiteouts and opaque dirs delete lower-layer files only, never outside', async () => {
    await apply([
      {name: 'a/', type: 'directory'},
      {name: 'a/x', content: 'x'},
      {name: 'a/sub/', type: 'directory'},
      {name: 'a/sub/y', content: 'y'},
      {name: 'b/', type: 'directory'},
      {name: 'b/z', content: 'z'},
      {name: 'keep', content: 'k'},
      {name: 'via', type: 'symlink', linkname: outside},
    ])
    const {error} = await attack([
      {name: 'a/new', content: 'n'},
      {name: 'a/.wh..wh..opq', content: ''},
      {name: '.wh.b', content: ''},
      {name: 'via/.wh.secret', content: ''},
      {name: '.wh.does-not-exist', content: ''},
    ])
    expect(error).toBeUndefined()
    expect(readdirSync(join(rootfs, 'a'))).toEqual(['new'])
    expect(existsSync(join(rootfs, 'b'))).toBe(false)
    expect(readFileSync(join(rootfs, 'keep'), 'utf8')).toBe('k')
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('host secret')
    expect(readlinkSync(join(rootfs, 'via'))).toBe(outside)
  })

  it('an opaque whiteout hides only lower layers: d/new/file (no entries for d/ or d/new/) survives d/.wh..wh..opq in either order', async () => {
    for (const order of ['file-first', 'marker-first'] as const) {
      rmSync(rootfs, {recursive: true, force: true})
      mkdirSync(rootfs)
      await apply([
        {name: 'd/', type: 'directory'},
        {name: 'd/old', content: 'lower'},
        {name: 'd/new/', type: 'directory'},
        {name: 'd/new/lower-too', content: 'lower'},
        {name: 'e/', type: 'directory'},
        {name: 'e/gone', content: 'lower'},
      ])
      const file = {name: 'd/new/file', content: 'this layer'}
      const marker = {name: 'd/.wh..wh..opq', content: ''}
      const ownDir = {name: 'e/mine/kept', content: 'this layer'}
      const whiteoutE = {name: '.wh.e', content: ''}
      await apply(order === 'file-first' ? [file, ownDir, marker, whiteoutE] : [marker, whiteoutE, file, ownDir])
      expect(readFileSync(join(rootfs, 'd/new/file'), 'utf8'), order).toBe('this layer')
      expect(readdirSync(join(rootfs, 'd')), order).toEqual(['new'])
      expect(readdirSync(join(rootfs, 'd/new')), order).toEqual(['file'])
      // `.wh.e` hides the lower e/, never what this same layer puts under e/.
      expect(readdirSync(join(rootfs, 'e')).sort(), order).toEqual(['mine'])
      expect(readFileSync(join(rootfs, 'e/mine/kept'), 'utf8'), order).toBe('this layer')
    }
  })

  it('rejects a whiteout naming .. ', async () => {
    const {error} = await attack([{name: 'a/.wh...', content: ''}])
    expect(error?.message).toMatch(/names no file/)
  })

  it('reads gzip and zstd layers', async () => {
    await apply([{name: 'g', content: 'gzip'}], 'gzip')
    await apply([{name: 'z', content: 'zstd'}], 'zstd')
    expect(readFileSync(join(rootfs, 'g'), 'utf8')).toBe('gzip')
    expect(readFileSync(join(rootfs, 'z'), 'utf8')).toBe('zstd')
  })

  it('the rootfs digest is deterministic and sees modes, owners, contents and link targets', async () => {
    await apply([
      {name: 'f', content: 'c'},
      {name: 'l', type: 'symlink', linkname: 'f'},
    ])
    const d1 = rootfsDigest(rootfs).digest
    expect(rootfsDigest(rootfs).digest).toBe(d1)
    const changes: RawEntry[][] = [
      [{name: 'f', content: 'c', mode: 0o600}],
      [{name: 'f', content: 'c', uid: 7}],
      [{name: 'f', content: 'd'}],
      [{name: 'l', type: 'symlink', linkname: 'g'}],
    ]
    const seen = new Set([d1])
    for (const change of changes) {
      await apply([
        {name: 'f', content: 'c'},
        {name: 'l', type: 'symlink', linkname: 'f'},
      ])
      await apply(change)
      seen.add(rootfsDigest(rootfs).digest)
    }
    expect(seen.size).toBe(1 + changes.length)
  })

  it('unpackRootfs through the store refuses a hostile image and leaves no temp dir', async () => {
    const stateDir = join(base, 'state')
    const store = openImageStore(stateDir)
    const tarPath = await writeRawTar(join(layers, 'evil.tar'), [
      {name: 'ok', content: 'fine'},
      {name: '../../pwned', content: 'x'},
    ])
    const blob = await store.putBlobFile(tarPath)
    const config: OciImageConfig = {architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [blob.digest]}}
    const ref = await store.putImage(config, [{mediaType: MEDIA.layerTar, digest: blob.digest, size: blob.size}], ['evil:1'])
    await expect(unpackRootfs(store, ref)).rejects.toThrow(/'\.\.' component/)
    expect(readdirSync(join(stateDir, 'rootfs')).filter((f) => f !== 'chains')).toEqual([])
    expect(existsSync(join(base, 'pwned'))).toBe(false)
    expect(existsSync(join(stateDir, 'pwned'))).toBe(false)
  })
})
