/**
 * Workload images that cannot be found or built are bad input: exit 2 before anything runs, one line
 * naming the workload file, the line of its `image` field, and the cause (at most a few KB of it); a
 * Containerfile that does not parse names its own line. No stack trace.
 */
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {isobench, tempDir} from '../../helpers/cli.js'

const base = tempDir('isobench-byo-errors-')
afterAll(() => rmSync(base, {recursive: true, force: true}))

async function runWorkload(name: string, workload: string, files: Record<string, string> = {}) {
  const dir = join(base, name)
  mkdirSync(dir, {recursive: true})
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text)
  writeFileSync(join(dir, 'workload.yaml'), workload)
  return isobench([
    'run',
    'scenarios/startup.yaml',
    '--workload',
    join(dir, 'workload.yaml'),
    '--arms',
    'container',
    '--state-dir',
    join(base, 'state'),
    '--out',
    join(base, 'out'),
  ])
}

describe.skipIf(process.getuid?.() !== 0)('workload images that cannot be had: exit 2 at the image field', () => {
  it('a Containerfile that is not there', async () => {
    const r = await runWorkload('missing', 'name: w\ncommand: [true]\nimage: {containerfile: ./Nope}\n')
    expect(r.exitCode).toBe(2)
    expect(r.stderr.trim()).toMatch(/workload\.yaml:3:8: image\.containerfile: Containerfile .*\/missing\/Nope not found$/)
  })

  it('a build step that fails: the step and its output, capped', async () => {
    const r = await runWorkload('failing', 'name: w\ncommand: [x]\nimage:\n  containerfile: ./Containerfile\n', {
      Containerfile: 'FROM isobench/idle\nRUN echo building; head -c 100000 /dev/zero | tr "\\0" y; exit 7\n',
    })
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/workload\.yaml:4:3: image\.containerfile: cannot build .*Containerfile: /)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(r.stderr.length).toBeLessThan(10_000)
  })

  it('a Containerfile that does not parse names its own line', async () => {
    const r = await runWorkload('syntax', 'name: w\ncommand: [x]\nimage: {containerfile: ./Containerfile}\n', {
      Containerfile: 'FROM isobench/idle\nONBUILD RUN true\n',
    })
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/Containerfile:2\b.*ONBUILD/)
  })

  it('an image reference that is neither in the store nor reachable', async () => {
    const r = await runWorkload('ref', 'name: w\ncommand: [x]\nimage: {ref: 127.0.0.1:9/nothing/here:1}\n')
    expect(r.exitCode).toBe(2)
    expect(r.stderr.trim()).toMatch(/workload\.yaml:3:8: image\.ref: image 127\.0\.0\.1:9\/nothing\/here:1 is not in the image store and cannot be pulled: /)
  })
})
