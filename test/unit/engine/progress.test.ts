/**
 * Progress: the plan and budget first; on a TTY one live line (cells done/total, the current cell and
 * arm, measurements, elapsed, ETA); elsewhere a plain line per cell. The ETA is the plan's remaining
 * measurements at the durations measured so far per (metric, arm), never beyond the budget left.
 */
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {fmtSeconds, Progress, type ProgressPlan} from '../../../src/engine/progress.js'

function stream(tty: boolean) {
  const chunks: string[] = []
  return {s: {isTTY: tty, columns: 200, write: (c: string) => (chunks.push(c), true)} as unknown as NodeJS.WriteStream, chunks}
}

const plan: ProgressPlan = {
  cells: [
    {key: 'startup/idle', metric: 'startup', arms: ['process', 'qemu'], perArm: 2},
    {key: 'memory/idle[n=1]', metric: 'memory', arms: ['process', 'qemu'], perArm: 2},
  ],
  budgetMs: 300_000,
}

describe('progress', () => {
  let ci: string | undefined
  beforeEach(() => {
    ci = process.env.CI
    delete process.env.CI
    vi.useFakeTimers({toFake: ['performance']})
  })
  afterEach(() => {
    if (ci !== undefined) process.env.CI = ci
    vi.useRealTimers()
  })

  it('prints the plan and the budget once, before anything runs', () => {
    const {s, chunks} = stream(true)
    new Progress(plan, true, s).start(['process', 'qemu[tcg]'], 'scenarios/quick.yaml')
    expect(chunks).toEqual(['plan: 2 metrics, 2 cells, 8 measurements on 2 arms (process, qemu[tcg]); budget 5m00s (scenarios/quick.yaml)\n'])
  })

  it('counts elapsed time from the start of the run and says what preparing the arms spent of the budget', () => {
    const {s, chunks} = stream(false)
    const p = new Progress({...plan, startedAt: performance.now() - 42_000}, true, s)
    p.start(['process', 'qemu[tcg]'], 'scenarios/quick.yaml')
    p.cellStarted(0)
    expect(chunks[0]).toMatch(/; budget 5m00s \(scenarios\/quick\.yaml\), 42s of it spent preparing\n$/)
    expect(chunks[1]).toMatch(/· 42s elapsed\n$/)
  })

  it('on a TTY: one live line with cells done/total, the current cell and arm, measurements, elapsed and an ETA from the measured durations', () => {
    const {s, chunks} = stream(true)
    const p = new Progress(plan, true, s)
    p.cellStarted(0)
    vi.advanceTimersByTime(2000)
    p.step(0, 'qemu', 2000) // a TCG boot: 2 s
    vi.advanceTimersByTime(200)
    p.step(0, 'process', 10)
    const line = chunks.at(-1)!
    expect(line.startsWith('\r\x1b[2K')).toBe(true)
    expect(line).toContain('[1/2] startup/idle · process · 2/8 measurements · 2s elapsed · ETA ')
    // left: 1 qemu + 1 process of this cell, 2 + 2 of the next (memory: no duration yet, the arm's is used)
    expect(p.etaMs().ms).toBeCloseTo(3 * 2000 + 3 * 10, 0)
    expect(chunks.every((c) => !c.includes('\n'))).toBe(true) // one line, rewritten
  })

  it("estimates an arm not yet measured in a metric from its other metrics, scaled by that metric's cost on the arms measured in it", () => {
    const {s} = stream(true)
    const p = new Progress(plan, true, s)
    p.step(0, 'qemu', 2000)
    p.step(0, 'process', 10)
    p.step(0, 'qemu', 2000)
    p.step(0, 'process', 10)
    p.cellStarted(1)
    p.step(1, 'process', 30) // memory costs process 3× its startup (its mean over both metrics: 50/3)
    // left: 3 measurements of the cell, shared by its arms: process at 30 ms, qemu at its mean (2000) × (30 / (50/3))
    expect(p.etaMs().ms).toBeCloseTo(1.5 * 30 + 1.5 * 2000 * (30 / (50 / 3)), 6)
  })

  it('caps the ETA at the budget left, and says so', () => {
    const {s} = stream(true)
    const p = new Progress({...plan, budgetMs: 3000}, true, s)
    vi.advanceTimersByTime(2000)
    p.step(0, 'qemu', 2000)
    expect(p.etaMs()).toEqual({ms: 1000, byBudget: true})
  })

  it('elsewhere (a pipe, or CI): a plain line per cell, nothing per measurement', () => {
    const {s, chunks} = stream(false)
    const p = new Progress(plan, true, s)
    p.cellStarted(0)
    p.step(0, 'process', 10)
    p.cellStarted(1)
    expect(chunks).toHaveLength(2)
    expect(chunks[0]).toBe('[1/2] startup/idle · 2 arms × 2 · 0s elapsed\n')
    expect(chunks[1]).toMatch(/^\[2\/2\] memory\/idle\[n=1\] · 2 arms × 2 · 0s elapsed · ETA \d+s\n$/)
    process.env.CI = 'true'
    const ci = stream(true)
    new Progress(plan, true, ci.s).cellStarted(0)
    expect(ci.chunks[0]).toMatch(/\n$/)
  })

  it('is silent when disabled (--quiet, --json)', () => {
    const {s, chunks} = stream(true)
    const p = new Progress(plan, false, s)
    p.start(['process'], 'x')
    p.cellStarted(0)
    p.step(0, 'process', 1)
    p.finish()
    expect(chunks).toEqual([])
  })

  it('formats durations', () => {
    expect([fmtSeconds(45), fmtSeconds(125), fmtSeconds(3725)]).toEqual(['45s', '2m05s', '1h02m'])
  })
})
