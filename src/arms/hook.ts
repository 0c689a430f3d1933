/**
 * The `isobench:arms` oclif hook: every plugin (the built-in arms included, see builtin-hook.ts)
 * answers it with the ArmProviders it contributes, and receives the arm SDK to build them from.
 */
import type {ArmProvider} from '../core/arm.js'
import type * as sdk from './sdk.js'

/** Options the `isobench:arms` hook receives. */
export type ArmsHookOptions = {
  /** The helpers a plugin can build an arm from (see src/arms/sdk.ts). */
  sdk: typeof sdk
}

declare module '@oclif/core' {
  interface Hooks {
    'isobench:arms': {options: ArmsHookOptions; return: ArmProvider[]}
  }
}
