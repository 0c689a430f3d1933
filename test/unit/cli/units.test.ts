import {describe, expect, it} from 'vitest'
import {parseDuration, parsePercent, parseSizeMiB} from '../../../src/cli/units.js'

describe('units', () => {
  it('parses durations', () => {
    expect(parseDuration('90', 'x')).toBe(90)
    expect(parseDuration('90s', 'x')).toBe(90)
    expect(parseDuration('1.5m', 'x')).toBe(90)
    expect(parseDuration('2h', 'x')).toBe(7200)
    expect(parseDuration('500ms', 'x')).toBe(0.5)
    expect(() => parseDuration('soon', '--budget')).toThrow('--budget: expected a duration like 90s, 10m or 1h, got "soon"')
  })
  it('parses percentages', () => {
    expect(parsePercent('5%', 'x')).toBeCloseTo(0.05)
    expect(parsePercent('0.05', 'x')).toBeCloseTo(0.05)
    expect(() => parsePercent('150%', '--precision')).toThrow('--precision: expected a percentage between 0% and 100%')
  })
  it('parses sizes in MiB', () => {
    expect(parseSizeMiB('256', 'x')).toBe(256)
    expect(parseSizeMiB('256M', 'x')).toBe(256)
    expect(parseSizeMiB('1G', 'x')).toBe(1024)
    expect(parseSizeMiB('1GiB', 'x')).toBe(1024)
    expect(parseSizeMiB('512k', 'x')).toBe(0.5)
    expect(() => parseSizeMiB('big', '--memory')).toThrow('--memory: expected a size like 256M or 1G')
  })
})
