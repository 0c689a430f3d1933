import {describe, expect, it} from 'vitest'
import {InputFileError} from '../../../src/core/errors.js'
import {parseResults} from '../../../src/report/load-results.js'

const valid = {
  schemaVersion: 1,
  runId: 'r1',
  startedAt: '2026-11-23T00:00:00Z',
  arms: [{name: 'process', kind: 'process', accel: 'none', versions: {}}],
  samples: [],
}

function error(text: string): InputFileError {
  try {
    parseResults(text, 'x.json')
  } catch (e) {
    return e as InputFileError
  }
  throw new Error('expected an error')
}

describe('reading results.json', () => {
  it('accepts a minimal file and fills defaults', () => {
    const r = parseResults(JSON.stringify(valid), 'x.json')
    expect(r.summaries).toEqual([])
    expect(r.warnings).toEqual([])
  })

  it('names line:column of a JSON syntax error', () => {
    const e = error(`{\n  "schemaVersion": 1,\n  "runId": "a"\n  "startedAt": 2}`)
    expect(e).toBeInstanceOf(InputFileError)
    expect(e.exitCode).toBe(2)
    expect(e.message).toMatch(/^x\.json:4:3: not valid JSON/)
  })

  it('names the field, its line and what was expected', () => {
    const bad = {...valid, samples: [{metric: 'startup', arm: 'process', workload: 'idle', params: {}, rep: 0, value: 'fast', unit: 'ms', ok: true}]}
    const e = error(JSON.stringify(bad, null, 2))
    expect(e.message).toMatch(/^x\.json:\d+:\d+: samples\[0\]\.value: expected a number/)
    expect(e.position?.line).toBeGreaterThan(5)
  })

  it('rejects a newer schema and a non-object', () => {
    expect(error(JSON.stringify({...valid, schemaVersion: 9})).message).toMatch(/schemaVersion: written by a newer isobench \(schema 9\)/)
    expect(error('[1,2]').message).toMatch(/expected an object with schemaVersion/)
  })
})
