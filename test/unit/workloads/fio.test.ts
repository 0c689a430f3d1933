import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseFigures} from '../../../src/metrics/instances.js'
import {catalog} from '../../../src/workloads/catalog.js'
import {parseFio} from '../../../src/workloads/parsers/fio.js'

const ok = readFileSync(join(import.meta.dirname, '../../fixtures/workloads/fio/ok.json'), 'utf8')

describe('fio JSON parser (fio 3.33, recorded on this host)', () => {
  it('reads IOPS and p99 completion latency per job, in the direction the job did', () => {
    const jobs = parseFio(ok)
    expect(jobs.get('randread')!.iops).toBeCloseTo(9232.92, 1)
    expect(jobs.get('randread')!.clatP99Ms).toBeCloseTo(0.24064, 5)
    expect(jobs.get('randwrite')!.iops).toBeCloseTo(9597.47, 1)
  })
  it('finds the report among marker and warning lines', () => {
    expect(parseFio(`fio: some warning\n${ok}\n`).size).toBe(2)
  })
  it('refuses a job with an error, a job without I/O, and garbage', () => {
    const doc = JSON.parse(ok)
    doc.jobs[1].error = 5
    expect(() => parseFio(JSON.stringify(doc))).toThrow(/randwrite failed with error 5/)
    const idle = JSON.parse(ok)
    idle.jobs[0].read.iops = 0
    expect(() => parseFio(JSON.stringify(idle))).toThrow(/randread did no I\/O/)
    expect(() => parseFio('fio: pid=12, err=22/file:filesetup.c:805, func=open(/var/tmp/x), error=Invalid argument')).toThrow(/no JSON report/)
    expect(() => parseFio('{ "jobs" : [ { broken')).toThrow(/no JSON report|unreadable/)
  })
  it('the disk profile yields its three figures from the recording, and asks VMs for a block-device rootfs', () => {
    const p = catalog().get('disk')!
    expect(p.rootfs).toBe('block')
    const drafts = parseFigures(p, ok, undefined, 0)
    expect(drafts.map((d) => [d.figure, d.value !== null])).toEqual([
      ['randread_iops', true],
      ['randwrite_iops', true],
      ['randread_p99_ms', true],
    ])
  })
})
