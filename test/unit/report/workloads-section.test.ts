/** The report's workloads section: which readiness rule each workload used, its origin and figures, escaped. */
import {describe, expect, it} from 'vitest'
import type {Results} from '../../../src/core/results.js'
import {workloadsSection} from '../../../src/report/workloads-section.js'

const results = {
  workloads: [
    {
      name: 'web<script>',
      version: 2,
      origin: {kind: 'file', label: 'web/workload.yaml'},
      image: {source: 'containerfile /srv/web/Containerfile', manifestDigest: 'sha256:' + 'a'.repeat(64), rootfsDigest: 'sha256:' + 'b'.repeat(64)},
      argv: ['/bin/busybox', 'httpd', '-f'],
      ready: 'http GET :8080/health → 200',
      readyKind: 'http',
      figures: [{name: 'req_per_s', unit: 'req/s', source: 'key req_per_s'}],
      load: 'wrk -t1 http://{host}:{port}/',
    },
  ],
} as unknown as Results

describe('workloads section', () => {
  it('says which readiness rule decided startup, where the workload came from, and escapes what it quotes', () => {
    const html = String(workloadsSection(results))
    expect(html).toContain('<b>http GET :8080/health → 200</b>')
    expect(html).toContain('web/workload.yaml')
    expect(html).toContain('key req_per_s')
    expect(html).toContain('web&lt;script&gt;')
    expect(html).not.toContain('<script>')
  })
  it('an older run without workloads says so', () => {
    expect(String(workloadsSection({} as Results))).toContain('do not record their workloads')
  })
})
