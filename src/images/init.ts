/**
 * The instance init: one busybox `sh` script, the same in every arm (process, container, runc/crun,
 * and inside the VM guest, where a small wrapper mounts /proc etc. first and powers off after).
 *
 * It prints the readiness protocol's markers on stdout:
 *   ISOBENCH init <name>    the init is running inside the instance
 *   ISOBENCH ready <name>   right before the workload starts (when readiness is by marker)
 *   ISOBENCH exit <code>    after the workload exits
 * and runs the workload command given as its arguments, as a child (so it can report the exit code).
 *
 * Environment: ISOBENCH_NAME (workload name), ISOBENCH_READY (marker|tcp|http). The init exports
 * ISOBENCH_DIR, the directory it lives in, so a workload can find the same files in every arm (the
 * http workload serves it).
 */
export const INIT_PATH_IN_IMAGE = '/isobench/init'

export const INIT_SCRIPT = `#!/bin/sh
# isobench init: the same script in every arm. Markers go to stdout, one per line.
n="\${ISOBENCH_NAME:-workload}"
ISOBENCH_DIR="\${0%/*}"; export ISOBENCH_DIR
echo "ISOBENCH init $n"
if [ "\${ISOBENCH_READY:-marker}" = marker ]; then echo "ISOBENCH ready $n"; fi
"$@"
rc=$?
echo "ISOBENCH exit $rc"
exit $rc
`
