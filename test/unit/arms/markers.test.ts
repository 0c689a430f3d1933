import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {MarkerStream, monotonicNsToMs} from '../../../src/core/markers.js'

describe('MarkerStream', () => {
  it('timestamps marker lines on arrival and keeps other output', async () => {
    const s = new PassThrough()
    const m = new MarkerStream().attach(s)
    s.write('hello\nISOBENCH init idle\n')
    await new Promise((r) => setImmediate(r))
    s.write('ISOBENCH ready idle\nbye')
    s.end()
    await new Promise((r) => setImmediate(r))
    expect(m.marks.map((x) => x.phase)).toEqual(['init', 'ready'])
    expect(m.marks[1]!.at).toBeGreaterThanOrEqual(m.marks[0]!.at)
    expect(m.output()).toBe('hello\nbye\n')
  })

  it('finds a marker after kernel text on the same serial line', () => {
    const m = new MarkerStream()
    m.line('[    1.234] random: crng init doneISOBENCH ready web', 5)
    expect(m.marks).toEqual([{phase: 'ready', at: 5}])
    expect(m.output()).toContain('crng init done')
  })

  it('waitForText: the arrival time of the first output line with the text, also when it came before the wait', async () => {
    const m = new MarkerStream()
    m.line('ISOBENCH init web', 1)
    m.line('starting', 2)
    m.line('server listening on :80', 7)
    expect(await m.waitForText('listening on', 100)).toBe(7)
    const later = m.waitForText('accepting', 1000)
    m.line('ISOBENCH accepting markers are not output', 8)
    m.line('now accepting connections', 9)
    expect(await later).toBe(9)
    await expect(m.waitForText('never', 20)).rejects.toThrow(/no output line containing "never" within 20 ms/)
  })

  it('reports the workload exit code from the exit marker', () => {
    const m = new MarkerStream()
    m.line('ISOBENCH exit 3', 1)
    expect(m.exitCode()).toBe(3)
  })

  it('waitFor rejects at the deadline', async () => {
    const m = new MarkerStream()
    await expect(m.waitFor('ready', 20)).rejects.toThrow(/within 20 ms/)
  })

  it('waitFor resolves when the marker arrives later', async () => {
    const m = new MarkerStream()
    const p = m.waitFor('ready', 1000)
    m.line('ISOBENCH ready x', 42)
    await expect(p).resolves.toEqual({phase: 'ready', at: 42})
  })
})

describe('markers stamped by isobench-launch’s relay (the kernel’s CLOCK_MONOTONIC at arrival)', () => {
  it('a CLOCK_MONOTONIC reading maps onto performance.now() (the same clock)', () => {
    const before = performance.now()
    const ms = monotonicNsToMs(process.hrtime.bigint())
    const after = performance.now()
    expect(ms).toBeGreaterThanOrEqual(before - 0.01)
    expect(ms).toBeLessThanOrEqual(after + 0.01)
  })

  it('takes the stamp, not the arrival in node, on a stamped stream; spawn and reaped come from the launcher', () => {
    const now = process.hrtime.bigint()
    const m = new MarkerStream()
    m.line(`ISOBENCH@${now} spawn 4242`, 1e9, true, true)
    m.line(`ISOBENCH@${now + 1_500_000n} init idle`, 1e9, true, true)
    m.line(`serial noise ISOBENCH@${now + 2_000_000n} ready idle`, 1e9, true, true)
    m.line(`ISOBENCH@${now + 3_000_000n} reaped 0`, 1e9, true, true)
    expect(m.marks.map((x) => x.phase)).toEqual(['spawn', 'init', 'ready', 'reaped'])
    expect(m.marks[1]!.at - m.marks[0]!.at).toBeCloseTo(1.5, 6)
    expect(m.marks[2]!.at - m.marks[0]!.at).toBeCloseTo(2, 6)
    expect(m.output()).toBe('serial noise \n')
  })

  it('a stamp on a stream that does not come through the relay is output (a workload cannot forge the clock)', () => {
    const m = new MarkerStream()
    m.line('ISOBENCH@1 ready idle', 5, true, false)
    m.line('ISOBENCH ready idle', 7, true, false)
    expect(m.marks).toEqual([{phase: 'ready', at: 7}])
    expect(m.output()).toBe('ISOBENCH@1 ready idle\n')
  })
})
