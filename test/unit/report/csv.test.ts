import {describe, expect, it} from 'vitest'
import {csvField, samplesCsv} from '../../../src/report/csv.js'
import {loadResultsFile} from '../../../src/report/load-results.js'

/** A small RFC 4180 reader, to prove the writer's output parses back to the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++)
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') (row.push(field), (field = ''))
    else if (c === '\r' && text[i + 1] === '\n') (row.push(field), rows.push(row), (row = []), (field = ''), i++)
    else field += c
  }
  return rows
}

describe('CSV export', () => {
  it('quotes commas, quotes, newlines and padded text; neutralises formulas', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField(' padded')).toBe('" padded"')
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvField(-1.5)).toBe('-1.5')
    expect(csvField(null)).toBe('')
    expect(csvField(Number.NaN)).toBe('')
  })

  it('writes one row per sample (failed ones too) with param.* and phase.* columns, and parses back', () => {
    const r = loadResultsFile('test/fixtures/results/full.json')
    r.samples[0]!.workload = 'idle, "quoted"\nsecond line'
    const rows = parseCsv(samplesCsv([r]))
    const [head, ...body] = rows
    expect(body).toHaveLength(r.samples.length)
    expect(head).toEqual(
      expect.arrayContaining([
        'run_id',
        'metric',
        'figure',
        'arm',
        'accel',
        'workload',
        'value',
        'unit',
        'error_code',
        'param.n',
        'param.mode',
        'phase.ready',
        'phase.kernel',
      ]),
    )
    const col = (name: string) => head!.indexOf(name)
    expect(body[0]![col('workload')]).toBe('idle, "quoted"\nsecond line')
    const failed = body.filter((row) => row[col('ok')] === 'false')
    expect(failed).toHaveLength(r.samples.filter((s) => !s.ok).length)
    expect(failed[0]![col('value')]).toBe('')
    expect(failed[0]![col('error_code')]).toBe('not-ready')
    expect(body.find((row) => row[col('arm')] === 'qemu')![col('accel')]).toBe('tcg')
    expect(body.every((row) => row.length === head!.length)).toBe(true)
  })
  it('puts the attribution counters beside each sample (counter.* columns; empty where a sample has none)', () => {
    const r = loadResultsFile('test/fixtures/results/full.json')
    r.samples[0]!.counters = {mode: 'window', instances: 1, values: {cpu_s: 0.52, faults_major: 0}}
    r.samples[1]!.counters = {mode: 'lifetime', instances: 2, values: {cpu_s: 0.01, vcpu_share: 0.97}}
    const [head, ...body] = parseCsv(samplesCsv([r]))
    const col = (name: string) => head!.indexOf(name)
    expect(head!.slice(-5)).toEqual(['counters.mode', 'counters.instances', 'counter.cpu_s', 'counter.faults_major', 'counter.vcpu_share'])
    expect([
      body[0]![col('counters.mode')],
      body[0]![col('counter.cpu_s')],
      body[0]![col('counter.faults_major')],
      body[0]![col('counter.vcpu_share')],
    ]).toEqual(['window', '0.52', '0', ''])
    expect([body[1]![col('counters.instances')], body[1]![col('counter.vcpu_share')]]).toEqual(['2', '0.97'])
    expect(body[2]![col('counter.cpu_s')]).toBe('')
    expect(body.every((row) => row.length === head!.length)).toBe(true)
  })
})
