/**
 * Large images as guest artefacts: a 115 MiB rootfs becomes an initramfs streamed to a file (it once
 * failed with execa's maxBuffer and printed the whole cpio stream), and a failing packer's error quotes
 * at most a few KB. The overlay of every artefact carries the injected init, outside the rootfs tree.
 */
import {execa} from 'execa'
import {closeSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {capText, spawnToFile, MAX_QUOTED_OUTPUT} from '../../../src/host/process.js'
import {ensureGuestArtefacts} from '../../../src/vm/artefacts.js'
import type {GuestKernel} from '../../../src/vm/kernel.js'
import {tempDir} from '../../helpers/cli.js'

const base = tempDir('isobench-large-artefacts-')
afterAll(() => rmSync(base, {recursive: true, force: true}))
const kernel: GuestKernel = {version: 'test', vmlinuz: '/nonexistent', modules: [], source: 'config'}

describe.skipIf(process.getuid?.() !== 0)('guest artefacts of large images', () => {
  it('a 115 MiB rootfs becomes an initramfs file without passing through memory, with the injected init in its overlay', async () => {
    const rootfs = join(base, 'rootfs')
    mkdirSync(join(rootfs, 'bin'), {recursive: true})
    await execa('head', ['-c', String(115 * 2 ** 20), '/dev/urandom'], {stdout: {file: join(rootfs, 'big')}, buffer: false})
    writeFileSync(join(rootfs, 'bin', 'x'), 'x')
    const a = await ensureGuestArtefacts(join(base, 'state'), {rootfsDir: rootfs, rootfsDigest: 'sha256:' + 'a'.repeat(64), kernel, kind: 'initramfs'})
    expect(a.kind).toBe('initramfs')
    expect(statSync(a.initrd).size).toBeGreaterThan(115 * 2 ** 20)
    const list = await execa('cpio', ['-it', '--quiet'], {inputFile: a.initrd, maxBuffer: 1e6})
    expect(list.stdout.split('\n')).toEqual(['big', 'bin', 'bin/x']) // the image's own archive: no init in it
    // The overlay archive follows the image's (the kernel unpacks concatenated archives in order).
    const fd = openSync(a.initrd, 'r')
    const tail = Buffer.alloc(8 * 2 ** 20)
    const n = readSync(fd, tail, 0, tail.length, statSync(a.initrd).size - tail.length)
    closeSync(fd)
    const text = tail.subarray(0, n).toString('latin1')
    for (const name of ['isobench/init\0', 'isobench/vm/init\0', 'isobench/vm/busybox\0']) expect(text).toContain(name)
  })

  it('a packer that fails quotes a few KB of its stderr, never its output', async () => {
    const out = join(base, 'out.bin')
    const err = await spawnToFile(['bash', '-c', 'head -c 5000000 /dev/zero; head -c 100000 /dev/zero | tr "\\0" e >&2; exit 3'], out).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/exit 3/)
    expect((err as Error).message.length).toBeLessThan(MAX_QUOTED_OUTPUT + 200)
    expect(statSync(out).size).toBe(5_000_000)
    expect(capText('x'.repeat(10_000))).toHaveLength(MAX_QUOTED_OUTPUT + '… [5904 more bytes]'.length)
  })
})
