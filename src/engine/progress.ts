/**
 * Progress on long runs: on a TTY one live line (cell, samples so far, ETA); elsewhere (CI, pipes)
 * a plain line per cell. Always on stderr; silent with --quiet or --json. Labels (cell keys: user
 * params) are printed one visible line each (core/text.ts).
 */
import {oneLine} from '../core/text.js'

export class Progress {
  private readonly tty: boolean
  private readonly started = performance.now()
  private done = 0
  private lastLine = 0

  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY) && !process.env.CI
  }

  cellStarted(label: string, index: number, cells: number): void {
    if (!this.enabled) return
    if (!this.tty) this.stream.write(`[${index + 1}/${cells}] ${oneLine(label)}\n`)
  }

  step(label: string): void {
    this.done++
    if (!this.enabled || !this.tty) return
    const now = performance.now()
    if (now - this.lastLine < 100 && this.done < this.total) return
    this.lastLine = now
    const elapsed = (now - this.started) / 1000
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : 0
    const line = `${oneLine(label)}  ${this.done}/${this.total} measurements  ${fmtSeconds(elapsed)} elapsed  ETA ${fmtSeconds(eta)}`
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}`)
  }

  finish(): void {
    if (this.enabled && this.tty) this.stream.write('\r\x1b[2K')
  }
}

function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
}
