/**
 * Plugin workloads: every plugin may answer the `isobench:workloads` oclif hook (declared in its
 * package.json `oclif.hooks`, as `isobench:arms` is) with workloads it contributes: workload
 * documents (the same fields as a workload file) or paths of workload files, relative to the
 * plugin's root. They are validated exactly like files; a bad one is an InputFileError naming the
 * plugin, the field and what was expected.
 */
import type {Config} from '@oclif/core'
import {resolve} from 'node:path'
import {InputFileError} from '../core/errors.js'
import {describeZodIssue, primaryIssue} from '../config/zod-errors.js'
import {loadWorkloadFile, profileFromDocument} from './load.js'
import type {WorkloadProfile} from './profile.js'
import {workloadSchema} from './schema.js'

/** What a plugin answers: workload documents, or workload file paths relative to its root. */
export type PluginWorkloads = Array<Record<string, unknown> | string>

declare module '@oclif/core' {
  interface Hooks {
    'isobench:workloads': {options: Record<string, never>; return: PluginWorkloads}
  }
}

/** The workloads every installed plugin contributes; none without an oclif Config (library use). */
export async function loadPluginWorkloads(config?: Config): Promise<WorkloadProfile[]> {
  if (!config) return []
  const {successes, failures} = await config.runHook('isobench:workloads', {})
  for (const f of failures) process.stderr.write(`warning: plugin ${f.plugin.name} failed to list its workloads: ${f.error.message}\n`)
  const out: WorkloadProfile[] = []
  for (const {plugin, result} of successes) {
    const label = `plugin ${plugin.name}`
    for (const [i, entry] of (result ?? []).entries()) {
      if (typeof entry === 'string') {
        out.push(loadWorkloadFile(resolve(plugin.root, entry), 'plugin', `${label} (${entry})`))
        continue
      }
      const parsed = workloadSchema.safeParse(entry, {reportInput: true})
      if (!parsed.success) {
        const {field, expected} = describeZodIssue(primaryIssue(parsed.error.issues))
        throw new InputFileError(label, `workloads[${i}]${field ? `.${field}` : ''}`, expected)
      }
      out.push(profileFromDocument(parsed.data, {baseDir: plugin.root, origin: {kind: 'plugin', label}}))
    }
  }
  return out
}
