import {describe, expect, it} from 'vitest'
import type {Sample} from '../../../src/core/results.js'
import {analyze} from '../../../src/engine/analyze.js'
import {attributionCells, estimateCounter} from '../../../src/engine/attribution/analyze.js'
import {resultsOf, sampleOf} from '../../helpers/results.js'

function sample(arm: string, rep: number, figure: string, value: number, counters: Record<string, number>): Sample {
  return sampleOf({
    metric: 'cpu',
    figure,
    arm,
    workload: 'cpu',
    params: {windowMs: 2000},
    rep,
    block: rep,
    value,
    unit: figure === 'cpu_per_s' ? 'cores' : 'bogo-ops/s',
    direction: figure === 'cpu_per_s' ? 'lower' : 'higher',
    t: rep,
    counters: {mode: 'window', instances: 1, values: counters},
  })
}

describe('where the time goes: comparisons split by their counters', () => {
  const samples: Sample[] = []
  for (let rep = 0; rep < 6; rep++) {
    const vm = {
      cpu_s: 1.9 + rep * 0.01,
      ctx_voluntary: 400 + rep,
      ctx_involuntary: 600,
      faults_major: 0,
      vcpu_s: 1.85,
      io_threads_s: 0.01,
      main_loop_s: 0.04,
      vcpu_share: 0.97,
      mem_guest_ram: 142,
      mem_tcg_cache: 44,
    }
    const ct = {cpu_s: 1.95 + rep * 0.01, ctx_voluntary: 0, ctx_involuntary: 300 + rep, faults_major: 0, mem_runtime: 1.2, mem_init: 1.7, mem_workload: 11}
    for (const [arm, c, ops] of [
      ['qemu', vm, 900 + rep],
      ['container', ct, 1000 + rep],
      ['process', {...ct, mem_runtime: 0}, 1005 + rep],
    ] as const) {
      samples.push(sample(arm, rep, 'ops_per_s', ops, c), sample(arm, rep, 'cpu_per_s', 0.95, c))
    }
  }
  const results = resultsOf(samples)
  analyze(results, {equivalenceDelta: 0.05, seed: 1})
  const cells = attributionCells(results, {seed: 1, resamples: 400})

  it('one cell per compared pair of arms, its figures sharing the repetitions', () => {
    // every arm against the bare process and against the headline's reference (container)
    expect(cells.map((c) => `${c.arm}|${c.baseline}`).sort()).toEqual(['container|process', 'qemu|container', 'qemu|process'])
    expect(cells.find((c) => c.arm === 'qemu')!.comparisons).toHaveLength(2)
  })

  it('the sentence leads with the headline figure and names what moved with it', () => {
    const vm = cells.find((c) => c.arm === 'qemu' && c.baseline === 'process')!
    expect(vm.summary).toMatch(/^cpu\.ops_per_s cpu/)
    expect(vm.summary).toContain("vCPU threads 97% of qemu's VMM CPU")
    expect(vm.summary).toMatch(/3\.\d+× \[[\d.]+–[\d.]+×\] the context switches/)
    expect(vm.summary).toContain('0 major faults on either side')
  })

  it('counters get ratio CIs; a counter at 0 on one side a difference; memory parts stay per arm', () => {
    const vm = cells.find((c) => c.arm === 'qemu' && c.baseline === 'process')!
    const cpu = vm.counters.find((c) => c.counter === 'cpu_s')!
    expect(cpu.ratio).toBeGreaterThan(0.9)
    expect(cpu.ci![0]).toBeLessThan(cpu.ratio!)
    expect(vm.counters.find((c) => c.counter === 'faults_major')!.difference).toBe(0)
    expect(vm.memory!.arm.mem_guest_ram).toBe(142)
    expect(vm.memory!.baseline.mem_workload).toBe(11)
    expect(vm.counters.some((c) => c.counter.startsWith('mem_'))).toBe(false)
  })

  it('a counter seen on one side only is reported by its median', () => {
    const e = estimateCounter('vcpu_share', [0.97, 0.96], [], 1)
    expect(e).toMatchObject({arm: 0.965, baseline: null, n: 2, baselineN: 0})
    expect(e.ratio).toBeUndefined()
  })
})
