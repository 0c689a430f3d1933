/** The tool's own provenance: version from package.json, git commit where the checkout has one. */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export function toolInfo(): {name: 'isobench'; version: string; commit?: string} {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string}
  let commit: string | undefined
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], {cwd: root, stdio: ['ignore', 'pipe', 'ignore']})
      .toString()
      .trim()
  } catch {
    commit = undefined
  }
  return {name: 'isobench', version: pkg.version, commit}
}
