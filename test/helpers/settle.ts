/**
 * Waiting for the host to settle after an asynchronous clean-up the code under test does not wait for
 * (podman's conmon runs `podman container cleanup` after `run --rm` has returned; a SIGKILLed process
 * is torn down after its parent saw it exit): poll until the probe returns an empty list, or return
 * what is left at the deadline so the test's assertion shows it.
 */
export async function settled<T>(probe: () => T[], timeoutMs = 10_000, stepMs = 100): Promise<T[]> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const left = probe()
    if (left.length === 0 || Date.now() >= end) return left
    await new Promise((r) => setTimeout(r, stepMs))
  }
}
