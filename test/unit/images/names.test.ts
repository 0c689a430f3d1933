/**
 * Image references as Docker normalizes them (distribution/reference normalize.go): the store, import,
 * build and the registry commands all go through these functions.
 */
import {describe, expect, it} from 'vitest'
import {familiarString, fullyQualified, normalizeName, parseRef, parseReference, tagOf, withDefaultTag} from '../../../src/images/names.js'
import {memberComponents, UnsafeLayerError} from '../../../src/images/layer/safe-path.js'
import {UsageError} from '../../../src/core/errors.js'

const D = 'sha256:' + 'a'.repeat(64)

describe('image names (Docker normalization)', () => {
  it('adds :latest, keeps tags and registry ports', () => {
    expect(normalizeName('debian')).toBe('debian:latest')
    expect(normalizeName('debian:bookworm')).toBe('debian:bookworm')
    expect(normalizeName('localhost:5000/a/b')).toBe('localhost:5000/a/b:latest')
    expect(tagOf('localhost:5000/a/b:v1')).toBe('v1')
  })

  it('a docker-archive name docker.io/library/web:1 and web:1 are the same image name', () => {
    expect(normalizeName('docker.io/library/web:1')).toBe('web:1')
    expect(normalizeName('index.docker.io/library/web:1')).toBe('web:1')
    expect(normalizeName('docker.io/web:1')).toBe('web:1')
    expect(normalizeName('web:1')).toBe('web:1')
  })

  it('web = docker.io/library/web:latest; user repos keep their namespace; other registries are kept', () => {
    expect(fullyQualified(withDefaultTag(parseReference('web')))).toBe('docker.io/library/web:latest')
    expect(fullyQualified(withDefaultTag(parseReference('a/b')))).toBe('docker.io/a/b:latest')
    expect(normalizeName('docker.io/a/b')).toBe('a/b:latest')
    expect(normalizeName('host:5000/a/b')).toBe('host:5000/a/b:latest')
    expect(normalizeName('127.0.0.1:5000/web:1')).toBe('127.0.0.1:5000/web:1')
    expect(normalizeName('localhost/x')).toBe('localhost/x:latest') // localhost is always a domain
    expect(normalizeName('example.com/x')).toBe('example.com/x:latest')
    expect(fullyQualified(withDefaultTag(parseReference('isobench/idle')))).toBe('docker.io/isobench/idle:latest')
    expect(normalizeName('docker.io/library/a/b')).toBe('library/a/b:latest') // nested library paths are not shortened
  })

  it('digests are kept; with a tag and a digest the digest wins (ParseDockerRef)', () => {
    expect(familiarString(withDefaultTag(parseReference(`web@${D}`)))).toBe(`web@${D}`)
    expect(normalizeName(`docker.io/library/web:1@${D}`)).toBe(`web@${D}`)
    expect(fullyQualified(withDefaultTag(parseReference(`127.0.0.1:5000/web@${D}`)))).toBe(`127.0.0.1:5000/web@${D}`)
  })

  it('rejects what Docker rejects, with a usage error', () => {
    expect(() => normalizeName('UP per/../x')).toThrow(UsageError)
    expect(() => normalizeName('Web:1')).toThrow(/must be lowercase/)
    expect(() => normalizeName('a:b:c/d')).toThrow(/invalid image reference/)
    expect(() => normalizeName('a..b')).toThrow(/invalid image reference/)
    expect(() => normalizeName('a/b:.x')).toThrow(/tag/)
    expect(() => normalizeName('a'.repeat(64).replace(/a/g, 'f'))).toThrow(/image id/)
    expect(() => normalizeName('x@sha256:12')).toThrow(/after @/)
    expect(() => normalizeName(`${'a'.repeat(250)}/bbbbbb`)).toThrow(/longer than 255/)
  })

  it('parses digests, name@digest and id prefixes', () => {
    expect(parseRef(D)).toEqual({kind: 'digest', digest: D})
    expect(parseRef(`x@${D}`)).toEqual({kind: 'name', name: `x@${D}`, digest: D})
    expect(parseRef('abcdef12')).toEqual({kind: 'prefix', prefix: 'abcdef12'})
    expect(parseRef('busybox')).toEqual({kind: 'name', name: 'busybox:latest'})
    expect(parseRef('docker.io/library/busybox:1')).toEqual({kind: 'name', name: 'busybox:1'})
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
