/**
 * Import/export through skopeo (a real second implementation of the formats): our export is read
 * by skopeo, skopeo's docker-archive and OCI layout are read by our import, and the rootfs digest
 * survives every hop.
 */
import {existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exportImage} from '../../../src/images/export.js'
import {importImage} from '../../../src/images/import.js'
import {ensureRecipeImage, openImageStore, unpackRootfs} from '../../../src/images/rootfs.js'
import {writeRawTar} from '../../fixtures/images/raw-tar.js'
import {isobench} from '../../helpers/cli.js'

const isRoot = process.getuid?.() === 0
const hasSkopeo = existsSync('/usr/bin/skopeo')
const base = mkdtempSync(join(tmpdir(), 'isobench-impexp-'))
afterAll(() => rmSync(base, {recursive: true, force: true}))

const skopeo = (...args: string[]) => execa('skopeo', ['--insecure-policy', ...args])

describe.skipIf(!isRoot || !hasSkopeo)('import/export round trips through skopeo (root; apt skopeo)', () => {
  const store = openImageStore(join(base, 'state'))
  let rootfsDigest: string
  beforeAll(async () => {
    rootfsDigest = (await unpackRootfs(store, await ensureRecipeImage(store, 'idle'))).digest
  })

  it('export → skopeo docker-archive → import keeps the name and rootfs digest', async () => {
    const layout = join(base, 'layout')
    const exp = await exportImage(store, 'isobench/idle:latest', layout)
    expect(exp.tag).toBe('latest')
    const archive = join(base, 'idle-docker.tar')
    await skopeo('copy', `oci:${layout}:latest`, `docker-archive:${archive}:example.org/idle:v1`)
    const other = openImageStore(join(base, 'state2'))
    const [img] = await importImage(other, archive)
    expect(img).toMatchObject({name: 'example.org/idle:v1', format: 'docker-archive', layers: 1})
    expect((await unpackRootfs(other, 'example.org/idle:v1')).digest).toBe(rootfsDigest)
  })

  it('skopeo docker-archive → skopeo oci layout (dir) → import --name', async () => {
    const archive = join(base, 'idle-docker.tar')
    const ociDir = join(base, 'skopeo-oci')
    await skopeo('copy', `docker-archive:${archive}`, `oci:${ociDir}:t2`)
    const other = openImageStore(join(base, 'state3'))
    const [img] = await importImage(other, ociDir, {name: 'back/idle:t2'})
    expect(img).toMatchObject({name: 'back/idle:t2', format: 'oci-layout'})
    expect((await unpackRootfs(other, img!)).digest).toBe(rootfsDigest)
    // Without --name, a tag-only ref.name becomes <dir name>:<tag>.
    const [img2] = await importImage(other, ociDir)
    expect(img2!.name).toBe('skopeo-oci:t2')
  })

  it('a docker-archive saved as web:1 is stored as web:1 (not docker.io/library/web:1), and container run web:1 finds it', async () => {
    const archive = join(base, 'web-docker.tar')
    await skopeo('copy', `oci:${join(base, 'layout')}:latest`, `docker-archive:${archive}:web:1`)
    const stateDir = join(base, 'state-web')
    const r = await isobench(['image', 'import', archive, '--state-dir', stateDir])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^imported web:1 /m)
    const ls = await isobench(['image', 'ls', '--json', '--state-dir', stateDir])
    expect((JSON.parse(ls.stdout) as {images: Array<{names: string[]}>}).images.flatMap((i) => i.names)).toEqual(['web:1'])
    for (const name of ['web:1', 'docker.io/library/web:1']) {
      const run = await isobench(['container', 'run', '--rm', '--network', 'none', '--state-dir', stateDir, name, '--', 'echo', 'ran'])
      expect(run.stderr).toBe('')
      expect(run.stdout.trim()).toBe('ran')
    }
  })

  it("image import DIR --name x registers x only, not the archive's own name too", async () => {
    const ociDir = join(base, 'named-oci')
    await skopeo('copy', `oci:${join(base, 'layout')}:latest`, `oci:${ociDir}:own:1`)
    const other = openImageStore(join(base, 'state-named'))
    await importImage(other, ociDir, {name: 'x'})
    expect((await other.list()).flatMap((i) => i.names)).toEqual(['x:latest'])
    expect(await other.tryResolve('own:1')).toBeNull()
    await expect(importImage(other, ociDir, {name: 'Bad Name'})).rejects.toThrow(/invalid image reference/)
  })

  it('export as an OCI tar: skopeo inspects it and our import reads it back', async () => {
    const tarPath = join(base, 'idle-oci.tar')
    await exportImage(store, 'isobench/idle', tarPath, {tag: 'v9'})
    const untar = join(base, 'untarred')
    mkdirSync(untar)
    await execa('tar', ['-xf', tarPath, '-C', untar])
    const info = JSON.parse((await skopeo('inspect', `oci:${untar}:v9`)).stdout) as {Layers: string[]}
    expect(info.Layers).toHaveLength(1)
    const other = openImageStore(join(base, 'state4'))
    const [img] = await importImage(other, tarPath)
    expect(img!.name).toBe('idle-oci:v9')
    expect((await unpackRootfs(other, img!)).digest).toBe(rootfsDigest)
  })

  it('gzip layers (skopeo oci with --dest-compress-format gzip) import and unpack to the same tree', async () => {
    const gz = join(base, 'gz-oci')
    await skopeo('copy', '--dest-compress', '--dest-compress-format', 'gzip', `oci:${join(base, 'layout')}:latest`, `oci:${gz}:gz`)
    const other = openImageStore(join(base, 'state5'))
    const [img] = await importImage(other, gz, {name: 'gz:1'})
    const m = await other.manifest(img!)
    expect(m.layers[0]!.mediaType).toMatch(/gzip/)
    expect((await unpackRootfs(other, img!)).digest).toBe(rootfsDigest)
  })

  it('rejects archives whose manifest.json points outside the archive, and non-archives', async () => {
    const evil = join(base, 'evil-archive.tar')
    await writeRawTar(evil, [{name: 'manifest.json', content: JSON.stringify([{Config: '../../etc/passwd', RepoTags: ['x:1'], Layers: []}])}])
    await expect(importImage(store, evil)).rejects.toThrow(/'\.\.' component/)
    const dir = join(base, 'evil-dir')
    mkdirSync(dir)
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{Config: '/etc/passwd', Layers: []}]))
    await expect(importImage(store, dir)).rejects.toThrow(/absolute path/)
    const junk = join(base, 'junk.tar')
    writeFileSync(junk, 'not a tar at all'.repeat(100))
    await expect(importImage(store, junk)).rejects.toThrow(/junk\.tar/)
  })
})
