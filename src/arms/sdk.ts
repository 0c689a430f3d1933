/**
 * What an arm is built from: the readiness protocol, readiness probes and /proc sampling. Built-in
 * arms import these modules directly; plugins receive this module as `sdk` in the `isobench:arms` hook.
 */
export {MarkerStream, MARKER_PREFIX} from '../core/markers.js'
export {waitReady} from './readiness.js'
export {sampleProcesses, descendants, readProcMemory, readProcCpuSeconds} from '../host/procfs.js'
export {ensureInit, INIT_PATH_IN_INSTANCE} from '../runtime/native/init.js'
export {initArgs, initEnv} from '../core/arm.js'
export {ArmError} from '../core/errors.js'
export type * from '../core/arm.js'
