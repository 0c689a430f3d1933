import {describe, expect, it} from 'vitest'
import type {Sample} from '../../../src/core/results.js'
import {phaseBars} from '../../../src/report/charts/kit.js'
import {sampleOf} from '../../helpers/results.js'

const sample = (arm: string, phases: Record<string, number>, ok = true): Sample => sampleOf({arm, value: ok ? phases.ready! : null, ok, phases})

describe('startup phase waterfall', () => {
  it('chains median phase marks per arm, in time order, ignoring failed samples', () => {
    const bars = phaseBars(
      [
        sample('qemu', {spawn: 10, kernel: 100, init: 900, ready: 1000}),
        sample('qemu', {spawn: 12, kernel: 120, init: 1100, ready: 1200}),
        sample('qemu', {spawn: 1, ready: 5}, false),
        sample('process', {init: 2, ready: 3}),
      ],
      (a) => (a === 'qemu' ? 'qemu (TCG)' : a),
    )
    const qemu = bars.filter((b) => b.arm === 'qemu (TCG)')
    expect(qemu.map((b) => b.phase)).toEqual(['spawn', 'kernel', 'init', 'ready'])
    expect(qemu.map((b) => [b.start, b.end])).toEqual([
      [0, 11],
      [11, 110],
      [110, 1000],
      [1000, 1100],
    ])
    expect(bars.filter((b) => b.arm === 'process').map((b) => b.phase)).toEqual(['init', 'ready'])
    expect(qemu[1]!.order).toBeLessThan(qemu[2]!.order)
  })
})
