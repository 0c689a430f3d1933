/**
 * Linking a local plugin (e.g. one that contributes an arm) without @oclif/plugin-plugins: oclif
 * itself loads `type: "link"` plugins listed in <dataDir>/package.json, so linking is writing that file.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {UsageError} from '../core/errors.js'

interface UserPjson {
  private?: boolean
  oclif: {schema: number; plugins: Array<{name: string; type: 'link' | 'user'; root?: string}>}
}

function read(dataDir: string): UserPjson {
  const file = join(dataDir, 'package.json')
  if (!existsSync(file)) return {private: true, oclif: {schema: 1, plugins: []}}
  const pj = JSON.parse(readFileSync(file, 'utf8')) as Partial<UserPjson>
  return {...pj, oclif: {schema: 1, plugins: pj.oclif?.plugins ?? []}}
}

function write(dataDir: string, pj: UserPjson): void {
  mkdirSync(dataDir, {recursive: true})
  writeFileSync(join(dataDir, 'package.json'), JSON.stringify(pj, null, 2) + '\n')
}

export function linkPlugin(dataDir: string, path: string): {name: string; root: string} {
  const root = resolve(path)
  const pkgFile = join(root, 'package.json')
  if (!existsSync(pkgFile)) throw new UsageError(`${root}: no package.json; a plugin is an npm package with an "oclif" section`)
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {name?: string; oclif?: unknown}
  if (!pkg.name) throw new UsageError(`${pkgFile}: name: expected the package's name`)
  if (!pkg.oclif) throw new UsageError(`${pkgFile}: oclif: expected an "oclif" section declaring the plugin's hooks`)
  const pj = read(dataDir)
  pj.oclif.plugins = pj.oclif.plugins.filter((p) => p.name !== pkg.name)
  pj.oclif.plugins.push({name: pkg.name, type: 'link', root})
  write(dataDir, pj)
  return {name: pkg.name, root}
}

export function unlinkPlugin(dataDir: string, name: string): boolean {
  const pj = read(dataDir)
  const before = pj.oclif.plugins.length
  pj.oclif.plugins = pj.oclif.plugins.filter((p) => p.name !== name && p.root !== resolve(name))
  write(dataDir, pj)
  return pj.oclif.plugins.length < before
}

export function linkedPlugins(dataDir: string): Array<{name: string; root?: string}> {
  return read(dataDir).oclif.plugins.map(({name, root}) => ({name, root}))
}
