/**
 * A cross-process lock file (O_EXCL create holding the owner's pid). A lock whose owner is dead is
 * taken over, so a killed isobench never wedges the store.
 */
import {open, readFile, unlink} from 'node:fs/promises'
import {pidAlive} from '../host/process.js'

export async function withLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx', 0o600)
      await fh.writeFile(String(process.pid))
      await fh.close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10)
      if (Number.isFinite(owner) && owner > 0 && !pidAlive(owner)) {
        await unlink(lockPath).catch(() => {})
        continue
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockPath} (held by pid ${owner})`)
      await new Promise((r) => setTimeout(r, 15))
    }
  }
  try {
    return await fn()
  } finally {
    await unlink(lockPath).catch(() => {})
  }
}
