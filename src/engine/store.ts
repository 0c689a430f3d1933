/**
 * The results store: results.json is rewritten atomically (temp file + rename) as samples arrive,
 * at most every `flushIntervalMs`, and synchronously on finish or interruption, so an interrupted
 * run keeps every sample it measured. `<outDir>/latest` points to the newest run.
 */
import {rmSync, symlinkSync, lstatSync} from 'node:fs'
import {join, resolve} from 'node:path'
import type {Results, Sample} from '../core/results.js'
import {mkdirp, writeFileAtomic} from '../host/fs.js'
import {ownerState} from '../host/owner.js'

export class ResultsStore {
  readonly dir: string
  readonly file: string
  private dirty = false
  private timer: NodeJS.Timeout | null = null

  constructor(
    readonly results: Results,
    outDir: string,
    private readonly flushIntervalMs = 250,
  ) {
    this.dir = resolve(outDir, results.runId)
    this.file = join(this.dir, 'results.json')
    mkdirp(this.dir)
    this.flush()
    pointLatest(resolve(outDir), results.runId)
  }

  append(sample: Sample): void {
    this.results.samples.push(sample)
    this.changed()
  }

  changed(): void {
    this.dirty = true
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null
        if (this.dirty) this.flush()
      }, this.flushIntervalMs)
      this.timer.unref()
    }
  }

  /** Write now, atomically. Safe to call from a signal handler. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    writeFileAtomic(this.file, JSON.stringify(this.results, null, 1) + '\n')
    this.dirty = false
  }
}

/**
 * A results file that still says "running" while its writer is dead (its pid gone, recycled, or the
 * host rebooted since: src/host/owner.ts) was killed without a chance to say so: mark it
 * interrupted, stopReason 'killed', with a warning, in memory (the file is the writer's). Files
 * without a writer record (older isobench) and other hosts' files are left as they are.
 * Returns true when it changed the status.
 */
export function settleRunStatus(results: Results): boolean {
  if (results.status !== 'running' || !results.writer || ownerState(results.writer) !== 'dead') return false
  results.status = 'interrupted'
  results.stopReason = 'killed'
  results.warnings ??= []
  results.warnings.push({
    code: 'interrupted',
    message: `run killed: its process (pid ${results.writer.pid}) is gone and never finished the file (SIGKILL, the OOM killer or a power loss); ${results.samples?.length ?? 0} samples kept`,
  })
  return true
}

function pointLatest(outDir: string, runId: string): void {
  const link = join(outDir, 'latest')
  try {
    if (lstatSync(link).isSymbolicLink()) rmSync(link)
    else return // a real file or folder named latest: leave it alone
  } catch {
    // no link yet
  }
  try {
    symlinkSync(runId, link)
  } catch {
    // a concurrent run won the race; fine
  }
}

/** Sortable, unique run id: 20261122-203000-ab12. */
export function newRunId(now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${iso}-${Math.random().toString(16).slice(2, 6)}`
}
