/** The runtime phase names exist once per language: RUNTIME_PHASES (TS) and phases.h (C) must say the same, in the same order. */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {MARKER_PREFIX, RUNTIME_PHASES} from '../../../src/core/markers.js'

describe('runtime phases', () => {
  it('phases.h defines exactly RUNTIME_PHASES, in order, with the marker prefix', () => {
    const header = readFileSync('src/runtime/native/phases.h', 'utf8')
    const defined = [...header.matchAll(/^#define PHASE_(\w+) "([^"]*)"$/gm)].map((m) => [m[1], m[2]] as const)
    expect(defined.find(([k]) => k === 'MARKER_PREFIX')?.[1]).toBe(MARKER_PREFIX)
    expect(defined.filter(([k]) => k !== 'MARKER_PREFIX').map(([, v]) => v)).toEqual([...RUNTIME_PHASES])
  })
})
