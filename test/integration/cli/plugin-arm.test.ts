import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, ROOT, tempDir} from '../../helpers/cli.js'

const data = tempDir('isobench-data-')
const out = tempDir()
const env = {ISOBENCH_DATA_DIR: data}
afterAll(() => {
  rmSync(data, {recursive: true, force: true})
  rmSync(out, {recursive: true, force: true})
})

describe('an arm contributed by an external plugin', () => {
  it('is listed by providers once the plugin is linked, and runs in a real run', async () => {
    const before = await isobench(['providers', '--json'], {env})
    expect(JSON.parse(before.stdout).map((p: {name: string}) => p.name)).not.toContain('echo-env')

    const link = await isobench(['plugins', 'link', join(ROOT, 'test/fixtures/isobench-plugin-echo-arm')], {env})
    expect(link.exitCode, link.all).toBe(0)

    const after = await isobench(['providers', '--json'], {env})
    const arms = JSON.parse(after.stdout) as Array<{name: string; plugin: string; available: boolean}>
    expect(arms).toContainEqual(expect.objectContaining({name: 'echo-env', plugin: 'isobench-plugin-echo-arm', available: true}))
    expect(arms).toContainEqual(expect.objectContaining({name: 'process', plugin: 'isobench'}))

    const run = await isobench(['run', 'scenarios/quick.yaml', '--arms', 'process,echo-env', '--reps', '3', '--warmup', '0', '--out', out, '--json'], {env})
    expect(run.exitCode, run.all).toBe(0)
    const results = JSON.parse(readFileSync(JSON.parse(run.stdout).resultsFile, 'utf8')) as Results
    const plugin = results.samples.filter((s) => s.arm === 'echo-env' && s.metric === 'startup')
    expect(plugin.length).toBeGreaterThanOrEqual(3)
    expect(plugin.every((s) => s.ok && s.value! > 0)).toBe(true)
    expect(results.arms).toContainEqual(expect.objectContaining({name: 'echo-env', versions: {fixture: '1.0.0'}}))

    const unlink = await isobench(['plugins', 'unlink', 'isobench-plugin-echo-arm'], {env})
    expect(unlink.exitCode).toBe(0)
    const gone = await isobench(['providers', '--json'], {env})
    expect(JSON.parse(gone.stdout).map((p: {name: string}) => p.name)).not.toContain('echo-env')
  })

  it('rejects linking a folder that is not a plugin with exit 2', async () => {
    const r = await isobench(['plugins', 'link', out], {env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('no package.json')
  })
})
