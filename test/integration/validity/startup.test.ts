/**
 * Validity: the process arm's startup figure against hyperfine -N of the same command line on this
 * machine. The exact figures are `npm run bench:validity`'s; here the bound is generous (within 50%,
 * or 0.6 ms), because other jobs share the host — but wide of it is a harness cost in the figure
 * (node's spawn and pipe: 2.9 ms where hyperfine read 1.3 ms).
 */
import {describe, expect, it} from 'vitest'
import {checkLine, hostLoad, startupVsHyperfine} from './checks.js'

describe('startup agrees with hyperfine', () => {
  it('process arm startup.ready of `isobench-init -- /bin/true` vs hyperfine -N of the same command (start → exit): within 50% or 0.6 ms', async () => {
    const c = await startupVsHyperfine({runs: 20, rounds: 3})
    console.log(`${checkLine(c)} · ${hostLoad()}`)
    const ok = Math.abs(c.ratio - 1) <= 0.5 || Math.abs(c.isobench - c.reference) <= 0.6
    expect(ok, `${checkLine(c)} ${JSON.stringify(c.detail)}`).toBe(true)
  })
})
