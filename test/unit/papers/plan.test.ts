import {describe, expect, it} from 'vitest'
import {planClaims, scenariosFor, type ArmStatus} from '../../../src/papers/plan.js'
import {paperSchema, type Paper} from '../../../src/papers/schema.js'
import type {WorkloadProfile} from '../../../src/workloads/profile.js'
import {scenarioSchema} from '../../../src/scenario/schema.js'

const profile = (name: string, figures: string[] = []): WorkloadProfile => ({
  name,
  version: 1,
  description: '',
  argv: ['true'],
  ready: {kind: 'marker'},
  figures: figures.map((f) => ({name: f, unit: 'ops/s', direction: 'higher', description: ''})),
})
const workloads = new Map([
  ['idle', profile('idle')],
  ['cpu', profile('cpu', ['ops_per_s'])],
])
const status = (name: string, over: Partial<ArmStatus> = {}): [string, ArmStatus] => [
  name,
  {name, kind: name === 'qemu' ? 'vm' : name, available: true, accel: 'none', ...over},
]
const metricParams = (m: string) => ({scaleout: ['n', 'mode'], cpu: ['settleMs', 'windowMs', 'timeoutMs']})[m] ?? []

const paper: Paper = paperSchema.parse({
  id: 'p',
  title: 't',
  citation: 'c',
  quick: {reps: 2, params: {windowMs: 500, n: 1}},
  claims: [
    {
      id: 'scale',
      text: 'x',
      paperFigure: 'y',
      cell: {metric: 'scaleout', workload: 'idle', figure: 'all_ready', params: {n: 4, mode: 'concurrent'}},
      arm: {arm: 'qemu'},
      baseline: {arm: 'container'},
      expect: {atLeast: 10},
    },
    {
      id: 'cpu-container',
      text: 'x',
      paperFigure: 'y',
      cell: {metric: 'cpu', workload: 'cpu'},
      arm: {arm: 'container'},
      baseline: {arm: 'process'},
      expect: {atLeast: 1, atMost: 1, tolerance: 0.05},
    },
    {
      id: 'cpu-vm',
      text: 'x',
      paperFigure: 'y',
      cell: {metric: 'cpu', workload: 'cpu'},
      arm: {arm: 'qemu'},
      baseline: {arm: 'process'},
      expect: {atLeast: 0.8},
      needsKvm: true,
    },
    {id: 'http', text: 'x', paperFigure: 'y', cell: {metric: 'cpu', workload: 'http'}, arm: {arm: 'container'}, baseline: {arm: 'qemu'}, expect: {atLeast: 1}},
    {
      id: 'lat',
      text: 'x',
      paperFigure: 'y',
      cell: {metric: 'cpu', workload: 'cpu', figure: 'latency_p99'},
      arm: {arm: 'container'},
      baseline: {arm: 'process'},
      expect: {atLeast: 1},
    },
  ],
})
const selected = paper.claims.map((claim) => ({paper, claim}))

describe('planClaims', () => {
  it('decides not applicable / not comparable before running, with a short verdict and the full reason', () => {
    const arms = new Map([status('process'), status('container'), status('qemu', {accel: 'tcg', accelReason: 'KVM present but unusable'})])
    const {planned, decided} = planClaims({selected, arms, workloads, metricParams, quick: false})
    expect(planned.map((p) => p.claim.id)).toEqual(['scale', 'cpu-container'])
    const byId = Object.fromEntries(decided.map((d) => [d.id, d]))
    expect(byId['p:cpu-vm']).toMatchObject({outcome: 'not comparable', verdict: 'not comparable (emulated)', estimate: null, ci: null})
    expect(byId['p:cpu-vm']!.reason).toMatch(/qemu runs under TCG.*KVM present but unusable/)
    expect(byId['p:http']).toMatchObject({outcome: 'not applicable', verdict: 'not applicable: workload http unavailable'})
    expect(byId['p:lat']!.verdict).toBe('not applicable: figure latency_p99 unavailable')
    expect(byId['p:lat']!.reason).toContain('it reports: ops_per_s, cpu_per_s')
  })

  it('an unavailable arm makes its claims not applicable, naming the arm (or "needs KVM" for a KVM claim)', () => {
    const arms = new Map([
      status('process'),
      status('container', {available: false, reason: 'runtime helper not built'}),
      status('qemu', {available: false, reason: 'qemu-system-x86_64 not found'}),
    ])
    const {planned, decided} = planClaims({selected, arms, workloads, metricParams, quick: false})
    expect(planned).toEqual([])
    const byId = Object.fromEntries(decided.map((d) => [d.id, d]))
    expect(byId['p:scale']!.verdict).toBe('not applicable: qemu unavailable')
    expect(byId['p:scale']!.reason).toBe('qemu unavailable: qemu-system-x86_64 not found')
    expect(byId['p:cpu-container']!.verdict).toBe('not applicable: container unavailable')
    expect(byId['p:cpu-vm']!.verdict).toBe('not applicable: needs KVM')
    // An arm no plugin provides at all
    const none = planClaims({selected: selected.slice(1, 2), arms: new Map([status('process')]), workloads, metricParams, quick: false})
    expect(none.decided[0]!.reason).toMatch(/container unavailable: no installed plugin provides this arm/)
  })

  it("--quick params override only params the metric knows; the figure defaults to the workload's first", () => {
    const arms = new Map([status('process'), status('container'), status('qemu', {accel: 'kvm'})])
    const {planned} = planClaims({selected, arms, workloads, metricParams, quick: true})
    const byId = Object.fromEntries(planned.map((p) => [p.claim.id, p]))
    expect(byId.scale!.cell.params).toEqual({n: 1, mode: 'concurrent'})
    expect(byId['cpu-container']!.cell).toEqual({metric: 'cpu', workload: 'cpu', figure: 'ops_per_s', params: {windowMs: 500}})
    expect(byId['cpu-vm']).toBeDefined() // KVM: comparable
  })
})

describe('scenariosFor', () => {
  it('runs each cell once, with the union of the arms the claims read, as a valid scenario', () => {
    const arms = new Map([status('process'), status('container'), status('qemu', {accel: 'kvm'})])
    const {planned} = planClaims({selected, arms, workloads, metricParams, quick: true})
    const groups = scenariosFor(planned, true)
    expect(groups).toHaveLength(1)
    const {scenario} = groups[0]!
    // valid as a scenario (the fake cpu workload is not in the real catalog, so check the idle cells)
    expect(() => scenarioSchema.parse({...scenario, metrics: scenario.metrics.filter((m) => m.workload === 'idle')})).not.toThrow()
    const cpu = scenario.metrics.filter((m) => m.metric === 'cpu')
    expect(cpu).toHaveLength(1)
    expect(new Set(cpu[0]!.arms)).toEqual(new Set(['container', 'process', 'qemu']))
    expect(cpu[0]!.reps).toBe(2)
    expect(scenario.metrics.find((m) => m.metric === 'scaleout')!.arms).toEqual(['qemu', 'container'])
    expect(scenario.name).toBe('reproduce p (quick)')
  })

  it('gives a side with its own params its own cell', () => {
    const p2 = paperSchema.parse({
      id: 'q',
      title: 't',
      citation: 'c',
      claims: [
        {
          id: 'cpuset',
          text: 'x',
          paperFigure: 'y',
          cell: {metric: 'cpu', workload: 'cpu', params: {windowMs: 100}},
          arm: {arm: 'container', params: {settleMs: 1}},
          baseline: {arm: 'container', params: {settleMs: 2}},
          expect: {atMost: 1},
        },
      ],
    })
    const {planned} = planClaims({selected: [{paper: p2, claim: p2.claims[0]!}], arms: new Map([status('container')]), workloads, metricParams, quick: false})
    const {scenario} = scenariosFor(planned, false)[0]!
    expect(scenario.metrics.map((m) => m.params)).toEqual([
      {windowMs: 100, settleMs: 1},
      {windowMs: 100, settleMs: 2},
    ])
  })
})
