/** skopeo's failures → one line naming the reason (the registry commands' exit-1 messages). */
import {describe, expect, it} from 'vitest'
import {platformFlags} from '../../../src/images/registry/pull.js'
import {explain, skopeoMessage} from '../../../src/images/registry/skopeo.js'

describe('registry error lines', () => {
  it("extracts skopeo's fatal message", () => {
    expect(
      skopeoMessage('time="x" level=fatal msg="initializing source docker://h/a:1: reading manifest 1 in h/a: manifest unknown: manifest unknown"\n'),
    ).toBe('initializing source docker://h/a:1: reading manifest 1 in h/a: manifest unknown: manifest unknown')
    expect(skopeoMessage('Error: authenticating creds for "h": bad\n')).toBe('authenticating creds for "h": bad')
  })
  it('classifies the usual reasons', () => {
    expect(explain('reading manifest 1 in h/a: unauthorized: authentication required', 'h').code).toBe('registry-unauthorized')
    expect(explain('reading manifest x in h/a: manifest unknown: manifest unknown', 'h').reason).toBe(
      'manifest unknown: the registry has no such tag or digest',
    )
    expect(explain('pinging container registry h: Get "https://h/v2/": dial tcp: lookup h on 10.0.0.1:53: no such host', 'h').reason).toBe(
      'cannot reach registry h: no such host',
    )
    expect(explain('pinging container registry h: Get "http://h/v2/": dial tcp 127.0.0.1:1: connect: connection refused', 'h').reason).toBe(
      'cannot reach registry h: connection refused',
    )
    expect(explain('Get "https://h/v2/": http: server gave HTTP response to HTTPS client', 'h').reason).toBe('h speaks plain HTTP: add --tls-verify=false')
    expect(explain('x'.repeat(1000), 'h').reason.length).toBeLessThanOrEqual(400)
  })
  it('--platform is os/arch[/variant]', () => {
    expect(platformFlags('linux/arm64/v8').flags).toEqual(['--override-os', 'linux', '--override-arch', 'arm64', '--override-variant', 'v8'])
    expect(platformFlags(undefined).label).toBe('linux/amd64')
    expect(() => platformFlags('arm64')).toThrow(/expected os\/arch/)
  })
})
