/**
 * The cleanup registry: everything a run starts (instances, mounts, cgroups, veths, temp dirs)
 * registers an undo here. On SIGINT/SIGTERM the registry runs every undo (newest first), lets the
 * results store flush, and the process exits 130/143. Normal completion calls runAll() too.
 */
import {signalExitCode} from './errors.js'

type Undo = () => Promise<void> | void

export interface CleanupHandle {
  /** Run this undo now and forget it. */
  run(): Promise<void>
  /** Forget it without running (the resource was released another way). */
  dispose(): void
}

export class CleanupRegistry {
  private undos = new Map<number, {label: string; undo: Undo}>()
  private next = 0
  private signalHandlers: Array<[NodeJS.Signals, () => void]> = []
  private finalizers: Undo[] = []
  interrupted: NodeJS.Signals | null = null

  add(label: string, undo: Undo): CleanupHandle {
    const id = this.next++
    this.undos.set(id, {label, undo})
    return {
      run: async () => {
        const entry = this.undos.get(id)
        if (!entry) return
        this.undos.delete(id)
        await entry.undo()
      },
      dispose: () => {
        this.undos.delete(id)
      },
    }
  }

  /** Runs after every undo on interruption (e.g. flush results). */
  onFinalize(fn: Undo): void {
    this.finalizers.push(fn)
  }

  get size(): number {
    return this.undos.size
  }

  /** Run every registered undo, newest first; errors are collected, never stop the sweep. */
  async runAll(): Promise<Error[]> {
    const errors: Error[] = []
    const entries = [...this.undos.entries()].reverse()
    this.undos.clear()
    for (const [, {label, undo}] of entries) {
      try {
        await undo()
      } catch (error) {
        errors.push(new Error(`cleanup of ${label} failed: ${(error as Error).message}`))
      }
    }
    return errors
  }

  /** Install SIGINT/SIGTERM/SIGHUP handlers that clean up and exit 128+n. A second signal exits at once. */
  installSignalHandlers(onSignal?: (signal: NodeJS.Signals) => void): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
      const handler = () => {
        if (this.interrupted) process.exit(signalExitCode(signal))
        this.interrupted = signal
        onSignal?.(signal)
        void (async () => {
          const errors = await this.runAll()
          for (const fin of this.finalizers) {
            try {
              await fin()
            } catch (error) {
              errors.push(error as Error)
            }
          }
          for (const e of errors) process.stderr.write(`warning: ${e.message}\n`)
          process.exit(signalExitCode(signal))
        })()
      }
      process.on(signal, handler)
      this.signalHandlers.push([signal, handler])
    }
  }

  removeSignalHandlers(): void {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler)
    this.signalHandlers = []
  }
}
