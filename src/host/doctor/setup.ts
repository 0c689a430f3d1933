/**
 * Setup steps beyond apt packages (guest kernel, C helpers, …). Each area adds its step here;
 * every step is idempotent and quick when its artefact is already present.
 */
export interface SetupStep {
  name: string
  run(opts: {log: (msg: string) => void; check: boolean}): Promise<void>
}

export const setupSteps: SetupStep[] = [
  {
    // The container runtime's C helper (src/runtime/native/nsexec.c → build/native/isobench-nsexec), built with the host's cc.
    name: 'container runtime helper (isobench-nsexec)',
    async run({log, check}) {
      const {buildNsexec, nsexecIsCurrent, NSEXEC_BINARY} = await import('../../runtime/native/build.js')
      if (nsexecIsCurrent()) return log(`runtime helper ${NSEXEC_BINARY} is current`)
      if (check) throw new Error(`runtime helper ${NSEXEC_BINARY} is missing or older than its source (run \`isobench setup\`)`)
      log(`built ${await buildNsexec()}`)
    },
  },
  {
    // The VM arm's guest kernel: Debian's cloud kernel via apt-get download + dpkg -x (src/vm/kernel.ts).
    name: 'guest kernel for the VM arm',
    async run({log, check}) {
      const {fetchCloudKernel} = await import('../../vm/kernel.js')
      const stateDir = process.env.ISOBENCH_STATE_DIR || (await (await import('../../config/load.js')).loadConfig()).config.stateDir
      const {kernel, fetched} = await fetchCloudKernel(stateDir, {log, check})
      if (kernel && !fetched) log(`guest kernel ${kernel.version} already in ${stateDir}`)
    },
  },
]
