/**
 * Validity: the cpu workload's figure as isobench parses it against stress-ng's own report of the
 * same run: the bogo ops/s (real time) it printed (equal), and its bogo ops ÷ real seconds (equal
 * to the rounding of the printed columns: within 1%).
 */
import {rmSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'
import type {Arm} from '../../../src/core/arm.js'
import {ContainerArm} from '../../../src/arms/container.js'
import {ProcessArm} from '../../../src/arms/process.js'
import {pruneContainers} from '../../../src/runtime/prune.js'
import {checkLine, hostLoad, newContext, stressNgOwnFigure} from './checks.js'

const root = process.getuid?.() === 0
const {ctx, cleanup, stateDir} = newContext('stress')

const arms: Array<[string, () => Arm]> = [
  ['process', () => new ProcessArm(ctx)],
  ['container', () => new ContainerArm(ctx)],
]

describe.skipIf(!root)("stress-ng's own figure", () => {
  afterAll(async () => {
    await cleanup.runAll()
    await pruneContainers(stateDir, {all: true})
    rmSync(stateDir, {recursive: true, force: true})
  })

  it.each(arms)('%s: ops_per_s equals what stress-ng printed, and its bogo ops ÷ real time within 0.01 relative', async (_name, make) => {
    const arm = make()
    const [printed, quotient] = await stressNgOwnFigure(arm)
    for (const c of [printed!, quotient!]) console.log(`${checkLine(c)} · ${hostLoad()}`)
    expect(printed!.ratio).toBeCloseTo(1, 9)
    expect(Math.abs(quotient!.ratio - 1)).toBeLessThan(0.01)
    await arm.cleanup()
  })
})
