/**
 * The CI-dashboard exports against each format's documented shape:
 * - github-action-benchmark's custom tools read a JSON array of BenchmarkResult {name: string,
 *   value: number, unit: string, range?: string, extra?: string} (its src/extract.ts,
 *   extractCustomBenchmarkResult), one tool — one direction — per file, one value per name;
 * - Bencher Metric Format (bencher.dev/docs/reference/bencher-metric-format): the JSON schema
 *   {benchmark: {measure: {value: number (required), lower_value?: number, upper_value?: number}}},
 *   benchmark names ≤ 1024 characters, measure names ≤ 64.
 * The schemas are written here as zod, strict, and every number must be finite (JSON has no NaN).
 */
import {z} from 'zod'
import {describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {bencherMetricFormat, githubBenchmark} from '../../../src/report/dashboards.js'
import {ensureAnalysis} from '../../../src/report/index.js'
import {loadResultsFile} from '../../../src/report/load-results.js'
import {hostile} from '../../helpers/hostile.js'

const finite = z.number().refine(Number.isFinite, 'a finite number')
const githubSchema = z.array(
  z.strictObject({name: z.string().min(1), value: finite, unit: z.string(), range: z.string().optional(), extra: z.string().optional()}),
)
const bmfSchema = z.record(
  z.string().min(1).max(1024),
  z.record(z.string().min(1).max(64), z.strictObject({value: finite, lower_value: finite.optional(), upper_value: finite.optional()})),
)

async function full(): Promise<Results> {
  const r = loadResultsFile('test/fixtures/results/full.json')
  await ensureAnalysis(r)
  return r
}

/** The JSON text a file would hold, parsed back: what the dashboard reads. */
const roundTrip = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown

describe('github-action-benchmark export', () => {
  it('gives each tool the figures of its direction, in the documented shape, one entry per name', async () => {
    const r = await full()
    const smaller = githubSchema.parse(roundTrip(githubBenchmark([r], 'customSmallerIsBetter')))
    const bigger = githubSchema.parse(roundTrip(githubBenchmark([r], 'customBiggerIsBetter')))
    const lower = r.summaries.filter((s) => s.direction === 'lower')
    const higher = r.summaries.filter((s) => s.direction === 'higher')
    expect(smaller).toHaveLength(lower.length)
    expect(bigger).toHaveLength(higher.length)
    expect(new Set(smaller.map((e) => e.name)).size).toBe(smaller.length)
    const qemu = smaller.find((e) => e.name === 'startup.ready idle · qemu[tcg]')!
    const s = r.summaries.find((x) => x.metric === 'startup' && x.arm === 'qemu')!
    expect(qemu).toMatchObject({value: s.median, unit: 'ms'})
    expect(qemu.range).toMatch(/^[\d.]+–[\d.]+ \(95% CI of the median\)$/)
    expect(qemu.extra).toMatch(/^n=\d+/)
    expect(bigger.every((e) => !smaller.some((x) => x.name === e.name))).toBe(true)
  })

  it('keeps hostile names as data (JSON-escaped), never as structure', async () => {
    const r = hostile(await full())
    const entries = githubSchema.parse(roundTrip(githubBenchmark([r], 'customSmallerIsBetter')))
    expect(entries.some((e) => e.name.includes('<script>'))).toBe(true)
  })
})

describe('Bencher Metric Format export', () => {
  it('matches the BMF schema: benchmark → measure → value with its CI as lower/upper', async () => {
    const r = await full()
    const bmf = bmfSchema.parse(roundTrip(bencherMetricFormat([r])))
    const measures = Object.values(bmf).flatMap((m) => Object.values(m))
    expect(measures).toHaveLength(r.summaries.length)
    const ready = bmf['startup.ready idle · process']!['ready (ms)']!
    const s = r.summaries.find((x) => x.metric === 'startup' && x.arm === 'process')!
    expect(ready).toEqual({value: s.median, lower_value: s.medianCi![0], upper_value: s.medianCi![1]})
    for (const m of measures) if (m.lower_value !== undefined) expect(m.lower_value).toBeLessThanOrEqual(m.upper_value!)
  })

  it('leaves out the bounds of a median without a CI (fewer than 3 values), not NaN', async () => {
    const r = await full()
    r.summaries[0]!.medianCi = null
    const first = r.summaries[0]!
    const bmf = bmfSchema.parse(roundTrip(bencherMetricFormat([r])))
    const entry = Object.entries(bmf).find(
      ([k]) => k.endsWith(`· ${first.arm}${first.arm === 'qemu' ? '[tcg]' : ''}`) && k.startsWith(`${first.metric}.${first.figure}`),
    )!
    expect(entry[1][`${first.figure} (${first.unit})`]).toEqual({value: first.median})
  })
})
