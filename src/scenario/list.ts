/**
 * Scenario files under a folder and its subfolders, each loaded to one line of summary. Subfolders
 * named in `skip` hold files of another kind (papers/: claim files, listed by the papers layer).
 */
import {existsSync, readdirSync} from 'node:fs'
import {join, relative} from 'node:path'
import {IsobenchError} from '../core/errors.js'
import {loadScenarioFile} from './load.js'

export interface ScenarioListing {
  file: string
  name?: string
  description?: string
  metrics?: string[]
  error?: string
}

export function listScenarioFiles(dir: string, skip: readonly string[] = []): ScenarioListing[] {
  const files: string[] = []
  const walk = (d: string) => {
    if (!existsSync(d)) return
    for (const entry of readdirSync(d, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) {
        if (!skip.includes(entry.name)) walk(join(d, entry.name))
      } else if (/\.ya?ml$/.test(entry.name)) files.push(join(d, entry.name))
    }
  }
  walk(dir)
  return files.map((file) => {
    const shown = relative(process.cwd(), file) || file
    try {
      const {scenario} = loadScenarioFile(file)
      return {file: shown, name: scenario.name, description: scenario.description, metrics: [...new Set(scenario.metrics.map((m) => m.metric))]}
    } catch (error) {
      if (error instanceof IsobenchError) return {file: shown, error: error.message}
      throw error
    }
  })
}
