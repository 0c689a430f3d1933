/**
 * Config files load as a user has them: .ts, .mts, .mjs, .js and .json, from outside the checkout,
 * with an install that has no devDependencies (`npm ci --omit=dev`, as `npm install -g` would give):
 * the .ts loader must be a runtime dependency (jiti), not tsx.
 */
import {cpSync, existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, tempDir} from '../../helpers/cli.js'

const base = tempDir('isobench-config-')
const install = join(base, 'install')
const elsewhere = join(base, 'configs')
afterAll(() => rmSync(base, {recursive: true, force: true}))

beforeAll(async () => {
  // The built package as npm would install it: its files, then production dependencies only.
  if (!existsSync(join(ROOT, 'dist', 'commands'))) throw new Error('dist/ is missing: run npm run build first (npm test does)')
  mkdirSync(install)
  for (const f of ['package.json', 'package-lock.json', 'bin', 'dist', 'oclif.manifest.json', 'scenarios'])
    cpSync(join(ROOT, f), join(install, f), {recursive: true})
  const r = await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {cwd: install, reject: false, all: true})
  expect(r.exitCode, r.all).toBe(0)
  mkdirSync(elsewhere)
}, 300_000)

function cli(args: string[]) {
  return execa('node', [join(install, 'bin', 'run.js'), ...args], {cwd: elsewhere, reject: false, all: true, env: {CI: 'true', ISOBENCH_STATE_DIR: ''}})
}

describe('config files after npm ci --omit=dev, outside the checkout', () => {
  it('has no devDependency to lean on', () => {
    expect(existsSync(join(install, 'node_modules', 'tsx'))).toBe(false)
    expect(existsSync(join(install, 'node_modules', 'jiti'))).toBe(true)
  })

  const cases: Array<[string, string]> = [
    ['bench.config.ts', "interface C {stateDir: string}\nconst c: C = {stateDir: '/tmp/isobench-config-ts'}\nexport default c\n"],
    ['my.mts', "export default {stateDir: '/tmp/isobench-config-mts'} as const\n"],
    ['my.mjs', "export default {stateDir: '/tmp/isobench-config-mjs'}\n"],
    ['my.js', "export default {stateDir: '/tmp/isobench-config-js'}\n"],
    ['my.json', '{"stateDir": "/tmp/isobench-config-json"}\n'],
  ]
  for (const [name, text] of cases) {
    it(`loads ${name}`, async () => {
      writeFileSync(join(elsewhere, name), text)
      // image ls reports the state dir it resolved, which only the config names here.
      const args = name === 'bench.config.ts' ? ['image', 'ls', '--json'] : ['image', 'ls', '--json', '--config', join(elsewhere, name)]
      const r = await cli(args)
      expect(r.exitCode, r.all).toBe(0)
      expect(JSON.parse(r.stdout).stateDir).toBe(`/tmp/isobench-config-${name.split('.').pop()}`)
    })
  }

  it('a config that does not validate or load exits 2 with one line naming the file and the field', async () => {
    writeFileSync(join(elsewhere, 'bad.ts'), "export default {stateDir: 3, reps: 'many'}\n")
    const bad = await cli(['image', 'ls', '--config', join(elsewhere, 'bad.ts')])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr.trim()).toBe(`error: ${join(elsewhere, 'bad.ts')}: reps: expected a number, got "many"`)
    writeFileSync(join(elsewhere, 'broken.ts'), 'export default {stateDir: \n')
    const broken = await cli(['image', 'ls', '--config', join(elsewhere, 'broken.ts')])
    expect(broken.exitCode).toBe(2)
    expect(broken.stderr).toMatch(new RegExp(`^error: ${join(elsewhere, 'broken.ts')}: could not load: `))
    expect(broken.stderr.trim().split('\n')).toHaveLength(1)
  })
})
