/**
 * The run's terminal summary table reads results.json's stored summaries (#21): the same median,
 * p90 and CoV the HTML, Markdown, JUnit and CSV show — an even n's median is the mean of the middle
 * two, a signed figure's CoV is undefined (–), never a figure of its own; a cell whose samples all
 * failed is still listed (n 0); a diagnostic figure is left out with a line saying why.
 */
import {describe, expect, it} from 'vitest'
import type {Results, Sample} from '../../../src/core/results.js'
import {analyze} from '../../../src/engine/analyze.js'
import {summaryTable} from '../../../src/engine/summary-table.js'
import {resultsOf, sampleOf} from '../../helpers/results.js'

let t = 0
function sample(metric: string, figure: string, arm: string, value: number | null, unit = 'ms'): Sample {
  return sampleOf({metric, figure, arm, value, unit, t: t++})
}

function run(samples: Sample[]): Results {
  const r = resultsOf(samples)
  analyze(r, {equivalenceDelta: 0.05, seed: 1})
  return r
}

const rowOf = (table: string, start: string, arm: string) =>
  table
    .split('\n')
    .find((l) => l.startsWith(start) && l.split(/\s+/).includes(arm))
    ?.split(/\s{2,}/)

describe('summary table', () => {
  it("prints the stored summaries' median, p90 and CoV: an even n's median is the middle two's mean", () => {
    const r = run([1, 2, 3, 4].map((v) => sample('startup', 'ready', 'process', v)))
    const s = r.summaries[0]!
    expect(s.median).toBe(2.5)
    const row = rowOf(summaryTable(r), 'startup.ready', 'process')!
    expect(row).toEqual(['startup.ready', 'idle', 'process', '4', '0', '2.50', s.p90.toFixed(2), `${(s.cov * 100).toFixed(1)}%`, 'ms'])
  })

  it('a signed figure has no CoV: –, with the stored median (no sign flip)', () => {
    const r = run([-20, -12.5, 5, -15].map((v) => sample('interference', 'degradation', 'process', v, '%')))
    const row = rowOf(summaryTable(r), 'interference.degradation', 'process')!
    expect(row[5]).toBe('-13.8') // median of −20, −15, −12.5, 5
    expect(row[7]).toBe('–')
  })

  it('a cell whose samples all failed is listed with n 0 and its failures', () => {
    const r = run([sample('startup', 'ready', 'qemu', null), sample('startup', 'ready', 'qemu', null), sample('startup', 'ready', 'process', 1)])
    const row = rowOf(summaryTable(r), 'startup.ready', 'qemu')!
    expect(row.slice(3, 7)).toEqual(['0', '2', '–', '–'])
  })

  it('a diagnostic figure is not a row by default; a line says which and why', () => {
    const r = run([100, 120, 90].map((v) => sample('memory', 'host_delta', 'process', v, 'MiB')))
    expect(r.summaries[0]!.diagnostic).toBeTruthy()
    const table = summaryTable(r)
    expect(rowOf(table, 'memory.host_delta', 'process')).toBeUndefined()
    expect(table).toMatch(/^diagnostic\s+memory\.host_delta not shown/m)
    expect(rowOf(summaryTable(r, {diagnostics: true}), 'memory.host_delta', 'process')).toBeDefined()
  })
})
