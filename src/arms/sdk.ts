/**
 * What an arm is built from: the readiness protocol, readiness probes and /proc sampling. Built-in
 * arms import these modules directly; plugins receive this module as `sdk` in the `isobench:arms` hook.
 */
export {MarkerStream, MARKER_PREFIX} from '../core/markers.js'
export {waitReady} from './readiness.js'
export {sampleProcesses, descendants, readProcMemory, readProcCpuSeconds} from '../host/procfs.js'
export {INIT_SCRIPT} from '../images/init.js'
export {ArmError} from '../core/errors.js'
export type * from '../core/arm.js'
