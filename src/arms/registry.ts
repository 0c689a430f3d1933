/**
 * Arm discovery: every plugin (the built-in arms included) answers the `isobench:arms` hook with
 * the ArmProviders it contributes. Without an oclif Config (library use) only the built-ins are known.
 */
import type {Config} from '@oclif/core'
import type {ArmProvider} from '../core/arm.js'
import {builtinProviders} from './builtin-hook.js'
import type {ArmsHookOptions} from './hook.js'
import * as sdk from './sdk.js'

export interface ProviderEntry extends ArmProvider {
  plugin: string
}

export async function loadArmProviders(config?: Config): Promise<ProviderEntry[]> {
  if (!config) return builtinProviders.map((p) => ({...p, plugin: 'isobench'}))
  const options: ArmsHookOptions = {sdk}
  const {successes, failures} = await config.runHook('isobench:arms', options)
  for (const f of failures) process.stderr.write(`warning: plugin ${f.plugin.name} failed to list its arms: ${f.error.message}\n`)
  const out = new Map<string, ProviderEntry>()
  for (const {plugin, result} of successes) {
    for (const provider of result ?? []) {
      if (out.has(provider.name)) {
        process.stderr.write(`warning: arm "${provider.name}" from ${plugin.name} ignored: already provided by ${out.get(provider.name)!.plugin}\n`)
        continue
      }
      out.set(provider.name, {...provider, plugin: plugin.name})
    }
  }
  return [...out.values()]
}
