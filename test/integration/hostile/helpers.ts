/**
 * Shared by the hostile suite: a state dir of its own, the static probe (probe.c, compiled here with
 * the host's cc and bound read-only into containers), and a foreground `container run` that
 * collects the container's output.
 */
import {mkdtempSync, readFileSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {CleanupRegistry} from '../../../src/core/cleanup.js'
import {runContainer, type ContainerRunOptions} from '../../../src/runtime/container/run.js'

export const isRoot = process.getuid?.() === 0

export function newStateDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `isobench-hostile-${name}-`))
}

/** cc -static probe.c into dir; returns the binary's path. */
export async function buildProbe(dir: string): Promise<string> {
  const out = join(dir, 'probe')
  await execa('cc', ['-O2', '-Wall', '-static', '-o', out, join(import.meta.dirname, 'probe.c')])
  return out
}

/** `probe …` output lines as a record: "a=OK b=EPERM" → {a: 'OK', b: 'EPERM'} (later lines win). */
export function parseProbe(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of text.matchAll(/([\w-]+)=(\S+)/g)) out[m[1]!] = m[2]!
  return out
}

/** A foreground container of our runtime with the probe at /probe; its output and exit code. */
export async function runWithProbe(stateDir: string, probe: string, script: string, extra: Partial<ContainerRunOptions> = {}) {
  let text = ''
  const stream = {write: (b: Buffer | string) => ((text += b.toString()), true)} as unknown as NodeJS.WritableStream
  const cleanup = new CleanupRegistry()
  try {
    const r = await runContainer({
      stateDir,
      image: 'idle',
      command: ['/bin/sh', '-c', script],
      rm: true,
      detach: false,
      network: 'none',
      publish: [],
      mounts: [`type=bind,src=${probe},dst=/probe,ro`],
      env: [],
      cleanup,
      stdout: stream,
      stderr: stream,
      ...extra,
    })
    return {exitCode: r.exitCode, output: text}
  } finally {
    await cleanup.runAll()
  }
}

/**
 * The host's root disk: major:minor of / in /proc/self/mountinfo (e.g. 254:0 for /dev/vda), or,
 * where / is not on a block device (overlay or tmpfs root: major 0), the first disk in /sys/block.
 */
export function hostRootDevice(): [number, number] {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === '/')!
  const [major, minor] = line.split(' ')[2]!.split(':').map(Number) as [number, number]
  if (major !== 0) return [major, minor]
  const disk = readdirSync('/sys/block').find((d) => !/^(loop|ram|zram)/.test(d))
  if (!disk) throw new Error('no block device on this host to test against')
  return readFileSync(`/sys/block/${disk}/dev`, 'utf8').trim().split(':').map(Number) as [number, number]
}
