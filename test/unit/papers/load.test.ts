import {describe, expect, it} from 'vitest'
import {InputFileError, UsageError} from '../../../src/core/errors.js'
import {listPaperFiles, loadPaperFile, parsePaper} from '../../../src/papers/load.js'
import {selectClaims} from '../../../src/papers/select.js'

const base = `id: p
title: T
citation: C
claims:
  - id: scale
    text: x
    paperFigure: y
    cell: {metric: scaleout, workload: idle, figure: all_ready, params: {n: 1}}
    arm: {arm: qemu}
    baseline: {arm: container}
    expect: {atLeast: 10}
`
const err = (text: string): InputFileError => {
  try {
    parsePaper(text, '<test>/p.yaml')
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError)
    return error as InputFileError
  }
  throw new Error('expected an InputFileError')
}

describe('paper files', () => {
  it('ships the five papers, each valid, ids matching file names', () => {
    const papers = listPaperFiles().map((f) => loadPaperFile(f))
    expect(papers.map((p) => p.paper.id)).toEqual(['agache2020', 'felter2015', 'joy2015', 'manco2017', 'sharma2016'])
    const ids = papers.flatMap((p) => p.paper.claims.map((c) => `${p.paper.id}:${c.id}`))
    expect(ids).toEqual(expect.arrayContaining(['felter2015:cpu-container', 'joy2015:scaleout', 'agache2020:boot', 'manco2017:creation', 'sharma2016:cpuset']))
    // Firecracker's claims are about KVM
    expect(papers.find((p) => p.paper.id === 'agache2020')!.paper.claims.every((c) => c.needsKvm)).toBe(true)
  })

  it('parses a minimal paper with defaults', () => {
    const {paper} = parsePaper(base, '<test>/p.yaml')
    expect(paper.reps).toBe(5)
    expect(paper.claims[0]).toMatchObject({measure: 'ratio', gate: true, needsKvm: false, expect: {atLeast: 10, tolerance: 0}})
  })

  it('points at file:line:col, field and expectation for bad input', () => {
    const unknownKey = err(base.replace('    expect: {atLeast: 10}', '    expect: {atLeast: 10}\n    expcted: 3'))
    expect(unknownKey.message).toBe('<test>/p.yaml:12:5: claims[0].expcted: unknown field; remove it or check its spelling')
    const noBaseline = err(base.replace('    baseline: {arm: container}\n', ''))
    expect(noBaseline.message).toMatch(/^<test>\/p\.yaml:5:5: claims\[0\]\.baseline: a ratio claim needs a baseline/)
    const badParam = err(base.replace('params: {n: 1}', 'params: {n: 1, nn: 2}'))
    expect(badParam.message).toMatch(/^<test>\/p\.yaml:8:\d+: claims\[0\]\.cell\.params\.nn: unknown param "nn" for metric scaleout; expected one of n, mode/)
    const badMetric = err(base.replace('metric: scaleout', 'metric: scaleup'))
    expect(badMetric.message).toMatch(/claims\[0\]\.cell\.metric: expected one of "startup"/)
    const dup = err(base + base.split('claims:\n')[1])
    expect(dup.message).toMatch(/:12:9: claims\[1\]\.id: duplicate claim id "scale"/)
    const degradation = err(base.replace('arm: {arm: qemu}', 'arm: {arm: qemu, statistic: degradation}'))
    expect(degradation.message).toMatch(/claims\[0\]\.arm\.statistic: degradation needs metric: interference/)
    const range = err(base.replace('{atLeast: 10}', '{atLeast: 10, atMost: 2}'))
    expect(range.message).toMatch(/atLeast must not exceed atMost/)
    expect(err('id: [').message).toMatch(/YAML syntax error/)
    expect(() => parsePaper(base, '/x/other.yaml')).toThrow(/id: expected "other" \(the file name\), got "p"/)
  })
})

describe('selectClaims', () => {
  const papers = listPaperFiles().map((f) => loadPaperFile(f))
  it('all, a paper, a claim, or a family prefix', () => {
    const all = selectClaims(papers, [])
    expect(all.length).toBe(papers.reduce((n, p) => n + p.paper.claims.length, 0))
    expect(selectClaims(papers, ['all'])).toHaveLength(all.length)
    expect(selectClaims(papers, ['joy2015']).map((s) => s.claim.id)).toEqual(['scaleout', 'requests'])
    expect(selectClaims(papers, ['felter2015:cpu', 'joy2015:scaleout', 'joy2015:scaleout']).map((s) => `${s.paper.id}:${s.claim.id}`)).toEqual([
      'felter2015:cpu-container',
      'felter2015:cpu-vm',
      'joy2015:scaleout',
    ])
  })
  it('unknown names are usage errors listing what exists', () => {
    expect(() => selectClaims(papers, ['felter'])).toThrow(UsageError)
    expect(() => selectClaims(papers, ['felter'])).toThrow(/unknown paper "felter"; expected all, one of agache2020, felter2015/)
    expect(() => selectClaims(papers, ['joy2015:nope'])).toThrow(/unknown claim "joy2015:nope"; joy2015 has scaleout, requests/)
  })
})
