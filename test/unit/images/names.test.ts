import {describe, expect, it} from 'vitest'
import {normalizeName, parseRef, tagOf} from '../../../src/images/names.js'
import {memberComponents, UnsafeLayerError} from '../../../src/images/layer/safe-path.js'
import {UsageError} from '../../../src/core/errors.js'

describe('image names', () => {
  it('adds :latest, keeps tags and registry ports', () => {
    expect(normalizeName('debian')).toBe('debian:latest')
    expect(normalizeName('debian:bookworm')).toBe('debian:bookworm')
    expect(normalizeName('localhost:5000/a/b')).toBe('localhost:5000/a/b:latest')
    expect(tagOf('localhost:5000/a/b:v1')).toBe('v1')
  })
  it('rejects bad names with a usage error', () => {
    expect(() => normalizeName('UP per/../x')).toThrow(UsageError)
    expect(() => normalizeName('a:b:c/d')).toThrow(/invalid image name/)
  })
  it('parses digests, name@digest and id prefixes', () => {
    const d = 'sha256:' + 'a'.repeat(64)
    expect(parseRef(d)).toEqual({kind: 'digest', digest: d})
    expect(parseRef(`x@${d}`)).toEqual({kind: 'digest', digest: d})
    expect(parseRef('abcdef12')).toEqual({kind: 'prefix', prefix: 'abcdef12'})
    expect(parseRef('busybox')).toEqual({kind: 'name', name: 'busybox:latest'})
  })
})

describe('tar member names', () => {
  it('strips ./ and empty parts', () => {
    expect(memberComponents('./usr//bin/./x')).toEqual(['usr', 'bin', 'x'])
    expect(memberComponents('./')).toEqual([])
  })
  it('rejects absolute names and .. anywhere', () => {
    expect(() => memberComponents('/etc/passwd')).toThrow(UnsafeLayerError)
    expect(() => memberComponents('a/../../b')).toThrow(/'\.\.' component/)
    expect(() => memberComponents('..')).toThrow(UnsafeLayerError)
  })
})
