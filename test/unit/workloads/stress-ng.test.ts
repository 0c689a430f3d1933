import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {catalog} from '../../../src/workloads/catalog.js'
import {ParseError} from '../../../src/workloads/profile.js'
import {parseStressNg, stressorOpsPerSecond} from '../../../src/workloads/parsers/stress-ng.js'

/** Real stress-ng 0.15.06 outputs (stdout+stderr) recorded on a CI-like host. */
const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/workloads/stress-ng', name), 'utf8')

describe('stress-ng parser on recorded outputs', () => {
  it('reads the metrics row of the cpu stressor', () => {
    const report = parseStressNg(fixture('cpu.txt'))
    const row = report.rows.get('cpu')!
    expect(row.realSeconds).toBeGreaterThan(2.9)
    expect(row.opsPerSecReal).toBeCloseTo(row.bogoOps / row.realSeconds, -1)
  })

  it('cpu profile yields ops_per_s equal to the row', () => {
    const out = fixture('cpu.txt')
    const figures = catalog().get('cpu')!.parse!(out)
    expect(figures.ops_per_s).toBe(parseStressNg(out).rows.get('cpu')!.opsPerSecReal)
  })

  it('memory profile reads stream read and write rates, not the Mflop line', () => {
    const figures = catalog().get('memory')!.parse!(fixture('stream.txt'))
    expect(figures.read_mb_s).toBe(11176.13)
    expect(figures.write_mb_s).toBe(7450.75)
  })

  it('a stream run too short to report a rate is a ParseError, not a number', () => {
    expect(() => catalog().get('memory')!.parse!(fixture('stream-too-short.txt'))).toThrow(ParseError)
  })

  it('randaccess profile reads the vm stressor row', () => {
    const figures = catalog().get('randaccess')!.parse!(fixture('randaccess.txt'))
    expect(figures.ops_per_s).toBeGreaterThan(0)
  })

  it('a bad invocation (usage message, no metrics) is a ParseError', () => {
    expect(() => catalog().get('cpu')!.parse!(fixture('bad-method.txt'))).toThrow(ParseError)
  })

  it('garbage and an unsuccessful run are ParseErrors', () => {
    expect(() => stressorOpsPerSecond('segmentation fault\n\u0000\u0001garbage', 'cpu')).toThrow(ParseError)
    const unsuccessful = fixture('cpu.txt').replace('successful run completed', 'unsuccessful run completed')
    expect(() => stressorOpsPerSecond(unsuccessful, 'cpu')).toThrow(/unsuccessful/)
  })

  it('a zero-op row is not a measurement', () => {
    const zero = 'stress-ng: metrc: [1] cpu                   0      0.00      0.00      0.00         0.00           0.00\n'
    expect(() => stressorOpsPerSecond(zero, 'cpu')).toThrow(ParseError)
  })
})

describe('stress catalog entries', () => {
  it('every stress workload and aggressor runs from the stress image and names its apt package', () => {
    const names = ['cpu', 'memory', 'randaccess', 'aggressor-cpu', 'aggressor-cache', 'aggressor-vm', 'aggressor-io', 'aggressor-fork', 'aggressor-network']
    for (const n of names) {
      const p = catalog().get(n)
      expect(p, n).toBeDefined()
      expect(p!.image).toBe('stress')
      expect(p!.needs).toEqual([{tool: '/usr/bin/stress-ng', aptPackage: 'stress-ng'}])
    }
    // aggressors run until stopped; measured workloads end by themselves
    expect(catalog().get('aggressor-cpu')!.argv).toContain('0')
    expect(catalog().get('cpu')!.argv.join(' ')).toMatch(/--timeout 4/)
  })
})
