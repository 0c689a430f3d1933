/**
 * The registry commands against a real registry: Debian's docker-registry on 127.0.0.1 with
 * htpasswd auth, started and stopped here. Login (wrong and right password), push, pull, pull by
 * digest, a missing tag, a manifest list (linux/amd64 by default, --platform for another), FROM a
 * registry reference (pulled once, then from the store), and an unreachable registry. Every failure
 * is exit 1 and one line naming the reference and the reason.
 */
import {cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {writeLayerTar} from '../../../src/images/layer/tar-write.js'
import {MEDIA, REF_NAME_ANNOTATION, type OciManifest} from '../../../src/images/oci.js'
import {ensureRecipeImage, openImageStore, unpackRootfs} from '../../../src/images/rootfs.js'
import {isobench, tempDir} from '../../helpers/cli.js'
import {freePort, registryAvailable, startRegistry, type TestRegistry} from '../../helpers/registry.js'

const isRoot = process.getuid?.() === 0
const base = tempDir('isobench-registry-test-')
afterAll(() => rmSync(base, {recursive: true, force: true}))

describe.skipIf(!isRoot || !registryAvailable())('image pull/push/login against a local docker-registry (htpasswd auth)', () => {
  let reg: TestRegistry
  const authfile = join(base, 'auth.json')
  const env = {REGISTRY_AUTH_FILE: authfile}
  const src = join(base, 'src-state')
  let idleRootfs: string
  let pushedDigest: string
  const run = (args: string[], stateDir = src) => isobench([...args, '--state-dir', stateDir], {env})
  const oneLine = (s: string) => s.trim().split('\n')

  beforeAll(async () => {
    reg = await startRegistry()
    const store = openImageStore(src)
    const idle = await ensureRecipeImage(store, 'idle')
    idleRootfs = (await unpackRootfs(store, idle)).digest
  }, 120_000)
  afterAll(async () => reg?.stop())

  it('login with a wrong password: exit 1, one line', async () => {
    const r = await isobench(['image', 'login', reg.host, '-u', reg.user, '-p', 'wrong', '--tls-verify=false'], {env})
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr)).toEqual([`error: login ${reg.host}: invalid username or password`])
  })

  it('push without credentials is refused in one line naming the reference', async () => {
    const r = await run(['image', 'push', 'isobench/idle', `${reg.host}/idle:1`, '--tls-verify=false'])
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr).filter((l) => l.startsWith('error:'))).toEqual([
      `error: push ${reg.host}/idle:1: unauthorized: the registry refused the credentials (log in with \`isobench image login ${reg.host}\`)`,
    ])
  })

  it('login (password on stdin), then push: a progress line per layer and the digest the registry serves', async () => {
    const login = await execa(
      'node',
      [join(import.meta.dirname, '../../../bin/run.js'), 'image', 'login', reg.host, '-u', reg.user, '--password-stdin', '--tls-verify=false'],
      {input: reg.password + '\n', env: {...env, CI: 'true'}, reject: false},
    )
    expect(login.stdout).toBe(`logged in to ${reg.host}`)
    expect(JSON.parse(readFileSync(authfile, 'utf8')).auths[reg.host]).toBeDefined()
    const r = await run(['image', 'push', 'isobench/idle', `${reg.host}/idle:1`, '--tls-verify=false'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toMatch(/^ {2}layer 1\/1: sha256:[0-9a-f]{12}/m)
    const m = /^pushed (\S+) (sha256:[0-9a-f]{64}) \(1 layers\)$/.exec(r.stdout)
    expect(m?.[1]).toBe(`${reg.host}/idle:1`)
    pushedDigest = m![2]!
  })

  it('pull: the round trip gives the same rootfs digest, named as Docker names it', async () => {
    const dst = join(base, 'pull-state')
    const r = await run(['image', 'pull', `${reg.host}/idle:1`, '--tls-verify=false'], dst)
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toMatch(/^ {2}layer 1: sha256:[0-9a-f]{12}/m)
    expect(r.stdout).toMatch(new RegExp(`^pulled ${reg.host.replace(/\./g, '\\.')}/idle:1 [0-9a-f]{12} \\(1 layers, linux/amd64\\)`))
    const store = openImageStore(dst)
    expect((await unpackRootfs(store, `${reg.host}/idle:1`)).digest).toBe(idleRootfs)
    // A reference without a tag is :latest, and a pull of what the store has replaces nothing else.
    const latest = await run(['image', 'pull', `${reg.host}/idle`, '--tls-verify=false'], dst)
    expect(latest.exitCode).toBe(1)
    expect(oneLine(latest.stderr)).toEqual([`error: pull ${reg.host}/idle:latest: manifest unknown: the registry has no such tag or digest`])
  })

  it('pull by digest', async () => {
    const dst = join(base, 'digest-state')
    const ref = `${reg.host}/idle@${pushedDigest}`
    const r = await run(['image', 'pull', ref, '--tls-verify=false'], dst)
    expect(r.exitCode).toBe(0)
    const store = openImageStore(dst)
    expect((await unpackRootfs(store, ref)).digest).toBe(idleRootfs)
    expect((await store.list()).flatMap((i) => i.names)).toEqual([ref])
  })

  it('a missing tag: exit 1, one line naming the reference', async () => {
    const r = await run(['image', 'pull', `${reg.host}/idle:missing`, '--tls-verify=false'], join(base, 'missing-state'))
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr)).toEqual([`error: pull ${reg.host}/idle:missing: manifest unknown: the registry has no such tag or digest`])
  })

  it('TLS verification on (the default) against a plain-HTTP registry says what to add', async () => {
    const r = await run(['image', 'pull', `${reg.host}/idle:1`], join(base, 'tls-state'))
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr)).toEqual([`error: pull ${reg.host}/idle:1: ${reg.host} speaks plain HTTP: add --tls-verify=false`])
  })

  it('a manifest list: linux/amd64 by default, --platform picks another', async () => {
    // An OCI index with two images: the idle image (amd64) and a one-file image that says it is arm64.
    const store = openImageStore(src)
    const layer = join(base, 'arm64-layer.tar')
    await writeLayerTar([{path: 'arch', type: 'file', content: 'arm64\n'}], layer)
    const blob = await store.putBlobFile(layer)
    const arm = await store.putImage(
      {architecture: 'arm64', os: 'linux', rootfs: {type: 'layers', diff_ids: [blob.digest]}, config: {}},
      [{mediaType: MEDIA.layerTar, digest: blob.digest, size: blob.size}],
      ['arm-only:1'],
    )
    const amd = await store.resolve('isobench/idle')
    const layout = join(base, 'multi-layout')
    mkdirSync(join(layout, 'blobs/sha256'), {recursive: true})
    const descs = []
    for (const [ref, arch] of [
      [amd, 'amd64'],
      [arm, 'arm64'],
    ] as const) {
      const m = await store.readJson<OciManifest>(ref.manifestDigest)
      for (const d of [ref.manifestDigest, m.config.digest, ...m.layers.map((l) => l.digest)])
        cpSync(store.blobPath(d), join(layout, 'blobs/sha256', d.slice(7)))
      descs.push({
        mediaType: MEDIA.manifest,
        digest: ref.manifestDigest,
        size: readFileSync(store.blobPath(ref.manifestDigest)).length,
        platform: {architecture: arch, os: 'linux'},
      })
    }
    const index = Buffer.from(JSON.stringify({schemaVersion: 2, mediaType: MEDIA.index, manifests: descs}))
    const indexBlob = await store.putBlob(index)
    writeFileSync(join(layout, 'blobs/sha256', indexBlob.digest.slice(7)), index)
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({imageLayoutVersion: '1.0.0'}))
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{mediaType: MEDIA.index, digest: indexBlob.digest, size: index.length, annotations: {[REF_NAME_ANNOTATION]: 'multi'}}],
      }),
    )
    await execa('skopeo', ['copy', '--all', '--dest-tls-verify=false', '--dest-authfile', authfile, `oci:${layout}:multi`, `docker://${reg.host}/multi:1`])

    const dst = join(base, 'multi-state')
    const dflt = await run(['image', 'pull', `${reg.host}/multi:1`, '--tls-verify=false'], dst)
    expect(dflt.stdout).toContain('(1 layers, linux/amd64)')
    expect((await unpackRootfs(openImageStore(dst), `${reg.host}/multi:1`)).digest).toBe(idleRootfs)
    const other = await run(['image', 'pull', `${reg.host}/multi:1`, '--platform', 'linux/arm64', '--tls-verify=false'], join(base, 'multi-arm'))
    expect(other.stdout).toContain('(1 layers, linux/arm64)')
    const {dir} = await unpackRootfs(openImageStore(join(base, 'multi-arm')), `${reg.host}/multi:1`)
    expect(readFileSync(join(dir, 'arch'), 'utf8')).toBe('arm64\n')
    const none = await run(['image', 'pull', `${reg.host}/multi:1`, '--platform', 'linux/s390x', '--tls-verify=false'], join(base, 'multi-none'))
    expect(none.exitCode).toBe(1)
    expect(oneLine(none.stderr)).toHaveLength(1)
    expect(none.stderr).toMatch(/no image for the requested platform/)
  })

  it('FROM a registry reference: pulled once, then taken from the store', async () => {
    const ctx = join(base, 'from-ctx')
    mkdirSync(ctx)
    writeFileSync(join(ctx, 'Containerfile'), `FROM ${reg.host}/idle:1\nRUN echo built > /built\n`)
    const dst = join(base, 'from-state')
    const first = await run(['image', 'build', '-t', 'from-registry:1', '--tls-verify=false', '--network', 'none', ctx], dst)
    expect(first.exitCode).toBe(0)
    expect(first.stderr).toContain(`pulled ${reg.host}/idle:1`)
    const second = await run(['image', 'build', '-t', 'from-registry:1', '--tls-verify=false', '--network', 'none', '--no-cache', ctx], dst)
    expect(second.exitCode).toBe(0)
    expect(second.stderr).not.toContain('pulled')
    const {dir} = await unpackRootfs(openImageStore(dst), 'from-registry:1')
    expect(readFileSync(join(dir, 'built'), 'utf8')).toBe('built\n')
  })

  it('offline: FROM an unreachable registry is one line naming the reference and why', async () => {
    const port = await freePort()
    const ctx = join(base, 'offline-ctx')
    mkdirSync(ctx)
    writeFileSync(join(ctx, 'Containerfile'), `FROM 127.0.0.1:${port}/nothing:1\n`)
    const r = await run(['image', 'build', '--tls-verify=false', ctx], join(base, 'offline-state'))
    expect(r.exitCode).toBe(1)
    expect(oneLine(r.stderr).filter((l) => l.startsWith('error:'))).toEqual([
      `error: ${join(ctx, 'Containerfile')}:1: pull 127.0.0.1:${port}/nothing:1: cannot reach registry 127.0.0.1:${port}: connection refused`,
    ])
    expect(oneLine(r.stderr).filter((l) => !l.startsWith('['))).toHaveLength(1)
  })

  it('logout removes the credentials', async () => {
    const r = await isobench(['image', 'logout', reg.host], {env})
    expect(r.stdout).toBe(`logged out of ${reg.host}`)
    expect(existsSync(authfile) ? JSON.parse(readFileSync(authfile, 'utf8')).auths?.[reg.host] : undefined).toBeUndefined()
  })
})
