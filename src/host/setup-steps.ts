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
    // The VM arm's guest kernel: Debian's cloud kernel via apt-get download + dpkg -x (src/vm/kernel.ts).
    name: 'guest kernel for the VM arm',
    async run({log, check}) {
      const {fetchCloudKernel} = await import('../vm/kernel.js')
      const stateDir = process.env.ISOBENCH_STATE_DIR || (await (await import('../config/load.js')).loadConfig()).config.stateDir
      const {kernel, fetched} = await fetchCloudKernel(stateDir, {log, check})
      if (kernel && !fetched) log(`guest kernel ${kernel.version} already in ${stateDir}`)
    },
  },
]
