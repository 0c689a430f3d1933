import {describe, expect, it} from 'vitest'
import {configSchema} from '../../../src/core/config.js'
import {blockOrder, expandParams, expandPlan} from '../../../src/engine/plan.js'
import {mulberry32} from '../../../src/stats/random.js'
import {parseScenario} from '../../../src/scenario/load.js'

const config = configSchema.parse({reps: 4, warmup: 1, arms: ['process', 'container']})

describe('plan expansion', () => {
  it('expands list-valued params into a cartesian product', () => {
    expect(expandParams({n: [1, 2], mode: ['concurrent', 'sequential'], x: 3})).toEqual([
      {n: 1, mode: 'concurrent', x: 3},
      {n: 1, mode: 'sequential', x: 3},
      {n: 2, mode: 'concurrent', x: 3},
      {n: 2, mode: 'sequential', x: 3},
    ])
  })

  it('takes reps/warmup/arms from flags over entry over scenario over config; --arms restricts an entry that names its own arms', () => {
    const {scenario} = parseScenario('name: s\nreps: 7\nmetrics:\n  - metric: startup\n  - metric: startup\n    reps: 2\n    arms: [process]\n', 's.yaml')
    const cells = expandPlan(scenario, config, () => 'idle')
    expect(cells.map((c) => [c.reps, c.warmup, c.arms])).toEqual([
      [7, 1, ['process', 'container']],
      [2, 1, ['process']],
    ])
    const forced = expandPlan(scenario, config, () => 'idle', {reps: 3, arms: ['container']})
    expect(forced.map((c) => [c.reps, c.arms])).toEqual([[3, ['container']]])
    const both = expandPlan(scenario, config, () => 'idle', {arms: ['container', 'process']})
    expect(both.map((c) => c.arms)).toEqual([['container', 'process'], ['process']])
  })

  it('interleaves arms in randomized blocks: each block has every arm once, warm-ups first', () => {
    const cell = {key: 'k', metric: 'startup', workload: 'idle', params: {}, arms: ['a', 'b', 'c'], reps: 50, warmup: 2, limits: {}}
    const blocks = [...blockOrder(cell, mulberry32(1))]
    expect(blocks).toHaveLength(52)
    expect(blocks.slice(0, 2).every((b) => b.warmup)).toBe(true)
    expect(blocks.slice(2).every((b) => !b.warmup)).toBe(true)
    for (const b of blocks) expect([...b.arms].sort()).toEqual(['a', 'b', 'c'])
    // randomized: not always the same order
    expect(new Set(blocks.map((b) => b.arms.join())).size).toBeGreaterThan(1)
    // reproducible from the seed
    expect([...blockOrder(cell, mulberry32(1))]).toEqual(blocks)
  })
})
