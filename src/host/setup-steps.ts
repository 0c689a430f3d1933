/**
 * Setup steps beyond apt packages (guest kernel, C helpers, …). Each area adds its step here;
 * every step is idempotent and quick when its artefact is already present.
 */
export interface SetupStep {
  name: string
  run(opts: {log: (msg: string) => void; check: boolean}): Promise<void>
}

export const setupSteps: SetupStep[] = []
