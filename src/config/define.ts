import type {IsobenchConfigInput} from '../core/config.js'

/** Typed identity: gives bench.config.ts completion and type checks. Validation happens at load. */
export function defineConfig(config: IsobenchConfigInput): IsobenchConfigInput {
  return config
}
