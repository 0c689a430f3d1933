/**
 * Progress on long runs, always on stderr and silent with --quiet or --json. The plan and the budget
 * are printed once at the start. On a TTY (and not in CI) one live line follows: cells done/total, the
 * current cell and arm, measurements done/planned, elapsed time and the ETA; elsewhere (CI, pipes) a
 * plain line per cell with the same figures.
 *
 * The ETA is the plan's remaining measurements, each at the mean duration measured so far for its
 * (metric, arm) — else its arm's, scaled by how much longer that metric took on the arms already
 * measured in it, else any measurement's (a TCG boot takes seconds, a process start milliseconds) —
 * and never beyond what is left of the budget, where the run stops.
 *
 * Labels (cell keys carry user params, arm names come from plugins) are printed one visible line each
 * (core/text.ts).
 */
import {oneLine} from '../core/text.js'

/** One cell of the plan as the progress line sees it. */
export interface ProgressCell {
  key: string
  metric: string
  /** The arms that will run it (available ones only). */
  arms: string[]
  /** Measurements per arm, warm-ups included. */
  perArm: number
}

export interface ProgressPlan {
  cells: ProgressCell[]
  /** Wall-clock budget of the run, ms. */
  budgetMs: number
  /** performance.now() when the run began (before preparing its arms): elapsed time and the budget count from it. Default: now. */
  startedAt?: number
}

export class Progress {
  private readonly tty: boolean
  private readonly started: number
  private readonly total: number
  private readonly remainingPerCell: number[]
  private readonly durations = new Map<string, {sum: number; n: number}>()
  private done = 0
  private cell = 0
  private lastLine = 0

  constructor(
    private readonly plan: ProgressPlan,
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY) && !process.env.CI
    this.started = plan.startedAt ?? performance.now()
    this.remainingPerCell = plan.cells.map((c) => c.arms.length * c.perArm)
    this.total = this.remainingPerCell.reduce((a, b) => a + b, 0)
  }

  /** The plan and the budget, once, before the first measurement: "9 cells, 172 measurements on 5 arms (…); budget 5m00s", and what preparing the arms took of it. */
  start(arms: string[], budgetSource: string): void {
    if (!this.enabled) return
    const metrics = new Set(this.plan.cells.map((c) => c.metric)).size
    const spent = (performance.now() - this.started) / 1000
    this.stream.write(
      `plan: ${metrics} metric${metrics === 1 ? '' : 's'}, ${this.plan.cells.length} cells, ${this.total} measurements on ${arms.length} arm${arms.length === 1 ? '' : 's'} (${oneLine(arms.join(', '))}); budget ${fmtSeconds(this.plan.budgetMs / 1000)} (${oneLine(budgetSource)})${spent >= 1 ? `, ${fmtSeconds(spent)} of it spent preparing` : ''}\n`,
    )
  }

  cellStarted(index: number): void {
    this.cell = index
    if (!this.enabled || this.tty) return
    const c = this.plan.cells[index]
    if (!c) return
    this.stream.write(`[${index + 1}/${this.plan.cells.length}] ${oneLine(c.key)} · ${c.arms.length} arms × ${c.perArm} · ${this.times()}\n`)
  }

  /** One measurement of `arm` in cell `index` took `ms`. */
  step(index: number, arm: string, ms: number): void {
    this.done++
    const c = this.plan.cells[index]
    if (c) {
      this.remainingPerCell[index] = Math.max(0, this.remainingPerCell[index]! - 1)
      for (const key of [`${c.metric}|${arm}`, `|${arm}`, '|']) {
        const d = this.durations.get(key) ?? {sum: 0, n: 0}
        d.sum += ms
        d.n++
        this.durations.set(key, d)
      }
    }
    if (!this.enabled || !this.tty) return
    const now = performance.now()
    if (now - this.lastLine < 100 && this.done < this.total) return
    this.lastLine = now
    const line = `[${index + 1}/${this.plan.cells.length}] ${oneLine(c?.key ?? '')} · ${oneLine(arm)} · ${this.done}/${this.total} measurements · ${this.times()}`
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}`)
  }

  finish(): void {
    if (this.enabled && this.tty) this.stream.write('\r\x1b[2K')
  }

  /** The expected ms of one more measurement of cell `index` on `arm` (0 while nothing was measured): the runner starts none that would overrun the budget. */
  expectedMs(index: number, arm: string): number {
    const c = this.plan.cells[index]
    return c ? this.mean(c.metric, arm) : 0
  }

  /** ms of the plan still to run, estimated from the durations measured so far; capped at the budget left. */
  etaMs(): {ms: number; byBudget: boolean} {
    const elapsed = performance.now() - this.started
    let ms = 0
    this.plan.cells.forEach((c, i) => {
      if (i < this.cell || this.remainingPerCell[i] === 0) return
      const perArm = this.remainingPerCell[i]! / Math.max(1, c.arms.length)
      for (const arm of c.arms) ms += perArm * this.mean(c.metric, arm)
    })
    const left = Math.max(0, this.plan.budgetMs - elapsed)
    return ms > left ? {ms: left, byBudget: true} : {ms, byBudget: false}
  }

  /**
   * Mean ms of one measurement of `metric` on `arm`: measured, else the arm's mean scaled by how much
   * longer this metric took than average on the arms already measured in it (an interference
   * repetition is three starts, not one), else any measurement's mean.
   */
  private mean(metric: string, arm: string): number {
    const m = (key: string) => {
      const d = this.durations.get(key)
      return d && d.n > 0 ? d.sum / d.n : undefined
    }
    const own = m(`${metric}|${arm}`)
    if (own !== undefined) return own
    const armMean = m(`|${arm}`)
    if (armMean !== undefined) {
      const ratios = [...this.durations.keys()]
        .filter((k) => k.startsWith(`${metric}|`))
        .map((k) => k.slice(metric.length + 1))
        .map((other) => m(`${metric}|${other}`)! / m(`|${other}`)!)
        .filter((r) => Number.isFinite(r) && r > 0)
      const factor = ratios.length ? Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length) : 1
      return armMean * factor
    }
    return m('|') ?? 0
  }

  private times(): string {
    const elapsed = (performance.now() - this.started) / 1000
    if (this.done === 0) return `${fmtSeconds(elapsed)} elapsed`
    const eta = this.etaMs()
    return `${fmtSeconds(elapsed)} elapsed · ETA ${fmtSeconds(eta.ms / 1000)}${eta.byBudget ? ' (budget)' : ''}`
  }
}

/** "45s", "2m05s", "1h02m". */
export function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
