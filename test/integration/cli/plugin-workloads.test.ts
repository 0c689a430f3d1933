/**
 * Workloads contributed by an external plugin through the isobench:workloads hook: listed by
 * `isobench workloads` with the plugin as their origin (next to built-in and file workloads), run like
 * any other, and validated like files (a bad one is exit 2 naming the plugin and the field).
 */
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {isobench, ROOT, tempDir} from '../../helpers/cli.js'

const data = tempDir('isobench-data-')
const out = tempDir()
const env = {ISOBENCH_DATA_DIR: data, ISOBENCH_STATE_DIR: join(out, 'state')}
afterAll(() => {
  rmSync(data, {recursive: true, force: true})
  rmSync(out, {recursive: true, force: true})
})

describe('workloads contributed by an external plugin', () => {
  it('are listed with their origin, run like any workload, and a bad one is exit 2 naming the plugin', async () => {
    const link = await isobench(['plugins', 'link', join(ROOT, 'test/fixtures/isobench-plugin-workloads')], {env})
    expect(link.exitCode, link.all).toBe(0)

    const list = await isobench(['workloads', join(ROOT, 'test/fixtures/byo/web/workload.yaml'), '--json'], {env})
    expect(list.exitCode, list.all).toBe(0)
    const rows = JSON.parse(list.stdout) as Array<{name: string; origin: string; source: string; ready: string}>
    const by = (name: string) => rows.find((r) => r.name === name)
    expect(by('cpu')).toMatchObject({origin: 'built-in', source: 'scenarios/workloads/cpu.yaml'})
    expect(by('plugin-sum')).toMatchObject({origin: 'plugin', source: 'plugin isobench-plugin-workloads'})
    expect(by('plugin-sleep')).toMatchObject({origin: 'plugin', source: 'plugin isobench-plugin-workloads (./workloads/plugin-sleep.yaml)'})
    expect(by('web')).toMatchObject({origin: 'file', ready: 'http GET :8080/health → 200'})

    const run = await isobench(
      ['run', 'scenarios/cpu.yaml', '--workload', 'plugin-sum', '--arms', 'process', '--reps', '2', '--warmup', '0', '--out', out, '--json'],
      {
        env,
      },
    )
    expect(run.exitCode, run.all).toBe(0)
    const results = JSON.parse(readFileSync(JSON.parse(run.stdout).resultsFile, 'utf8')) as Results
    const sums = results.samples.filter((s) => s.figure === 'sum')
    expect(sums.length).toBeGreaterThan(0)
    expect(sums.every((s) => s.ok && s.value === 2001000)).toBe(true)
    expect(results.workloads![0]).toMatchObject({name: 'plugin-sum', origin: {kind: 'plugin', label: 'plugin isobench-plugin-workloads'}})

    const bad = await isobench(['workloads'], {env: {...env, ISOBENCH_TEST_BAD_PLUGIN_WORKLOAD: '1'}})
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('plugin isobench-plugin-workloads: workloads[0].ports[0]: Too big: expected number to be <=65535')

    const unlink = await isobench(['plugins', 'unlink', 'isobench-plugin-workloads'], {env})
    expect(unlink.exitCode).toBe(0)
    const gone = await isobench(['workloads', '--json'], {env})
    expect((JSON.parse(gone.stdout) as Array<{name: string}>).map((r) => r.name)).not.toContain('plugin-sum')
  })
})
